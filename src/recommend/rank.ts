// Scores the whole catalog for one turn as a weighted sum of features (weights learnt on ReDial train, see
// ranker-model.ts), filters what must never be offered, and diversifies the top with MMR (select.ts).
// Speed: everything per request is precomputed once (unit query vectors, neighbour sums by row, people and
// series hit masks); the vector features are linear, so the scoring pass folds them into one query vector
// and one interest vector: two dot products and a few array reads per item, no allocation per item.
import { createHash } from "node:crypto";
import { groupRows, pushTo } from "../util/multimap.ts";
import { oncePerList } from "../util/per-list.ts";
import { cellParts } from "../catalog/normalize.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { itemPeople, REQUEST_ONLY_FIELDS } from "../catalog/people.ts";
import { blendedInterests, excludedItems, type Profile } from "../profile/profile.ts";
import { dot, norm } from "../util/vec.ts";
import { itemFacets, type ItemFacets } from "./item-facets.ts";
import type { Critique } from "../understand/critique.ts";
import type { Collections } from "./collections.ts";
import { type AttributeMatch, AttributeMatches, type Attributes } from "./attributes.ts";
import { CategoryRows } from "./category-rows.ts";
import { Neighbours } from "./neighbours.ts";
import {
  compileMlp,
  FEATURE_NAMES,
  handModel,
  type FeatureName,
  type RankerModel,
} from "./ranker-model.ts";
import { mmrRows, topRows } from "./select.ts";
import type { CandidateSearch, IndexedRows, ItemIndex } from "./item-index.ts";
import { bothFilters, RowFilters, type RowFilter } from "./row-filter.ts";
import { RowArrayPool, type RowArrays } from "./row-arrays.ts";
import type { ItemArrays, MlpKernel } from "../util/kernels.ts";

export type Features = Record<FeatureName, number> & {
  /** The liked item this one is most similar to (for reasons). */
  likedItemId?: string;
  /** The mentioned or liked item most often mentioned together with this one (for reasons). */
  neighbourOfId?: string;
  /** Dialogues mentioning both that item and this one. */
  neighbourCount?: number;
};

export interface RankedItem {
  row: number;
  score: number;
  features: Features;
  /** The studio or series the message asked for that this item belongs to ("Studio Ghibli"). */
  collection?: string;
  /** How the item answers a critique of the last list: its value and the last list's mean ("shorter"). */
  critique?: Critique & { value: number; mean: number; than: string };
  /** The MovieLens tags and TMDB keywords of the item the message's mood words matched ("twisty"). */
  attributes?: AttributeMatch;
}

export interface RankRequest {
  profile: Profile;
  /** The message's embedding, when it says something (null for "more", "why" ...). */
  message?: Float32Array;
  /** The message's interest distribution, with `message`. */
  messageInterests?: Float32Array;
  /** Centre the list on this item ("more like the second one"). */
  anchorItemId?: string;
  limit: number;
  mmrLambda: number;
  /** Categories this message asks for by name ("animated movies for the kids"): they lead this list. */
  requested?: readonly string[];
  /** People this message asks for by name ("films by Sofia Coppola"), as name keys: their items lead this list. */
  requestedPeople?: readonly string[];
  /** Studios and series asked for ("films from Pixar"), by Collection name, the most wanted first. */
  collections?: readonly string[];
  /** "older", "shorter": the list moves that way from the mean of the profile's last list. */
  critique?: Critique;
  /** "not too long", "under 90 minutes": the longest runtime this list may have, in minutes. */
  maxRuntime?: number;
  /** The words that say what the films should be like ("twisty", "feel-good"), matched to tags and keywords. */
  moodText?: string;
  /** The words turned down ("nothing bloody or violent"): films tagged so are not offered. */
  avoidText?: string;
  /**
   * "the latest from Stephen King", "newest stories": the newer half of the catalog's dated items lead, the
   * newest most. Changes nothing in a catalog without years.
   */
  newest?: boolean;
}

/** Feature values of every candidate row (training), row-major candidates x FEATURE_NAMES. */
export interface FeatureMatrix {
  rows: Int32Array;
  values: Float32Array;
}

export const FEATURE_COUNT = FEATURE_NAMES.length;
const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<FeatureName, number>;
/** How many recent mentioned / liked items make up the person's item centroids. */
const RECENT_ITEMS = 10;
/** How many recent mentioned / liked items seed the neighbour sums. */
const RECENT_SEEDS = 20;
/** Later items count more: weight RECENCY^(age in items) in centroids and neighbour sums. */
const RECENCY = 0.85;
const INCLUDE_CATEGORY_BOOST = 0.2;
/**
 * Added for items of a category the message asks for by name. Large against the learnt scores' spread: the
 * person said what they want now, so those items lead and the profile orders them.
 */
const REQUESTED_CATEGORY_BOOST = 3;
/**
 * Taken from the score of items already shown to the person, so that they fall behind the fresh ones that fit:
 * "any other ideas?" gets new ones. Larger than the spread of the learnt scores at the top of a list: a sequel
 * of a film the person loved can lead the fresh films by more than 3 (after "I loved Inception and The Matrix",
 * The Matrix Reloaded scores 11.1, the next list's fresh films 8.0-8.5), and with 3 it came back in every list.
 * A product rule, not learnt: in a replayed ReDial dialogue the seeker sees nothing of the bot's, so no data
 * says how much.
 */
const SHOWN_PENALTY = 10;
/**
 * A requested category that also means these: ReDial lists at most three genres per film, and MovieLens'
 * genres do not make up for it everywhere, so many animated films lack "family" (Frozen (2013):
 * animation, adventure, comedy, fantasy, musical, romance) and a request for kids' films would miss them.
 */
const REQUEST_ALSO_MEANS: Readonly<Record<string, readonly string[]>> = { family: ["animation"] };
/** Added for items of a person the message asks for by name: like a requested category, they lead the list. */
const REQUESTED_PERSON_BOOST = 3;
/**
 * Added on top for the items of a person asked for by name, the same for all of them: their order among
 * themselves is the score's, and they come before the rest. A product rule, like SHOWN_PENALTY.
 */
const REQUESTED_PERSON_LEAD = 10;
/** Added for a film in every one of several categories asked for at once. */
const ALL_REQUESTED_BOOST = 1;
/**
 * Added for items of a studio or series the message names ("studio ghibli films"): they lead the list. Larger
 * than a person's boost: a person's films also score by the people feature, a studio's have nothing of their
 * own, and the model's reading of the words can point elsewhere ("studio ghibli films please" reads as 99%
 * comedy, whose films then lead the learnt scores by more than 3). As large as SHOWN_PENALTY, so that films
 * of the studio already shown fall back to the rest.
 */
const REQUESTED_COLLECTION_BOOST = 10;
/** Added for items on the asked side of the last list's mean ("older"): like a requested category. */
const CRITIQUE_BOOST = 3;
/** Added, at most, for the newest items when the newest are asked for: as much as a requested category. */
const NEWEST_BOOST = 3;
/**
 * Added for items whose tags or keywords match the message's mood words: like a requested category, they lead
 * the list and the profile orders them.
 */
const MOOD_BOOST = 3;
/** Added for items of the category the matched items characterise ("twisty": mystery), not matched themselves. */
const MOOD_CATEGORY_BOOST = 1;
/** MMR looks this many items beyond the requested number. */
const MMR_POOL = 50;
/** The re-scorer sees the linear stage's best this many. */
const RESCORE_POOL = 200;
/** The bench's recall of the vector index: against the exact linear stage's best this many. */
const RECALL_AT = 100;
/**
 * A list of the most popular items looks at this many times the rows it needs, then as many times more
 * while the request's constraints leave it short.
 */
const POPULAR_REACH = 8;
/** Rows whose genre hits the feature stamp hashes at once. */
const STAMP_CHUNK = 65_536;

