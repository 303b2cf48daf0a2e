// The catalog as the hot path sees it: items, unit vectors and interest profiles in flat arrays, loaded once.
import { createHash } from "node:crypto";
import { PeopleIndex, type PeopleIndexSnapshot } from "./people.ts";
import { RowById } from "./row-by-id.ts";
import { TitleIndex, type TitleIndexSnapshot } from "./titles.ts";
import { resolveWording, type Wording, type WordingSettings } from "./wording.ts";
import type { Item } from "../types.ts";
import { ItemArrays, type SharedItemArrays } from "../util/kernels.ts";

export interface CatalogData {
  items: Item[];
  /** Row-major n x dim unit vectors from the interest model. */
  vectors: Float32Array;
  dim: number;
  /** Row-major n x labels interest distribution of each item. */
  interests: Float32Array;
  labels: readonly string[];
  /**
   * Where the items' texts are when the items carry none (a catalog served from the items table): which
   * rows have one, and how to read one. Without it, the items' own texts are all there is.
   */
  texts?: { hasText: Uint8Array; read: (row: number) => Promise<string> };
}

/** A catalog's item arrays as a turn worker reads them, with a key of its rows' ids to check its own by. */
export interface SharedCatalogArrays {
  arrays: SharedItemArrays;
  idsKey: string;
}

/** A key of the items' ids in row order: two threads' catalogs with the same key have the same rows. */
export function idsKey(items: readonly Item[]): string {
  const hash = createHash("sha256");
  for (const item of items) hash.update(item.id).update("\0");
  return hash.digest("hex");
}

/** The catalog's indexes of its items' words, as a restart reads them back (src/catalog/snapshot.ts). */
export interface CatalogIndexes {
  titles: TitleIndexSnapshot;
  people: PeopleIndexSnapshot;
}

export class Catalog {
  readonly items: Item[];
  /** The vectors and interests below, in the ranker's kernel memory, and that memory's other item arrays. */
  readonly arrays: ItemArrays;
  readonly vectors: Float32Array;
  readonly dim: number;
  readonly interests: Float32Array;
  readonly labels: readonly string[];
  /**
   * The labels a person is shown as their interests: the model's labels when they are this catalog's
   * categories; none when the model was trained on another catalog (the shipped movie model serving a books
   * file without categories must not tell a reader they like "horror"). The model's reading still ranks.
   */
  readonly interestLabels: readonly string[];
  readonly popularity: Float32Array;
  /** Whether the catalog has any popularity data (a list "of popular items" needs some). */
  readonly hasPopularity: boolean;
  /** Whether any item has a year ("anything new" can filter by it). */
  readonly hasYears: boolean;
  readonly titles: TitleIndex;
  readonly people: PeopleIndex;
  /** 1 for the rows whose item has a text (a plot, a description), whether or not it is in memory. */
  readonly hasText: Uint8Array;
  private readonly readText: ((row: number) => Promise<string>) | undefined;
  /** How replies name this catalog's items and give examples (src/messages.ts takes it). */
  readonly wording: Wording;
  private readonly rowById: RowById;

  /**
   * `wording`: the settings stored with the catalog and whether it is the shipped demo catalog; without it,
   * movie wording (a catalog built in memory is a movie one: MovieLens, the demo). `saved`: the indexes of
   * these same items, read back instead of built.
   */
  constructor(
    data: CatalogData,
    commonWords: ReadonlyMap<string, number>,
    wording: { settings?: WordingSettings | undefined; demo: boolean } = {
      settings: { noun: "film" },
      demo: false,
    },
    saved?: CatalogIndexes,
  ) {
    this.items = data.items;
    this.arrays = ItemArrays.of(data.vectors, data.interests, data.dim, data.labels.length);
    this.vectors = this.arrays.vectors;
    this.dim = data.dim;
    this.interests = this.arrays.interests;
    this.labels = data.labels;
    const labelSet = new Set(data.labels);
    this.interestLabels = data.items.some((item) => item.categories.some((c) => labelSet.has(c)))
      ? data.labels
      : [];
    this.rowById = new RowById((row) => data.items[row]!.id, data.items.length);
    this.hasText =
      data.texts?.hasText ?? Uint8Array.from(data.items, (item) => (item.text ? 1 : 0));
    this.readText = data.texts?.read;
    this.popularity = popularityPrior(data.items);
    this.hasPopularity = this.popularity.some((p) => p > 0);
    this.hasYears = data.items.some((item) => item.year !== undefined);
    const prior = (id: string) =>
      this.popularity[this.rowById.get(id) ?? 0]! +
      (this.hasText[this.rowById.get(id) ?? 0] ? 0.01 : 0);
    const hasText = (id: string) => this.hasText[this.rowById.get(id) ?? -1] === 1;
    if (saved) {
      this.people = PeopleIndex.restore(saved.people, commonWords);
      this.titles = TitleIndex.restore(saved.titles, data.items, commonWords, prior, hasText);
    } else {
      this.people = new PeopleIndex(data.items, commonWords);
      this.titles = new TitleIndex(data.items, commonWords, prior, hasText);
    }
    this.wording = resolveWording(wording.settings, wording.demo, this);
  }