/** Per-request state, built once, read by the per-item pass. */
interface Query {
  blocked: Uint8Array;
  msg: Float32Array | undefined;
  short: Float32Array | undefined;
  long: Float32Array | undefined;
  mentioned: Float32Array | undefined;
  liked: Float32Array | undefined;
  neg: Float32Array | undefined;
  interests: Float32Array;
  messageInterests: Float32Array;
  /** Share of each category among the seeds' categories. */
  seedGenres: Float32Array;
  negInterests: Float32Array;
  comention: Float32Array;
  movielens: Float32Array;
  /** 1 when the person has mentioned or liked anything (neighbours can speak), else 0. */
  seeded: number;
  /** Context of the whole request, the same for every item: the re-scorer weighs the others by them. */
  seedCount: number;
  turns: number;
  neighbourOf: Map<number, { id: string; count: number }>;
  /** Per person (director, star, author): Σ recency weight of the seeds they are in. */
  personWeight: Float32Array;
  /** The people with weight, ascending (the few personWeight entries that are not 0). */
  weightedPeople: number[];
  seriesHit: Uint8Array;
  meanYear: number;
  /**
   * Added to the learnt score: + for items of a category asked for ("only comedies", "animated movies"), − for
   * items shown before; undefined when neither applies.
   */
  scoreOffset: Float32Array | undefined;
  likedRows: Array<{ id: string; row: number }>;
  /** Rows of a studio or series the message names, with its name. */
  collectionOf: Map<number, string>;
  /** The critique of the last list, that list's mean and its film furthest the other way. */
  critique: (Critique & { mean: number; than: string }) | undefined;
  /** Rows whose tags or keywords the message's mood words matched, with what matched. */
  attributeOf: AttributeMatches;
  /** The categories the matched mood words characterise (they get MOOD_CATEGORY_BOOST). */
  moodCategories: readonly string[];
  /** The categories the turned-down words characterise (blocked, unless asked for). */
  avoidCategories: readonly string[];
  /** Each seed's neighbour rows (the rows with a co-mention or MovieLens term). */
  seedNeighbours: Int32Array[];
  /** Where the request's arrays over every row come from; released when the request ends. */
  arrays: RowArrays;
}

/** The request's score offset, made (zeroed) by the first stage that adds to it. */
type Offset = () => Float32Array;

interface NeighbourRows {
  rows: Int32Array;
  comention: Float64Array;
  movielens: Float64Array;
}

/*
 * Each scalar feature's formula, written once: featureRows (training, "why?", the re-scorer) and the fused
 * pass of rank() both call these, and test/rank.test.ts checks that the served score is Σ weight · feature.
 */
/** How close an item's year is to the mean year of the person's seeds. */
const yearMatch = (year: number, meanYear: number) => Math.exp(-Math.abs(year - meanYear) / 10);
/** Later films score higher, capped past 2030. */
const recencyOf = (year: number) =>
  Number.isNaN(year) ? 0 : Math.min(1.3, Math.max(0, (year - 1900) / 100));
/** Σ over the item's people (directors, stars, authors) of their seed weight. */
function personWeightSum(facets: ItemFacets, personWeight: Float32Array, row: number): number {
  const { personStart, personIds } = facets;
  let sum = 0;
  for (let p = personStart[row]!; p < personStart[row + 1]!; p++)
    sum += personWeight[personIds[p]!]!;
  return sum;
}
/** log(1 + shared people's weight): several shared people, or one in several seeds, count more. */
const peopleShared = (weightSum: number) => Math.log1p(weightSum);
const seriesShared = (series: number, seriesHit: Uint8Array) =>
  series >= 0 && seriesHit[series] ? 1 : 0;

/** What the linear stage's pass over every item reads (see Ranker.rank). */
interface LinearPass {
  /** The catalog's vectors, interests and genre hits, where the dot-product kernel reads them. */
  arrays: ItemArrays;
  /** The linear vector features folded into one query vector, one interest and one genre-hit vector. */
  qv: Float32Array;
  qi: Float32Array;
  qg: Float32Array;
  blocked: Uint8Array;
  perRequest: number;
  perItem: Float64Array;
  popularity: Float32Array;
  wSeededPopularity: number;
  comention: Float32Array;
  wComention: number;
  movielens: Float32Array;
  wMovielens: number;
  year: Float32Array;
  meanYear: number;
  yearScores: Float64Array | undefined;
  firstYear: number;
  wYear: number;
  peopleSums: Float64Array | undefined;
  wPeople: number;
  series: Int32Array;
  seriesHit: Uint8Array;
  wSeries: number;
  scoreOffset: Float32Array | undefined;
}

/**
 * Σ weight · feature of each row of `only` that is not blocked, into `scores`; the rows go into `candidates`
 * and their count is returned. The vector and label dot products come from the SIMD kernel
 * (ItemArrays.linear); the rest is added here. A function of its own, on locals only (in rank(), captured by
 * closures, they were slower to read).
 */
function linearScores(
  p: LinearPass,
  scores: Float32Array,
  candidates: Int32Array,
  only: Int32Array,
): number {
  const { arrays, qv, qi, qg, blocked } = p;
  const { perRequest, perItem, popularity, wSeededPopularity } = p;
  const { comention, wComention, movielens, wMovielens } = p;
  const { year, meanYear, yearScores, firstYear, wYear, peopleSums, wPeople } = p;
  const { series, seriesHit, wSeries, scoreOffset } = p;
  const hasYear = !Number.isNaN(meanYear);
  const rows = arrays.rows;
  let count = 0;
  let next = 0;
  while (next < only.length) {
    let batch = 0;
    for (; next < only.length && batch < arrays.linearBatch; next++) {
      const row = only[next]!;
      if (!blocked[row]) rows[batch++] = row;
    }
    const sums = arrays.linear(batch, qv, qi, qg);
    for (let i = 0; i < batch; i++) {
      const row = rows[i]!;
      let s =
        perRequest +
        sums[2 * i]! +
        sums[2 * i + 1]! +
        perItem[row]! +
        wSeededPopularity * popularity[row]! +
        wComention * comention[row]! +
        wMovielens * movielens[row]!;
      const y = year[row]!;
      if (hasYear && y === y)
        s += wYear * (yearScores ? yearScores[y - firstYear]! : yearMatch(y, meanYear));
      if (peopleSums) {
        const sum = peopleSums[row]!;
        if (sum > 0) s += wPeople * peopleShared(sum);
      }
      s += wSeries * seriesShared(series[row]!, seriesHit);
      if (scoreOffset) s += scoreOffset[row]!;
      scores[row] = s;
      candidates[count++] = row;
    }
  }
  return count;
}

function wholeYears(year: Float32Array): { first: number; count: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const y of year) {
    if (Number.isNaN(y)) continue;
    if (!Number.isInteger(y)) return { first: 0, count: 0 };
    first = Math.min(first, y);
    last = Math.max(last, y);
  }
  return first > last ? { first: 0, count: 0 } : { first, count: last - first + 1 };
}

function rowsOfPerson(facets: ItemFacets): { start: Int32Array; rows: Int32Array } {
  const { personStart, personIds, personCount } = facets;
  const start = new Int32Array(personCount + 1);
  for (const p of personIds) start[p + 1]!++;
  for (let p = 0; p < personCount; p++) start[p + 1]! += start[p]!;
  const rows = new Int32Array(personIds.length);
  const next = start.slice(0, personCount);
  for (let row = 0; row + 1 < personStart.length; row++)
    for (let k = personStart[row]!; k < personStart[row + 1]!; k++)
      rows[next[personIds[k]!]!++] = row;
  return { start, rows };
}

function unit(v: Float32Array | undefined): Float32Array | undefined {
  if (!v) return undefined;
  const n = norm(v);
  return n < 1e-9 ? undefined : v.map((x) => x / n);
}

export class Ranker implements IndexedRows {
  readonly facets: ItemFacets;
  /** The rows of each title key id several items share. */
  private readonly rowsByTitle: Map<number, number[]>;
  /** Rows of each category (constraints and boosts without a pass over every item's categories). */
  private readonly categoryRows: CategoryRows;
  /** What the vector index's year and category filters admit. */
  readonly rowFilters: RowFilters;
  /** Writers by name key: asked for by name ("written by Aaron Sorkin"), outside the people feature. */
  private readonly rowsByRequestOnlyPerson: Map<string, number[]>;
  private readonly neighbourRowCache = new Map<string, NeighbourRows>();
  private readonly rescorer: MlpKernel | undefined;
  private readonly movielensPopularity: Float32Array;
  private readonly tmdbPopularity: Float32Array;
  private readonly recency: Float32Array;
  /** Each item's score terms that depend on nothing but the item and the weights (popularity, recency). */
  private readonly perItem: Float64Array;
  /** The whole years the catalog spans (count 0 when an item's year is fractional): yearScores' table. */
  private readonly years: { first: number; count: number };
  /** Rows of person p: rows[start[p] .. start[p + 1]) (the facets' item-to-people lists turned round). */
  private readonly rowsOfPerson: { start: Int32Array; rows: Int32Array };
  /** NEWEST_BOOST per row (newnessOf), worked out the first time the newest are asked for. */
  private newness: Float32Array | undefined;
  /** Rows of each series, by series id (built the first time the vector index asks). */
  private seriesRows: Map<number, number[]> | undefined;
  private newestYear: number | undefined;
  /** 0 .. n - 1: the rows of the exact pass. */
  private allRows: Int32Array | undefined;
  /** Every row's co-mention and MovieLens scores when no seed has neighbours: zeros, never written. */
  private zeroNeighbourScores: Float32Array | undefined;
  private readonly rowArrays: RowArrayPool;

  constructor(
    readonly catalog: Catalog,
    readonly neighbours: Neighbours,
    readonly model: RankerModel,
    /** Another ranker's facets of the same catalog (withModel, withNeighbours). */
    facets?: ItemFacets,
    /** Studios and series a message can name (src/recommend/collections.ts); none without. */
    readonly collections?: Collections,
    /** Tags and keywords a message's mood words are matched to (src/recommend/attributes.ts); none without. */
    readonly attributes?: Attributes,
  ) {
    this.facets = facets ?? itemFacets(catalog);
    fillGenreHits(catalog);
    this.rowsByTitle = sharedTitles(catalog);
    // A category cell naming several people ("leo tolstoy, louise maude": goodbooks' authors) also counts
    // under each of them, so a request or exclusion by one name finds it.
    this.categoryRows = new CategoryRows(
      catalog.items.map((item) => categoryKeys(item.categories)),
    );
    this.rowFilters = new RowFilters(this.facets.year, this.categoryRows);
    this.rowsByRequestOnlyPerson = groupRows(
      catalog.items.map((item) => itemPeople(item.extra, REQUEST_ONLY_FIELDS)),
    );
    this.rescorer = model.mlp ? compileMlp(model.mlp) : undefined;
    this.movielensPopularity = Float32Array.from(
      catalog.items,
      (item) => model.priors.movielens.get(item.id) ?? 0,
    );
    this.tmdbPopularity = Float32Array.from(
      catalog.items,
      (item) => model.priors.tmdb.get(item.id) ?? 0,
    );
    this.recency = Float32Array.from(this.facets.year, recencyOf);
    const w = model.weights;
    this.perItem = Float64Array.from(this.recency, (r, row) => {
      return (
        w.popularity * catalog.popularity[row]! +
        w.movielensPopularity * this.movielensPopularity[row]! +
        w.tmdbPopularity * this.tmdbPopularity[row]! +
        w.recency * r +
        w.recencySquared * r * r
      );
    });
    this.years = wholeYears(this.facets.year);
    this.rowsOfPerson = rowsOfPerson(this.facets);
    this.rowArrays = new RowArrayPool(catalog.size);
  }

  /** The same ranker with other weights (ablations, hand weights). */
  withModel(model: RankerModel): Ranker {
    return new Ranker(
      this.catalog,
      this.neighbours,
      model,
      this.facets,
      this.collections,
      this.attributes,
    );
  }

  /** The same ranker over other neighbours (training: a dialogue's own co-mentions left out). */
  withNeighbours(neighbours: Neighbours): Ranker {
    return new Ranker(
      this.catalog,
      neighbours,
      this.model,
      this.facets,
      this.collections,
      this.attributes,
    );
  }

  /** An item's neighbours as catalog rows, resolved once per item (the lookup is on every turn's path). */
  private neighbourRows(id: string): NeighbourRows {
    let out = this.neighbourRowCache.get(id);
    if (!out) {
      const entries = this.neighbours.of(id).flatMap((e) => {
        const row = this.catalog.row(e.id);
        return row === undefined ? [] : [{ row, e }];
      });
      out = {
        rows: Int32Array.from(entries, ({ row }) => row),
        comention: Float64Array.from(entries, ({ e }) => e.comention),
        movielens: Float64Array.from(entries, ({ e }) => e.movielens),
      };
      this.neighbourRowCache.set(id, out);
    }
    return out;
  }

  /** Adds to the score offset the boosts of the categories and people asked for, and the shown items' penalty. */
  private addAsked(
    included: readonly string[],
    requested: readonly string[],
    shown: readonly string[],
    people: readonly string[],
    scope: Int32Array | undefined,
    arrays: RowArrays,
    offsetOf: Offset,
  ): void {
    if (included.length + requested.length + shown.length + people.length === 0) return;
    const offset = offsetOf();
    const add = (categories: readonly string[], value: number) =>
      this.categoryRows.forEachRowOf(categories, (row) => (offset[row]! += value), scope);
    add(included, INCLUDE_CATEGORY_BOOST);
    add(
      requested.flatMap((c) => [c, ...(REQUEST_ALSO_MEANS[c] ?? [])]),
      REQUESTED_CATEGORY_BOOST,
    );
    // "a horror comedy": several categories asked for at once, the films that are all of them come first.
    if (requested.length > 1) {
      // Per row, how many of the requested categories (or what each also means) it is in.
      const inCount = arrays.bytes();
      const inAny: number[] = [];
      for (const c of requested)
        this.categoryRows.forEachRowOf(
          [c, ...(REQUEST_ALSO_MEANS[c] ?? [])],
          (row) => {
            if (inCount[row]!++ === 0) inAny.push(row);
          },
          scope,
        );
      for (const row of inAny.sort((a, b) => a - b))
        if (inCount[row] === requested.length) offset[row]! += ALL_REQUESTED_BOOST;
    }
    if (people.length) {
      const { personIdOf } = this.facets;
      const { start, rows } = this.rowsOfPerson;
      const boosted = arrays.bytes();
      const boostedRows: number[] = [];
      for (const p of new Set(people.map((name) => personIdOf.get(name)))) {
        if (p === undefined) continue;
        for (let k = start[p]!; k < start[p + 1]!; k++) {
          const row = rows[k]!;
          if (boosted[row]) continue;
          offset[row]! += REQUESTED_PERSON_BOOST;
          boosted[row] = 1;
          boostedRows.push(row);
        }
      }
      // A writer asked for has no shared-people feature to add (writers are left out of it: see
      // REQUEST_ONLY_FIELDS), so the boost counts twice in its stead.
      for (const row of people.flatMap((p) => this.rowsByRequestOnlyPerson.get(p) ?? []))
        if (!boosted[row]) {
          offset[row]! += 2 * REQUESTED_PERSON_BOOST;
          boosted[row] = 1;
          boostedRows.push(row);
        }
      // And they lead whatever the profile leans to: a profile of one author (goodbooks' labels are authors)
      // had outscored the boost, and "ok now Isaac Asimov" gave Nora Roberts again.
      for (const row of boostedRows) offset[row]! += REQUESTED_PERSON_LEAD;
    }
    for (const id of shown) {
      const row = this.catalog.row(id);
      if (row !== undefined) offset[row]! -= SHOWN_PENALTY;
    }
  }

  /** The items this request may not offer by name: those the profile excludes, their twins, the anchor. */
  private blockedItems(req: RankRequest, arrays: RowArrays): Uint8Array {
    const { catalog } = this;
    const { profile } = req;
    const blocked = arrays.bytes();
    // The same film twice in a catalog (with and without a year) must not sneak a mentioned item back in.
    // A title the person named or rejected blocks every film of that title: offering "It" (1990) to someone
    // who just said they loved "It" (2017) reads as not having understood. A film only marked seen keeps
    // its remakes.
    const wholeTitle = new Set([...profile.disliked, ...profile.mentioned]);
    for (const id of excludedItems(profile)) {
      const row0 = catalog.row(id);
      if (row0 === undefined) continue;
      blocked[row0] = 1;
      for (const row of this.rowsByTitle.get(catalog.titles.keyIdOf(row0)) ?? [])
        if (wholeTitle.has(id) || this.sameFilm(row0, row)) blocked[row] = 1;
    }
    const anchorRow = req.anchorItemId !== undefined ? catalog.row(req.anchorItemId) : undefined;
    if (anchorRow !== undefined) blocked[anchorRow] = 1;
    return blocked;
  }