  indexes(): CatalogIndexes {
    return {
      titles: this.titles.snapshot(),
      people: this.people.snapshot(),
    };
  }

  /**
   * An item's text: its own while the catalog holds texts, else read from where they are kept ("" when that
   * read fails: a text only adds to a reply).
   */
  async textOf(row: number): Promise<string> {
    const own = this.items[row]?.text ?? "";
    if (own || !this.hasText[row] || !this.readText) return own;
    return this.readText(row).catch(() => "");
  }

  /**
   * Lets go of the items' texts once the indexes built from them are made, when they can be read again
   * (textOf): a million items' texts are most of the heap, and a message needs a few at most.
   */
  dropTexts(): void {
    if (!this.readText) return;
    for (const item of this.items) item.text = "";
  }

  /** The item arrays for turn workers to read in place (src/catalog/store.ts ItemArraysPlace). */
  share(): SharedCatalogArrays {
    return { arrays: this.arrays.share(), idsKey: idsKey(this.items) };
  }

  get size(): number {
    return this.items.length;
  }

  row(itemId: string): number | undefined {
    return this.rowById.get(itemId);
  }

  titleKeyOf(itemId: string): string | undefined {
    const row = this.rowById.get(itemId);
    return row === undefined ? undefined : this.titles.keyOf(row);
  }

  item(itemId: string): Item | undefined {
    const row = this.rowById.get(itemId);
    return row === undefined ? undefined : this.items[row];
  }

  vector(row: number): Float32Array {
    return this.vectors.subarray(row * this.dim, (row + 1) * this.dim);
  }

  interestRow(row: number): Float32Array {
    return this.interests.subarray(row * this.labels.length, (row + 1) * this.labels.length);
  }

  /** An item's vector by id (the profile fold's ItemLookup). */
  vectorOf(itemId: string): Float32Array | undefined {
    const row = this.rowById.get(itemId);
    return row === undefined ? undefined : this.vector(row);
  }

  /** An item's interest row by id (the profile fold's ItemLookup). */
  interestsOf(itemId: string): Float32Array | undefined {
    const row = this.rowById.get(itemId);
    return row === undefined ? undefined : this.interestRow(row);
  }
}

/** log-scaled popularity in [0, 1] from the catalog's `popularity` column (0 where absent). */
export function popularityPrior(items: readonly Item[]): Float32Array {
  const raw = items.map((item) => {
    const p = Number(item.extra.popularity);
    return Number.isFinite(p) && p > 0 ? Math.log1p(p) : 0;
  });
  // No spread into Math.max: past about 100,000 items it overflows the stack.
  const max = raw.reduce((m, v) => Math.max(m, v), 1e-9);
  return Float32Array.from(raw, (v) => v / max);
}

/** An item's interest distribution: its own categories where the model knows them, else the model's reading of its text. */
export function itemInterestDistribution(
  item: Item,
  labels: readonly string[],
  predicted: Float32Array,
): Float32Array {
  const out = new Float32Array(labels.length);
  const known = item.categories.map((c) => labels.indexOf(c)).filter((i) => i >= 0);
  if (known.length === 0) return (out.set(predicted), out);
  for (const i of known) out[i] = 0.8 / known.length;
  for (let i = 0; i < out.length; i++) out[i]! += 0.2 * predicted[i]!;
  return out;
}