  /**
   * Blocks the rows outside the request's constraints (excluded and turned-down categories, years, the
   * longest runtime), of every row or of `scope`'s only (the vector index's candidates).
   */
  private blockConstraints(
    req: RankRequest,
    { blocked, avoidCategories }: Pick<Query, "blocked" | "avoidCategories">,
    scope: Int32Array | undefined,
  ): void {
    const { excludeCategories, minYear, maxYear } = req.profile.constraints;
    const block = (row: number) => (blocked[row] = 1);
    this.categoryRows.forEachRowOf([...excludeCategories, ...avoidCategories], block, scope);
    if (minYear !== undefined || maxYear !== undefined) {
      const { year } = this.facets; // NaN (unknown) fails both comparisons: blocked
      const lo = minYear ?? -Infinity,
        hi = maxYear ?? Infinity;
      for (const row of this.rowsIn(scope))
        if (!(year[row]! >= lo && year[row]! <= hi)) blocked[row] = 1;
    }
    // "not too long": like a year bound, only films known to keep it (NaN fails the comparison).
    const runtime = this.collections?.runtime;
    if (req.maxRuntime !== undefined && runtime)
      for (const row of this.rowsIn(scope))
        if (!(runtime[row]! <= req.maxRuntime)) blocked[row] = 1;
  }

  /**
   * The request's state; `later`: without the constraints' blocks and the score offsets, which the caller
   * works out for its rows (blockConstraints, offsets).
   */
  private query(req: RankRequest, deferred?: "later"): Query {
    const { catalog } = this;
    const { profile } = req;
    const rowsOf = (ids: readonly string[]) =>
      ids.flatMap((id) => {
        const row = catalog.row(id);
        return row === undefined ? [] : [{ id, row }];
      });
    const centroid = (items: Array<{ row: number }>) => {
      if (items.length === 0) return undefined;
      const c = new Float32Array(catalog.dim);
      items.forEach(({ row }, i) => {
        const w = Math.pow(RECENCY, items.length - 1 - i);
        const off = row * catalog.dim;
        for (let d = 0; d < catalog.dim; d++) c[d]! += w * catalog.vectors[off + d]!;
      });
      return unit(c);
    };
    const disliked = new Set(profile.disliked);
    const mentionedRows = rowsOf(profile.mentioned.slice(-RECENT_ITEMS));
    const likedRows = rowsOf(profile.liked.slice(-RECENT_ITEMS));
    // Seeds: what the person brought up or liked, most recent last; a disliked mention seeds nothing.
    const seedIds = [
      ...new Set([...profile.mentioned, ...profile.liked].filter((id) => !disliked.has(id))),
    ];
    const seeds = rowsOf(seedIds.slice(-RECENT_SEEDS));

    const { facets } = this;
    const L = catalog.labels.length;
    const arrays = this.rowArrays.lease();
    // Taken only when a seed has neighbours: zeroing two arrays of every row costs a large catalog ms.
    let neighbourScores: { comention: Float32Array; movielens: Float32Array } | undefined;
    const best = new Map<number, { id: string; count: number }>();
    const personWeight = new Float32Array(facets.personCount);
    const seriesHit = new Uint8Array(facets.seriesCount);
    const seedGenres = new Float32Array(L);
    const genreRow = new Float32Array(L);
    const seedNeighbours: Int32Array[] = [];
    const weighted = new Set<number>();
    let yearSum = 0;
    let years = 0;
    seeds.forEach(({ id, row }, i) => {
      const w = Math.pow(RECENCY, seeds.length - 1 - i);
      const nb = this.neighbourRows(id);
      seedNeighbours.push(nb.rows);
      if (nb.rows.length)
        neighbourScores ??= { comention: arrays.float32(), movielens: arrays.float32() };
      const { comention, movielens } = neighbourScores ?? this.noNeighbours();
      for (let k = 0; k < nb.rows.length; k++) {
        const r = nb.rows[k]!;
        comention[r]! += w * nb.comention[k]!;
        movielens[r]! += w * nb.movielens[k]!;
        if (nb.comention[k]! > (best.get(r)?.count ?? 0))
          best.set(r, { id, count: nb.comention[k]! });
      }
      for (let p = facets.personStart[row]!; p < facets.personStart[row + 1]!; p++) {
        personWeight[facets.personIds[p]!]! += w;
        weighted.add(facets.personIds[p]!);
      }
      if (facets.series[row]! >= 0) seriesHit[facets.series[row]!] = 1;
      if (!Number.isNaN(facets.year[row]!)) {
        yearSum += facets.year[row]!;
        years++;
      }
      catalog.arrays.genreHitsOf(row, genreRow);
      for (let l = 0; l < L; l++) seedGenres[l]! += w * genreRow[l]!;
    });
    // The rows with a co-mention are those `best` names a seed for: each is taken to its log once.
    if (neighbourScores) {
      const { comention } = neighbourScores;
      for (const row of best.keys()) comention[row] = Math.log1p(comention[row]!);
    }
    // A person they named ("anything with Keanu Reeves") counts like a seed film of theirs.
    const named = profile.people.slice(-RECENT_SEEDS);
    named.forEach((name, i) => {
      const id = facets.personIdOf.get(name);
      if (id === undefined) return;
      personWeight[id]! += Math.pow(RECENCY, named.length - 1 - i);
      weighted.add(id);
    });
    const genreSum = seedGenres.reduce((a, b) => a + b, 0);
    if (genreSum > 0) for (let l = 0; l < L; l++) seedGenres[l]! /= genreSum;
    const negSum = profile.negative.reduce((a, b) => a + b, 0);
    const anchorRow = req.anchorItemId !== undefined ? catalog.row(req.anchorItemId) : undefined;
    const moods = this.withAttributes(req, this.blockedItems(req, arrays));
    const q: Query = {
      blocked: moods.blocked,
      msg: unit(req.message ?? (anchorRow !== undefined ? catalog.vector(anchorRow) : undefined)),
      short: unit(profile.shortVec),
      long: unit(profile.longVec),
      mentioned: centroid(mentionedRows),
      liked: centroid(likedRows),
      neg: unit(profile.negVec),
      interests: blendedInterests(profile),
      messageInterests:
        req.message && req.messageInterests
          ? req.messageInterests
          : anchorRow !== undefined
            ? catalog.interestRow(anchorRow)
            : new Float32Array(L),
      seedGenres,
      negInterests:
        negSum > 0
          ? profile.negative.map((v) => v / negSum)
          : new Float32Array(profile.negative.length),
      ...(neighbourScores ?? this.noNeighbours()),
      seeded: seeds.length > 0 ? 1 : 0,
      seedCount: Math.log1p(seeds.length),
      turns: Math.log1p(profile.seq),
      neighbourOf: best,
      personWeight,
      weightedPeople: [...weighted].filter((p) => personWeight[p] !== 0).sort((a, b) => a - b),
      seriesHit,
      meanYear: years ? yearSum / years : Number.NaN,
      scoreOffset: undefined,
      collectionOf: this.collectionsOf(req.collections),
      critique: this.critiqueOf(req.critique, profile.lastList),
      likedRows,
      attributeOf: moods.attributeOf,
      moodCategories: moods.moodCategories,
      avoidCategories: moods.avoidCategories,
      seedNeighbours,
      arrays,
    };
    if (deferred !== "later") {
      this.blockConstraints(req, q, undefined);
      q.scoreOffset = this.offsets(req, q, undefined);
    }
    return q;
  }

  /**
   * The request's score offsets (categories, people and studios asked for, moods, the newest, a critique,
   * items shown before), of every row, or of the rows of `scope` only (the vector index's candidates).
   */
  private offsets(
    req: RankRequest,
    q: Query,
    scope: Int32Array | undefined,
  ): Float32Array | undefined {
    const { profile } = req;
    let out: Float32Array | undefined;
    const offset = () => (out ??= q.arrays.float32());
    this.addAsked(
      profile.constraints.includeCategories,
      req.requested ?? [],
      profile.shown,
      req.requestedPeople ?? [],
      scope,
      q.arrays,
      offset,
    );
    if (req.newest === true) this.addNewest(offset, scope);
    this.addMoods(q, offset, scope);
    this.addCollections(q.collectionOf, offset);
    this.addCritique(q.critique, offset, scope);
    return out;
  }

  /**
   * Rows the message's turned-down words match blocked ("nothing bloody or violent"), and the rows its mood
   * words match ("something twisty"), which get MOOD_BOOST in the score offset (see query).
   */
  private withAttributes(
    req: RankRequest,
    blocked: Uint8Array,
  ): {
    blocked: Uint8Array;
    attributeOf: AttributeMatches;
    moodCategories: string[];
    avoidCategories: string[];
  } {
    const { attributes } = this;
    if (!attributes)
      return {
        blocked,
        attributeOf: AttributeMatches.none,
        moodCategories: [],
        avoidCategories: [],
      };
    const requested = new Set(req.requested ?? []);
    const avoidCategories: string[] = [];
    if (req.avoidText) {
      for (const row of attributes.match(req.avoidText).rows) blocked[row] = 1;
      for (const c of attributes.characteristicOf(req.avoidText))
        if (!requested.has(c)) avoidCategories.push(c);
    }
    const attributeOf = req.moodText ? attributes.match(req.moodText) : AttributeMatches.none;
    const moodCategories = req.moodText ? attributes.characteristicOf(req.moodText) : [];
    return { blocked, attributeOf, moodCategories, avoidCategories };
  }

  /** A row's year or runtime; NaN when unknown. */
  private valueOf(critique: Critique, row: number): number {
    if (critique.field === "year") return this.facets.year[row]!;
    if (critique.field === "reading")
      return critique.interests
        ? dot(critique.interests, this.catalog.interestRow(row))
        : Number.NaN;
    return this.collections?.runtime[row] ?? Number.NaN;
  }

  /** The critique of the last list with that list's mean and its item furthest the other way; undefined without one. */
  private critiqueOf(
    critique: Critique | undefined,
    lastList: readonly string[],
  ): Query["critique"] {
    if (!critique) return undefined;
    const known = lastList
      .map((id) => this.catalog.row(id))
      .filter((row) => row !== undefined)
      .map((row) => ({ row, v: this.valueOf(critique, row) }))
      .filter(({ v }) => !Number.isNaN(v));
    if (known.length === 0) return undefined;
    const mean = known.reduce((a, { v }) => a + v, 0) / known.length;
    // The last list's film furthest the other way: "less violent than Saw".
    const sign0 = critique.dir === "lower" ? 1 : -1;
    const most = known.reduce((a, b) => (sign0 * b.v > sign0 * a.v ? b : a));
    return { ...critique, mean, than: this.catalog.items[most.row]!.title };
  }

  /**
   * "older", "shorter": items beyond the last list's mean in that direction get CRITIQUE_BOOST; the further
   * the more, up to twice that at one spread (15 years, 30 minutes) beyond.
   */
  private addCritique(
    critique: Query["critique"],
    offset: Offset,
    scope: Int32Array | undefined,
  ): void {
    if (!critique) return;
    const spread = critiqueSpread(critique);
    const sign = critique.dir === "lower" ? -1 : 1;
    const out = offset();
    for (const row of this.rowsIn(scope)) {
      const beyond = (sign * (this.valueOf(critique, row) - critique.mean)) / spread;
      if (beyond > 0) out[row]! += CRITIQUE_BOOST * (1 + Math.min(1, beyond));
    }
  }

  /**
   * Adds to the score offset NEWEST_BOOST scaled by how new each row is among the catalog's dated rows: 0 up to
   * the median year, rising to the full boost for the newest (squared, so the last years stand out).
   */
  private addNewest(offset: Offset, scope: Int32Array | undefined): void {
    const newness = (this.newness ??= newnessOf(this.facets.year));
    const out = offset();
    for (const row of this.rowsIn(scope)) out[row]! += newness[row]!;
  }

  /** Adds MOOD_BOOST to the score offset of the rows the message's mood words match. */
  private addMoods(
    {
      attributeOf,
      moodCategories,
    }: { attributeOf: AttributeMatches; moodCategories: readonly string[] },
    offset: Offset,
    scope: Int32Array | undefined,
  ): void {
    if (attributeOf.size === 0) return;
    const out = offset();
    for (const row of attributeOf.rows) out[row]! += MOOD_BOOST;
    // The films the data has no such words for: those of the category the matched ones characterise.
    this.categoryRows.forEachRowOf(
      moodCategories,
      (row) => {
        if (!attributeOf.has(row)) out[row]! += MOOD_CATEGORY_BOOST;
      },
      scope,
    );
  }

  /** The rows of the studios and series asked for, each with the first name that holds it. */
  private collectionsOf(names: readonly string[] | undefined): Map<number, string> {
    const collectionOf = new Map<number, string>();
    for (const name of names ?? []) {
      const found = this.collections?.named(name);
      for (const row of found?.rows ?? [])
        if (!collectionOf.has(row)) collectionOf.set(row, found!.name);
    }
    return collectionOf;
  }

  /** Adds the boost of the studios and series asked for to the score offset. */
  private addCollections(collectionOf: ReadonlyMap<number, string>, offset: Offset): void {
    if (collectionOf.size === 0) return;
    const out = offset();
    for (const row of collectionOf.keys()) out[row]! += REQUESTED_COLLECTION_BOOST;
  }

  /**
   * Writes the FEATURE_NAMES values of each of `rows` into out[i * FEATURE_COUNT ..]. The dot products come
   * from the SIMD kernel (ItemArrays.dots), a batch of rows at a time.
   */
  private featureRows(q: Query, rows: ArrayLike<number>, out: Float32Array): void {
    const { catalog, facets } = this;
    const { arrays } = catalog;
    const vectorQueries = [q.msg, q.short, q.long, q.mentioned, q.liked, q.neg];
    const groups = [
      ["vectors", vectorQueries],
      ["interests", [q.interests, q.messageInterests, q.negInterests]],
      ["genreHits", [q.interests, q.messageInterests, q.seedGenres]],
    ] as const;
    const columns = groups.reduce((n, [, queries]) => n + queries.length, 0);
    for (let from = 0; from < rows.length; from += arrays.batch) {
      const count = Math.min(arrays.batch, rows.length - from);
      for (let i = 0; i < count; i++) arrays.rows[i] = rows[from + i]!;
      const products = arrays.dots(count, groups);
      for (let i = 0; i < count; i++) {
        const row = rows[from + i]!;
        const p = i * columns;
        const o = (from + i) * FEATURE_COUNT;
        out[o + F.message] = products[p]!;
        out[o + F.short] = products[p + 1]!;
        out[o + F.long] = products[p + 2]!;
        out[o + F.mentioned] = products[p + 3]!;
        out[o + F.liked] = products[p + 4]!;
        out[o + F.interest] = products[p + 6]!;
        out[o + F.messageInterest] = products[p + 7]!;
        out[o + F.genreHit] = products[p + 9]!;
        out[o + F.messageGenreHit] = products[p + 10]!;
        out[o + F.seedGenreHit] = products[p + 11]!;
        out[o + F.negative] = products[p + 8]! + products[p + 5]!;
        out[o + F.comention] = q.comention[row]!;
        out[o + F.movielens] = q.movielens[row]!;
        out[o + F.popularity] = catalog.popularity[row]!;
        out[o + F.seededPopularity] = q.seeded * catalog.popularity[row]!;
        out[o + F.movielensPopularity] = this.movielensPopularity[row]!;
        out[o + F.tmdbPopularity] = this.tmdbPopularity[row]!;
        out[o + F.recency] = this.recency[row]!;
        out[o + F.recencySquared] = this.recency[row]! * this.recency[row]!;
        const year = facets.year[row]!;
        out[o + F.yearMatch] =
          Number.isNaN(year) || Number.isNaN(q.meanYear) ? 0 : yearMatch(year, q.meanYear);
        out[o + F.people] = peopleShared(personWeightSum(facets, q.personWeight, row));
        out[o + F.series] = seriesShared(facets.series[row]!, q.seriesHit);
        out[o + F.seedCount] = q.seedCount;
        out[o + F.turns] = q.turns;
      }
    }
  }

  /** One item's features and score for this request ("why?"), without ranking the catalog; undefined when it may not be offered. */
  explainRow(req: RankRequest, row: number): RankedItem | undefined {
    const q = this.query(req);
    try {
      return q.blocked[row] ? undefined : this.scoreRow(q, row);
    } finally {
      q.arrays.release();
    }
  }

  /** One item's features and score for this request, even one it would not offer now (a list shown again). */
  featuresOf(req: RankRequest, row: number): RankedItem {
    const q = this.query(req);
    try {
      return this.scoreRow(q, row);
    } finally {
      q.arrays.release();
    }
  }

  private scoreRow(q: Query, row: number): RankedItem {
    const x = new Float32Array(FEATURE_COUNT);
    this.featureRows(q, [row], x);
    const score =
      (this.rescorer
        ? this.rescorer.score(x)
        : FEATURE_NAMES.reduce((s, name, f) => s + this.model.weights[name] * x[f]!, 0)) +
      (q.scoreOffset?.[row] ?? 0);
    return this.ranked(q, [row], [score], x)[0]!;
  }

  /**
   * The most popular items that may be offered, those not shown before first: the list for a message that was
   * not understood, which claims nothing about the person (their filters and exclusions still hold).
   */
  popular(req: RankRequest): RankedItem[] {
    // The most popular rows first, as many as the list may need: not a pass over every row's constraints.
    const q = this.query(req, "later");
    try {
      const shown = new Set(
        req.profile.shown.map((id) => this.catalog.row(id)).filter((r) => r !== undefined),
      );
      const { popularity, size } = this.catalog;
      const want = req.limit + MMR_POOL;
      // Popularity is at most 1 and a shown item loses SHOWN_PENALTY: every fresh one comes first.
      let fresh: number[] = [];
      let shownAgain: number[] = [];
      for (let reach = POPULAR_REACH * want; ; reach *= POPULAR_REACH) {
        const order = topRows(this.rowsIn(undefined), popularity, reach);
        this.blockConstraints(req, q, Int32Array.from(order).sort());
        [fresh, shownAgain] = [[], []];
        for (const row of order) {
          if (q.blocked[row]) continue;
          (shown.has(row) ? shownAgain : fresh).push(row);
          if (fresh.length === want) break;
        }
        if (fresh.length === want || reach >= size) break;
      }
      const best = this.withoutTwins([...fresh, ...shownAgain].slice(0, want));
      const listed = best.slice(0, req.limit);
      return this.ranked(
        q,
        listed,
        listed.map((row) => popularity[row]! - (shown.has(row) ? SHOWN_PENALTY : 0)),
      );
    } finally {
      q.arrays.release();
    }
  }

  /** Feature values of every item that may be offered (for learning the weights). */
  featureMatrix(req: RankRequest): FeatureMatrix {
    const q = this.query(req);
    const rows: number[] = [];
    for (let row = 0; row < this.catalog.size; row++) if (!q.blocked[row]) rows.push(row);
    const values = this.featureValues(q, rows);
    q.arrays.release();
    return { rows: Int32Array.from(rows), values };
  }

  rank(req: RankRequest): RankedItem[] {
    const plan = this.plan(req);
    try {
      return this.finish(req, plan, this.score(plan));
    } finally {
      plan.q.arrays.release();
    }
  }

  /**
   * rank() for a large catalog: the linear stage scores only the rows the vector index and the request's own
   * rows (neighbours, people, series, names asked for) bring, instead of every row.
   */
  rankFrom(req: RankRequest, index: ItemIndex): RankedItem[] {
    const plan = this.plan(req, "later");
    try {
      const only = index.candidates(this.candidateSearch(req, plan));
      if (index.recall) index.recall.push(this.recallOf(req, plan, only, RECALL_AT));
      // The constraints and offsets of the candidates only: a category would otherwise visit all its items.
      this.blockConstraints(req, plan.q, only);
      plan.q.scoreOffset = plan.pass.scoreOffset = this.offsets(req, plan.q, only);
      return this.finish(req, plan, this.score(plan, only));
    } finally {
      plan.q.arrays.release();
    }
  }

  /** The request's query and the linear pass's inputs, before any row is scored. */
  private plan(req: RankRequest, deferred?: "later"): { q: Query; pass: LinearPass } {
    const { catalog } = this;
    const q = this.query(req, deferred);
    const w = this.model.weights;
    const { dim } = catalog;
    const L = catalog.labels.length;
    // Linear vector features folded into one query vector and one interest vector.
    const qv = new Float32Array(dim);
    const fold = (u: Float32Array | undefined, weight: number) => {
      if (u && weight !== 0) for (let d = 0; d < dim; d++) qv[d]! += weight * u[d]!;
    };
    fold(q.msg, w.message);
    fold(q.short, w.short);
    fold(q.long, w.long);
    fold(q.mentioned, w.mentioned);
    fold(q.liked, w.liked);
    fold(q.neg, w.negative);
    const qi = new Float32Array(L);
    const qg = new Float32Array(L);
    for (let l = 0; l < L; l++) {
      qi[l] =
        w.interest * q.interests[l]! +
        w.messageInterest * q.messageInterests[l]! +
        w.negative * q.negInterests[l]!;
      qg[l] =
        w.genreHit * q.interests[l]! +
        w.messageGenreHit * q.messageInterests[l]! +
        w.seedGenreHit * q.seedGenres[l]!;
    }
    const { year, series } = this.facets;
    const hasYear = !Number.isNaN(q.meanYear);
    const pass: LinearPass = {
      arrays: catalog.arrays,
      qv,
      qi,
      qg,
      blocked: q.blocked,
      // seedCount and turns are the same for every item: they cannot change the linear order, only the
      // re-scorer's (added anyway, so that a score is always Σ weight · feature).
      perRequest: w.seedCount * q.seedCount + w.turns * q.turns,
      perItem: this.perItem,
      popularity: catalog.popularity,
      wSeededPopularity: q.seeded * w.seededPopularity,
      comention: q.comention,
      wComention: w.comention,
      movielens: q.movielens,
      wMovielens: w.movielens,
      year,
      meanYear: q.meanYear,
      yearScores: hasYear ? this.yearScores(q.meanYear) : undefined,
      firstYear: this.years.first,
      wYear: w.yearMatch,
      peopleSums: w.people !== 0 && q.weightedPeople.length ? this.peopleSums(q) : undefined,
      wPeople: w.people,
      series,
      seriesHit: q.seriesHit,
      wSeries: w.series,
      scoreOffset: q.scoreOffset,
    };
    return { q, pass };
  }

  /** The linear pass over every row, or over `only`: the scores and the rows scored. */
  private score(
    { q, pass }: { q: Query; pass: LinearPass },
    only?: Int32Array,
  ): { scores: Float32Array; rows: Int32Array } {
    const scores = q.arrays.float32();
    const rows = this.rowsIn(only);
    const candidates = new Int32Array(rows.length);
    const count = linearScores(pass, scores, candidates, rows);
    return { scores, rows: candidates.subarray(0, count) };
  }

  /** The re-scorer over the linear stage's best, then MMR: the list. */
  private finish(
    req: RankRequest,
    { q }: { q: Query },
    { scores, rows }: { scores: Float32Array; rows: Int32Array },
  ): RankedItem[] {
    const mmrPool = Math.max(MMR_POOL, req.limit + MMR_POOL);
    let best = rows;
    if (this.rescorer) {
      const rescored = topRows(rows, scores, RESCORE_POOL);
      this.rescore(q, rescored, scores, this.rescorer);
      // The re-scored rows now lead the rest, so MMR's pool is among them (in row order, as ties break).
      if (rescored.length >= mmrPool) best = Int32Array.from(rescored).sort();
    }
    const picked = mmrRows(
      this.catalog,
      this.withoutTwins(topRows(best, scores, mmrPool)),
      scores,
      req.limit,
      req.mmrLambda,
    );
    return this.ranked(
      q,
      picked,
      picked.map((row) => scores[row]!),
    );
  }

  /** Width of a row's features in the vector index: vector, interests, genre hits, per-item terms, popularity. */
  get featureWidth(): number {
    return this.catalog.dim + 2 * this.catalog.labels.length + 2;
  }

  /**
   * Rows [from, to)'s linear features, row-major, as the vector index holds them: a row's dot product with
   * candidateSearch's query is its linear score without the request's own terms (neighbours, people, series,
   * year match, boosts), which bring their rows besides. Written into `into` when given.
   */
  linearFeatures(from: number, to: number, into?: Float32Array): Float32Array {
    const { dim, vectors, interests, popularity } = this.catalog;
    const L = this.catalog.labels.length;
    const width = this.featureWidth;
    const out = into?.subarray(0, (to - from) * width) ?? new Float32Array((to - from) * width);
    for (let row = from; row < to; row++) {
      const o = (row - from) * width;
      // Element by element: a subarray per row and field would be three objects a row.
      for (let d = 0, v = row * dim; d < dim; d++) out[o + d] = vectors[v + d]!;
      for (let l = 0, i = row * L; l < L; l++) out[o + dim + l] = interests[i + l]!;
      this.catalog.arrays.genreHitsOf(row, out, o + dim + L);
      out[o + dim + 2 * L] = this.perItem[row]!;
      out[o + dim + 2 * L + 1] = popularity[row]!;
    }
    return out;
  }

  /** out[i] = rows[i]'s linearFeatures · query for i < count, by the linear stage's kernel. */
  featureDots(query: Float32Array, rows: Int32Array, count: number, out: Float32Array): void {
    const { dim, arrays, popularity } = this.catalog;
    const L = this.catalog.labels.length;
    const { perItem } = this;
    const wPerItem = query[dim + 2 * L]!;
    const wPopularity = query[dim + 2 * L + 1]!;
    for (let from = 0; from < count; from += arrays.linearBatch) {
      const batch = Math.min(arrays.linearBatch, count - from);
      arrays.rows.set(rows.subarray(from, from + batch));
      const sums = arrays.linear(
        batch,
        query.subarray(0, dim),
        query.subarray(dim, dim + L),
        query.subarray(dim + L, dim + 2 * L),
      );
      for (let i = 0; i < batch; i++) {
        const row = rows[from + i]!;
        out[from + i] =
          sums[2 * i]! +
          sums[2 * i + 1]! +
          wPerItem * perItem[row]! +
          wPopularity * popularity[row]!;
      }
    }
  }

  /** Names the features linearFeatures gives: another catalog or other weights make another index. */
  featureStamp(): string {
    const hash = createHash("sha256");
    const bytes = (a: Float32Array | Float64Array) =>
      hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    bytes(this.catalog.vectors);
    bytes(this.catalog.interests);
    // The genre hits as the float rows they stood for before they were kept as masks: the same stamp.
    const L = this.catalog.labels.length;
    const genreRows = new Float32Array(STAMP_CHUNK * L);
    for (let from = 0; from < this.catalog.size; from += STAMP_CHUNK) {
      const to = Math.min(this.catalog.size, from + STAMP_CHUNK);
      for (let row = from; row < to; row++)
        this.catalog.arrays.genreHitsOf(row, genreRows, (row - from) * L);
      bytes(genreRows.subarray(0, (to - from) * L));
    }
    bytes(this.perItem);
    bytes(this.catalog.popularity);
    for (const item of this.catalog.items)
      hash.update(`${item.id}\t${item.year ?? ""}\t${categoryKeys(item.categories).join("|")}\n`);
    return hash.digest("hex").slice(0, 16);
  }

  /** What the vector index is asked for this request (see ItemIndex.candidates). */
  private candidateSearch(
    req: RankRequest,
    { q, pass }: { q: Query; pass: LinearPass },
  ): CandidateSearch {
    const { dim, labels } = this.catalog;
    const L = labels.length;
    const query = new Float32Array(this.featureWidth);
    query.set(pass.qv, 0);
    query.set(pass.qi, dim);
    query.set(pass.qg, dim + L);
    query[dim + 2 * L] = 1;
    query[dim + 2 * L + 1] = pass.wSeededPopularity;
    const { excludeCategories, includeCategories, minYear, maxYear } = req.profile.constraints;
    const filter: RowFilter | undefined =
      minYear === undefined &&
      maxYear === undefined &&
      !excludeCategories.length &&
      !q.avoidCategories.length
        ? undefined
        : {
            fromYear: minYear !== undefined ? Math.ceil(minYear) : undefined,
            beforeYear: maxYear !== undefined ? Math.floor(maxYear) + 1 : undefined,
            anyOf: [],
            noneOf: [...excludeCategories, ...q.avoidCategories],
          };
    const within = filter ?? { anyOf: [], noneOf: [] };
    // A category boost is a genre hit's: the query weighs those hits more, so the search finds the rows the
    // boosts lift. A boosted category that is no label (an author on a books catalog) needs a search of its own.
    const requested = (req.requested ?? []).flatMap((c) => [c, ...(REQUEST_ALSO_MEANS[c] ?? [])]);
    const unfolded: string[] = [];
    const foldBoost = (categories: readonly string[], boost: number, searchOthers: boolean) => {
      for (const c of categories) {
        const l = labels.indexOf(c);
        if (l >= 0) query[dim + L + l]! += boost;
        else if (searchOthers) unfolded.push(c);
      }
    };
    foldBoost(requested, REQUESTED_CATEGORY_BOOST, true);
    foldBoost(includeCategories, INCLUDE_CATEGORY_BOOST, false); // too small to need a search
    // The rows the mood words match are searched with the query before the mood categories' boost, which
    // is for the rows they do not match.
    const moodQuery = q.attributeOf.size ? query.slice() : undefined;
    foldBoost(q.moodCategories, MOOD_CATEGORY_BOOST, true);
    // Boosts by year are no feature: more searches among the rows they lift, within the constraints and the
    // categories asked for. "older" grows with the distance from the last list's mean, so each band of it.
    const critique = q.critique?.field === "year" ? q.critique : undefined;
    const yearBoosts: Array<Partial<RowFilter>> = [
      ...(critique ? yearBands(critique) : []),
      ...(req.newest ? [{ fromYear: this.newestFrom() }] : []),
    ];
    const categories = requested.length ? [requested] : [];
    // And the rows of every category asked for, which lead ("funny animated movies": comedy and animation).
    const all = (req.requested ?? []).map((c) => [c, ...(REQUEST_ALSO_MEANS[c] ?? [])]);
    const boosted = [
      ...(all.length ? [bothFilters(within, { anyOf: all })] : []),
      ...yearBoosts.map((band) => bothFilters(bothFilters(within, { anyOf: categories }), band)),
      ...(unfolded.length ? [bothFilters(within, { anyOf: [unfolded] })] : []),
    ];
    const searches = [filter, ...boosted].map((f) => ({ query, filter: f }));
    // The best of the rows the mood words match, which their boost lifts (they can be a great many).
    if (moodQuery)
      searches.push({ query: moodQuery, filter: { ...within, among: q.attributeOf.rows } });
    return { searches, rows: this.requestRows(req, q) };
  }

  /** The rows this request's own terms reach: seeds' neighbours, people, series and names asked for. */
  private requestRows(req: RankRequest, q: Query): number[] {
    const out: number[] = [];
    const add = (rows: ArrayLike<number>) => {
      for (let k = 0; k < rows.length; k++) out.push(rows[k]!);
    };
    for (const rows of q.seedNeighbours) add(rows);
    const { start, rows } = this.rowsOfPerson;
    const personRows = (p: number) => add(rows.subarray(start[p]!, start[p + 1]!));
    for (const p of q.weightedPeople) personRows(p);
    for (const name of req.requestedPeople ?? []) {
      const p = this.facets.personIdOf.get(name);
      if (p !== undefined) personRows(p);
      add(this.rowsByRequestOnlyPerson.get(name) ?? []);
    }
    const seriesRows = (this.seriesRows ??= groupRows(
      Array.from(this.facets.series, (s) => (s >= 0 ? [s] : [])),
    ));
    q.seriesHit.forEach((hit, s) => hit && add(seriesRows.get(s) ?? []));
    add([...q.collectionOf.keys()]);
    return out;
  }

  /** The share of the exact linear stage's best `k` rows that are among `only` (the bench's recall). */
  private recallOf(
    req: RankRequest,
    { q, pass }: { q: Query; pass: LinearPass },
    only: Int32Array,
    k: number,
  ): number {
    const blocked = q.blocked.slice();
    this.blockConstraints(req, { blocked, avoidCategories: q.avoidCategories }, undefined);
    const exact = { ...pass, blocked, scoreOffset: this.offsets(req, q, undefined) };
    const { scores, rows } = this.score({ q, pass: exact });
    const best = topRows(rows, scores, k);
    const got = new Set(only);
    return best.length ? best.filter((row) => got.has(row)).length / best.length : 1;
  }

  /** The first year NEWEST_BOOST lifts (newnessOf is 0 up to the median year). */
  private newestFrom(): number {
    if (this.newestYear === undefined) {
      const newness = (this.newness ??= newnessOf(this.facets.year));
      let first = Infinity;
      newness.forEach((v, row) => {
        if (v > 0) first = Math.min(first, this.facets.year[row]!);
      });
      this.newestYear = Number.isFinite(first) ? first : 0;
    }
    return this.newestYear;
  }

  private noNeighbours(): { comention: Float32Array; movielens: Float32Array } {
    const zeros = (this.zeroNeighbourScores ??= new Float32Array(this.catalog.size));
    return { comention: zeros, movielens: zeros };
  }

  /** The rows of `scope`, or every row. */
  private rowsIn(scope: Int32Array | undefined): Int32Array {
    return (
      scope ?? (this.allRows ??= Int32Array.from({ length: this.catalog.size }, (_, row) => row))
    );
  }

  /** yearMatch of each whole year the catalog spans, once per request; undefined when a year is fractional. */
  private yearScores(meanYear: number): Float64Array | undefined {
    const { first, count } = this.years;
    if (count === 0) return undefined;
    const table = new Float64Array(count);
    for (let i = 0; i < count; i++) table[i] = yearMatch(first + i, meanYear);
    return table;
  }

  /** personWeightSum of every row, from the people who have weight (a few) rather than from every row. */
  private peopleSums({ personWeight, weightedPeople, arrays }: Query): Float64Array {
    const sums = arrays.float64();
    const { start, rows } = this.rowsOfPerson;
    for (const p of weightedPeople) {
      const weight = personWeight[p]!;
      for (let k = start[p]!; k < start[p + 1]!; k++) sums[rows[k]!]! += weight;
    }
    return sums;
  }

  /**
   * The pool without a second entry of the same film: the catalog holds some films twice ("The Conjuring"
   * with and without its year), and a list must not offer one film in two slots. The better-scored entry
   * stays; a remake (same title, another known year) is another film and stays too.
   */
  private withoutTwins(pool: number[]): number[] {
    const { titles } = this.catalog;
    const kept = new Map<number, number[]>(); // title key id -> rows kept
    return pool.filter((row) => {
      const key = titles.keyIdOf(row);
      const rows = kept.get(key);
      if (!rows) {
        kept.set(key, [row]);
        return true;
      }
      if (rows.some((other) => this.sameFilm(other, row))) return false;
      rows.push(row);
      return true;
    });
  }

  /** Two rows of one title key are one film unless both years are known and differ (a remake). */
  private sameFilm(a: number, b: number): boolean {
    const { year } = this.facets; // NaN: unknown
    return Number.isNaN(year[a]!) || Number.isNaN(year[b]!) || year[a] === year[b];
  }

  /**
   * Second stage: the linear stage's best `pool` rows get the re-scorer's score, lifted above every other row
   * (measured on dev: the re-scored top 200 lose nothing against re-scoring the whole catalog).
   */
  private rescore(q: Query, pool: number[], scores: Float32Array, rescorer: MlpKernel): void {
    const inputs = rescorer.inputs(pool.length);
    let floor = Infinity;
    for (const row of pool) floor = Math.min(floor, scores[row]!);
    this.featureRows(q, pool, inputs);
    const rescored = rescorer.scores(pool.length);
    let min = Infinity;
    for (let i = 0; i < pool.length; i++) {
      // "only comedies", "animated movies" and shown items hold here too
      rescored[i]! += q.scoreOffset?.[pool[i]!] ?? 0;
      min = Math.min(min, rescored[i]!);
    }
    // Keep the pool above the rest: shift re-scores so the lowest equals the old floor.
    for (let i = 0; i < pool.length; i++) scores[pool[i]!] = rescored[i]! - min + floor;
  }

  /**
   * The list's items with their features (worked out for all rows at once, unless given) and scores, and
   * what their reasons need.
   */
  private ranked(
    q: Query,
    rows: readonly number[],
    scores: readonly number[],
    values = this.featureValues(q, rows),
  ): RankedItem[] {
    return rows.map((row, i) => this.rankedRow(q, row, scores[i]!, values, i * FEATURE_COUNT));
  }

  /** The FEATURE_NAMES values of `rows`, FEATURE_COUNT a row. */
  private featureValues(q: Query, rows: readonly number[]): Float32Array {
    const values = new Float32Array(rows.length * FEATURE_COUNT);
    this.featureRows(q, rows, values);
    return values;
  }

  private rankedRow(
    q: Query,
    row: number,
    score: number,
    values: Float32Array,
    offset: number,
  ): RankedItem {
    const features = {} as Features;
    FEATURE_NAMES.forEach((name, i) => {
      features[name] = values[offset + i]!;
    });
    let best = 0.5;
    for (const { id, row: likedRow } of q.likedRows) {
      const s = dot(this.catalog.vector(likedRow), this.catalog.vectors, row * this.catalog.dim);
      if (s > best) {
        best = s;
        features.likedItemId = id;
      }
    }
    const seed = q.neighbourOf.get(row);
    if (seed !== undefined) {
      features.neighbourOfId = seed.id;
      features.neighbourCount = seed.count;
    }
    const collection = q.collectionOf.get(row);
    // Words matched in an item's own text boost it but are no tags or keywords to name in a reason.
    const attributes = this.attributes?.fromText ? undefined : q.attributeOf.get(row);
    const value = q.critique ? this.valueOf(q.critique, row) : Number.NaN;
    const answers =
      q.critique &&
      (q.critique.dir === "lower" ? value < q.critique.mean : value > q.critique.mean);
    return {
      row,
      score,
      features,
      ...(collection !== undefined ? { collection } : {}),
      ...(attributes ? { attributes } : {}),
      ...(answers ? { critique: { ...q.critique!, value } } : {}),
    };
  }
}

/** Bands of whole years beyond a year critique's mean: a full spread and more, half to one, less than half. */
function yearBands(critique: Critique & { mean: number }): Array<Partial<RowFilter>> {
  const spread = critiqueSpread(critique);
  const sign = critique.dir === "lower" ? -1 : 1;
  const at = (share: number) => critique.mean + sign * share * spread;
  const band = (from: number, to: number): Partial<RowFilter> => {
    const [lo, hi] = sign < 0 ? [to, from] : [from, to];
    return {
      fromYear: Number.isFinite(lo) ? Math.ceil(lo) : undefined,
      beforeYear: Number.isFinite(hi) ? Math.ceil(hi) : undefined,
    };
  };
  return [band(at(1), sign * Infinity), band(at(0.5), at(1)), band(at(0), at(0.5))];
}

/** How far beyond the last list's mean a critique's boost is full: 15 years, 30 minutes, a fifth of the interests. */
function critiqueSpread(critique: Critique): number {
  return critique.field === "year" ? 15 : critique.field === "runtime" ? 30 : 0.2;
}

/**
 * Per row, NEWEST_BOOST scaled by how new it is among the dated rows: 0 up to the median year, rising to the
 * full boost for the newest (squared, so the last years stand out); 0 for undated rows. Fixed by the catalog.
 */
function newnessOf(year: Float32Array): Float32Array {
  const dated = Array.from(year)
    .filter((y) => !Number.isNaN(y))
    .sort((a, b) => a - b);
  const out = new Float32Array(year.length);
  if (dated.length === 0) return out;
  // The share of dated rows no newer than y (binary search for the last index <= y).
  const share = (y: number) => {
    let lo = 0,
      hi = dated.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (dated[mid]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo / dated.length;
  };
  year.forEach((y, row) => {
    if (Number.isNaN(y)) return;
    const above = Math.max(0, 2 * share(y) - 1);
    out[row] = NEWEST_BOOST * above * above;
  });
  return out;
}

/** An item's categories and, for a cell listing several ("a, b"), each of its parts. */
export function categoryKeys(categories: readonly string[]): readonly string[] {
  return oncePerList(keysOfCategories, categories, (list) =>
    list.flatMap((c) => (/[,;|]/.test(c) ? [c, ...cellParts(c)] : [c])),
  );
}
const keysOfCategories = new WeakMap<readonly string[], readonly string[]>();

/** The rows of each title several items share (an item alone with its title is blocked by its own row). */
function sharedTitles(catalog: Catalog): Map<number, number[]> {
  const { titles } = catalog;
  const count = new Map<number, number>();
  for (let row = 0; row < catalog.size; row++) {
    const key = titles.keyIdOf(row);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  const out = new Map<number, number[]>();
  for (let row = 0; row < catalog.size; row++) {
    const key = titles.keyIdOf(row);
    if (count.get(key)! > 1) pushTo(out, key, row);
  }
  return out;
}

/**
 * The catalog's genre hits, where the linear kernel reads them: 1 for each category an item has (a genre
 * "hit", whatever else it is too), the model's reading of its text for an item without categories. A
 * distribution match would rank a pure comedy above a comedy that is also an adventure; people asking for a
 * comedy want either. Set by the first ranker over the catalog (a turn worker's catalog shares the main
 * thread's, set already).
 */
function fillGenreHits(catalog: Catalog): void {
  if (catalog.arrays.genreHitsFilled) return;
  const index = new Map(catalog.labels.map((l, i) => [l, i]));
  catalog.items.forEach((item, row) => {
    const known = item.categories
      .map((c) => index.get(c))
      .filter((i): i is number => i !== undefined);
    catalog.arrays.setGenreHits(row, known);
  });
  catalog.arrays.genreHitsFilled = true;
}

const defaultRankers = new WeakMap<Catalog, Ranker>();

/** Content-only ranking with the hand weights and no neighbours (used where no Bot is at hand). */
export function rank(catalog: Catalog, req: RankRequest): RankedItem[] {
  let ranker = defaultRankers.get(catalog);
  if (!ranker)
    defaultRankers.set(catalog, (ranker = new Ranker(catalog, Neighbours.empty(), handModel())));
  return ranker.rank(req);
}
