// Moods and attributes a message asks for ("something twisty", "feel-good", "dark and gritty") or turns down
// ("nothing bloody or violent"), matched against the words the data gives each film rather than a list
// written by hand: MovieLens users' tags and TMDB keywords (data/catalog/attributes.jsonl, built by
// research/scripts/build-item-attributes.ts). Built once at start-up; a message is matched word by word.
import { existsSync, readFileSync } from "node:fs";
import { ownCopy, revive } from "../catalog/snapshot.ts";
import type { Item } from "../types.ts";
import { MOOD_THESAURUS } from "../understand/mood-thesaurus.ts";
import { indexOfSorted, sortedUnion } from "../util/sorted.ts";

/** One film's attribute words: MovieLens tags (most-used first) and TMDB keywords. */
export interface ItemAttributes {
  tags?: string[];
  keywords?: string[];
}

/** What a message's words found on one film, for its boost and its reason. */
export interface AttributeMatch {
  /** MovieLens tags and TMDB keywords the message's words matched, as the data writes them. */
  tags: string[];
  keywords: string[];
}

/**
 * A message word says what a film should be like only when it is rarer than this frequency rank
 * (data/common-words.txt): "twisty", "gritty", "violent", "bloody" do; "movie", "love", "week", "sunday"
 * are what every message says.
 */
const DESCRIPTIVE_RANK = 2000;
/** Words shorter than this are not matched ("fun" would be, were it rare: three letters say too little). */
const MIN_WORD = 4;
/** Two words share a stem when they agree on this many first letters, and differ by at most two after. */
const STEM = 5;
/** A word is no attribute when more than this share of the attributed films carry it (it says nothing). */
const MAX_SHARE = 0.05;
/**
 * The category the films a message's words match characterise ("twisty": mystery, "bloody or violent":
 * horror) needs this many matched films, this share of them, and this many times its share of all films
 * with attributes: then films of it without the words count as matched by their category.
 */
const CHARACTERISTIC = { films: 5, share: 0.3, lift: 2.5 } as const;
/** A tag or keyword carried by more than this share of the attributed films names no link between two. */
const SHARED_MAX_SHARE = 0.02;

/**
 * Per row, its tags and keywords that few films share, rarest first: the term ids of row r are
 * ids[start[r] .. start[r + 1]), and `names` spells them. Flat arrays, since a catalog's own text gives each
 * of a million items a dozen such words.
 */
interface RowTerms {
  start: Int32Array;
  /** Two bytes a term where the names allow: a text catalog's million items hold about 14 million. */
  ids: Uint16Array | Int32Array;
  names: string[];
}

/** Per row, its tags and keywords (lower-cased, once) carried by at most `maxFilms` films, rarest first. */
function distinctiveTerms(
  items: readonly Item[],
  attributes: ReadonlyMap<string, ItemAttributes>,
  maxFilms: number,
): RowTerms {
  const names: string[] = [];
  const films: number[] = [];
  const idOf = new Map<string, number>();
  const termsOfRow = items.map((item) => {
    const a = attributes.get(item.id);
    if (!a) return undefined;
    const terms = new Set<number>();
    for (const t of [...(a.tags ?? []), ...(a.keywords ?? [])]) {
      const lower = t.toLowerCase();
      let id = idOf.get(lower);
      if (id === undefined) {
        idOf.set(lower, (id = names.length));
        names.push(lower);
        films.push(0);
      }
      terms.add(id);
    }
    for (const id of terms) films[id]!++;
    return terms;
  });
  const start = new Int32Array(items.length + 1);
  const ids: number[] = [];
  termsOfRow.forEach((terms, row) => {
    const kept = [...(terms ?? [])].filter((id) => films[id]! <= maxFilms);
    for (const id of kept.sort((x, y) => films[x]! - films[y]!)) ids.push(id);
    start[row + 1] = ids.length;
  });
  return {
    start,
    ids: names.length <= 0x10000 ? Uint16Array.from(ids) : Int32Array.from(ids),
    names,
  };
}

/** Words whose characteristic categories are kept (cleared when full: the words people use are few). */
const CHARACTERISTIC_CACHE = 10_000;

/**
 * "not", "no", "without", "less", "too", "isn't", "don't want": the words up to the next punctuation are turned
 * down ("similar to the godfather but less violent", "a horror movie that isn't too scary"), or up to a
 * "more" that asks for something else ("less tennis more business", "less violent and more funny").
 */
const NEGATED =
  /\b(?:not|no|nothing|without|never|none|less|fewer|(?<!not )too(?:\s+(?:much|many))?|isn'?t|aren'?t|wasn'?t|(?:do|does)n'?t want)\s+([^.,;:!?]+?)(?=\s+(?:(?:and|but)\s+)?more\b|[.,;:!?]|$)/gi;

export function loadItemAttributes(path: string): Map<string, ItemAttributes> {
  const out = new Map<string, ItemAttributes>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { id, ...rest } = JSON.parse(line) as ItemAttributes & { id: string };
    out.set(id, rest);
  }
  return out;
}

const wordsOf = (text: string) => text.toLowerCase().match(/\p{L}[\p{L}'-]*/gu) ?? [];

/** How many items carry a word, and how many of them are in each category. */
interface WordCategories {
  items: number;
  byCategory: Map<string, number>;
}

/**
 * A catalog with no tags or keywords on record (news, books): each item's keywords are the words of its title
 * and text that could name an attribute at all (long and rare enough), so "anything about the Oscars" finds
 * the stories that speak of them. Words carried by more than MAX_SHARE of the items drop out as for tags.
 * The everyday words too common to be keywords ("football", "economy") are counted per category instead
 * (`topics`): such a word may still tell a category apart, as "football" tells sport stories.
 */
function textKeywords(
  items: readonly Item[],
  commonWords: ReadonlyMap<string, number>,
): { keywords: Map<string, ItemAttributes>; topics: Map<string, WordCategories> } {
  const keywords = new Map<string, ItemAttributes>();
  const topics = new Map<string, WordCategories>();
  const rareCache = new Map<string, boolean>(); // texts repeat their words: each is judged once
  const rare = (w: string) => {
    let r = rareCache.get(w);
    if (r === undefined)
      rareCache.set(
        w,
        (r = baseForms(w).every((b) => (commonWords.get(b) ?? Infinity) >= DESCRIPTIVE_RANK)),
      );
    return r;
  };
  for (const item of items) {
    const words = new Set(
      wordsOf(`${item.title} ${item.text}`).filter((w) => w.length >= MIN_WORD && !w.includes("'")),
    );
    const own: string[] = [];
    const categories = new Set(item.categories);
    for (const w of words) {
      if (rare(w)) {
        own.push(w);
        continue;
      }
      const t = topics.get(w) ?? { items: 0, byCategory: new Map<string, number>() };
      t.items++;
      for (const c of categories) t.byCategory.set(c, (t.byCategory.get(c) ?? 0) + 1);
      topics.set(w, t);
    }
    if (own.length) keywords.set(item.id, { keywords: own });
  }
  return { keywords, topics };
}

/** A word and the words it may be an inflection of ("movies": "movie", "loved": "love", "lov"). */
function baseForms(w: string): string[] {
  const out = [w];
  for (const suffix of ["s", "es", "d", "ed", "ing", "ly", "ies"])
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) out.push(w.slice(0, -suffix.length));
  if (w.endsWith("ies")) out.push(`${w.slice(0, -3)}y`);
  return out;
}

/** A word and the nouns a short adjective in -y comes from ("gory": "gore", "bloody": "blood"). */
function adjectiveBases(w: string): string[] {
  if (w.length >= STEM + 1 || !w.endsWith("y") || w.length < MIN_WORD) return [w];
  return [w, `${w.slice(0, -1)}e`, w.slice(0, -1)];
}

/** The data words by stem (a word's first STEM letters, or the whole shorter word). */
function byStem(words: Iterable<string>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const w of words) {
    const stem = w.slice(0, STEM);
    out.set(stem, (out.get(stem) ?? new Set()).add(w));
  }
  return out;
}

/** Whether two words are one word or share a stem ("twisty" ~ "twist", "violent" ~ "violence"). */
export function sameStem(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length < STEM || b.length < STEM) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i >= STEM && a.length - i <= 2 && b.length - i <= 2;
}

/**
 * The rows holding one data word, by which tags and keywords: a typed array of rows, and one match for all
 * of them when every row holds the word by the same term (a catalog's own text), else one per row. A
 * Map of a match object per row took about 5 KB per item of a 50,000-item catalog without tags.
 */
class WordRows {
  constructor(
    readonly rows: Int32Array,
    readonly matches: AttributeMatch | readonly AttributeMatch[],
  ) {}

  /** What the word matched in its i-th row. */
  matchAt(i: number): AttributeMatch {
    const { matches } = this;
    return Array.isArray(matches) ? matches[i]! : (matches as AttributeMatch);
  }
}

/**
 * The rows a text's descriptive words match, and what each matched. A common mood word matches thousands
 * of rows in a large catalog, and only the few shown need their tags and keywords: those are looked up on
 * asking, not gathered for every row.
 */
export class AttributeMatches {
  static readonly none = new AttributeMatches([]);
  /** Every row matched, ascending, once each. */
  readonly rows: Int32Array;

  constructor(private readonly words: readonly WordRows[]) {
    this.rows = words.length === 1 ? words[0]!.rows : sortedUnion(words.map((w) => w.rows));
  }

  get size(): number {
    return this.rows.length;
  }

  has(row: number): boolean {
    return indexOfSorted(this.rows, row) >= 0;
  }

  /** The tags and keywords of every word that matched `row`; undefined when none did. */
  get(row: number): AttributeMatch | undefined {
    let out: AttributeMatch | undefined;
    for (const word of this.words) {
      const i = indexOfSorted(word.rows, row);
      if (i < 0) continue;
      const m = word.matchAt(i);
      out ??= { tags: [], keywords: [] };
      for (const t of m.tags) if (!out.tags.includes(t)) out.tags.push(t);
      for (const k of m.keywords) if (!out.keywords.includes(k)) out.keywords.push(k);
    }
    return out;
  }
}

/** Collects a word's rows in row order (the constructor adds them so), then makes its WordRows. */
class WordRowsBuilder {
  readonly rows: number[] = [];
  private matches: AttributeMatch[] | undefined;
  /** While every row so far holds the word by this one keyword: the rows share one match. */
  private shared: AttributeMatch | undefined;

  add(row: number, term: string, kind: keyof AttributeMatch): void {
    if (this.rows.at(-1) !== row) {
      if (!this.matches && (this.rows.length === 0 || this.sharedBy(term, kind))) {
        this.shared ??=
          kind === "keywords" ? { tags: [], keywords: [term] } : { tags: [term], keywords: [] };
        this.rows.push(row);
        return;
      }
      this.unshare();
      this.rows.push(row);
      this.matches!.push({ tags: [], keywords: [] });
    } else if (!this.matches) {
      if (this.sharedBy(term, kind)) return;
      this.unshare();
    }
    const m = this.matches!.at(-1)!;
    if (!m[kind].includes(term)) m[kind].push(term);
  }

  done(): WordRows {
    return new WordRows(Int32Array.from(this.rows), this.matches ?? this.shared!);
  }

  private sharedBy(term: string, kind: keyof AttributeMatch): boolean {
    const s = this.shared!;
    return (
      s[kind].length === 1 &&
      s[kind][0] === term &&
      s[kind === "tags" ? "keywords" : "tags"].length === 0
    );
  }

  /** From one shared match to one per row (a copy each), for a word held by several terms. */
  private unshare(): void {
    if (this.matches) return;
    this.matches = this.rows.map(() => ({
      tags: [...this.shared!.tags],
      keywords: [...this.shared!.keywords],
    }));
  }
}

/** What a restart reads back (src/catalog/snapshot.ts): the fields built from the items. */
export interface AttributesSnapshot {
  fromText: boolean;
  labels: Set<string>;
  rowsOfWord: Map<
    string,
    { rows: Int32Array; matches: AttributeMatch | readonly AttributeMatch[] }
  >;
  distinctive: RowTerms;
  categoryShare: Map<string, number>;
  topics:
    { words: ReadonlyMap<string, WordCategories>; share: ReadonlyMap<string, number> } | undefined;
}

export class Attributes {
  private readonly items: readonly Item[];
  /** The words are the items' own title and text words (no tags or keywords on record): no reason names them. */
  readonly fromText: boolean;
  /** The catalog's categories ("comedy", "sci-fi"): asked for by name, not matched as attributes. */
  private readonly labels = new Set<string>();
  /** Per stem (a word's first STEM letters, or the whole shorter word): the words of the data under it. */
  private readonly byStem: Map<string, Set<string>>;
  /** Per data word: the rows holding it, and by which tags and keywords. */
  private readonly rowsOfWord = new Map<string, WordRows>();
  /** Per row: its tags and keywords that few films share (what can name the link between two films). */
  private readonly distinctive: RowTerms;
  private readonly characteristicCache = new Map<string, readonly string[]>();
  /** Share of the films with attributes in each category. */
  private readonly categoryShare = new Map<string, number>();
  /** A catalog without tags: its everyday words per category, and each category's share of all its items. */
  private readonly topics?: {
    words: ReadonlyMap<string, WordCategories>;
    share: ReadonlyMap<string, number>;
  };

  constructor(
    items: readonly Item[],
    given: ReadonlyMap<string, ItemAttributes>,
    private readonly commonWords: ReadonlyMap<string, number>,
  ) {
    this.fromText = given.size === 0;
    const fromText = this.fromText ? textKeywords(items, commonWords) : undefined;
    const attributes = fromText?.keywords ?? given;
    if (fromText) {
      const share = new Map<string, number>();
      for (const item of items)
        for (const c of new Set(item.categories)) share.set(c, (share.get(c) ?? 0) + 1);
      for (const [c, n] of share) share.set(c, n / items.length);
      this.topics = { words: fromText.topics, share };
    }
    let attributed = 0;
    const building = new Map<string, WordRowsBuilder>();
    // Terms repeat across items (every item of a text catalog shares its words): each is split once.
    const wordsOfTerm = new Map<string, string[]>();
    items.forEach((item, row) => {
      const a = attributes.get(item.id);
      if (!a) return;
      attributed++;
      for (const c of item.categories) this.labels.add(c.replace(/-/g, ""));
      for (const c of new Set(item.categories))
        this.categoryShare.set(c, (this.categoryShare.get(c) ?? 0) + 1);
      const add = (term: string, kind: keyof AttributeMatch) => {
        let termWords = wordsOfTerm.get(term);
        if (!termWords)
          wordsOfTerm.set(
            term,
            (termWords = [...new Set(wordsOf(term).map((x) => x.replace(/-/g, "")))]),
          );
        for (const w of termWords) {
          if (w.length < MIN_WORD) continue;
          let b = building.get(w);
          if (!b) building.set(w, (b = new WordRowsBuilder()));
          b.add(row, term, kind);
        }
      };
      for (const t of a.tags ?? []) add(t, "tags");
      for (const k of a.keywords ?? []) add(k, "keywords");
    });
    for (const [c, n] of this.categoryShare) this.categoryShare.set(c, n / attributed);
    this.distinctive = distinctiveTerms(items, attributes, SHARED_MAX_SHARE * attributed);
    this.items = items;
    for (const [w, b] of building)
      if (b.rows.length <= MAX_SHARE * attributed) this.rowsOfWord.set(w, b.done());
    this.byStem = byStem(this.rowsOfWord.keys());
  }

  snapshot(): AttributesSnapshot {
    const { fromText, labels, rowsOfWord, distinctive, categoryShare, topics } = this;
    return { fromText, labels, rowsOfWord, distinctive, categoryShare, topics };
  }

  static restore(
    saved: AttributesSnapshot,
    items: readonly Item[],
    commonWords: ReadonlyMap<string, number>,
  ): Attributes {
    const rowsOfWord = new Map<string, WordRows>();
    for (const [word, { rows, matches }] of saved.rowsOfWord)
      rowsOfWord.set(word, new WordRows(ownCopy(rows), matches));
    const { start, ids, names } = saved.distinctive;
    return revive(Attributes, {
      ...saved,
      rowsOfWord,
      byStem: byStem(rowsOfWord.keys()),
      distinctive: { start: ownCopy(start), ids: ownCopy(ids), names },
      items,
      commonWords,
      characteristicCache: new Map(),
    });
  }

  /**
   * The words of a text that can name an attribute: rare enough, long enough; a mood word the data lacks
   * stands for the data words MOOD_THESAURUS gives it.
   */
  private descriptive(text: string): string[] {
    const words = wordsOf(text).map((w) => w.replace(/-/g, ""));
    const stands = words.flatMap((w) => MOOD_THESAURUS[w] ?? []).map((w) => w.replace(/-/g, ""));
    return [
      ...new Set([
        ...stands,
        ...words.filter(
          (w) =>
            w.length >= MIN_WORD &&
            !(w in MOOD_THESAURUS) &&
            !this.labels.has(w) &&
            baseForms(w).every(
              (b) =>
                (this.commonWords.get(b) ?? Infinity) >= DESCRIPTIVE_RANK && !this.labels.has(b),
            ),
        ),
      ]),
    ];
  }

  /** The tags and keywords two films share, rarest first ("dinosaur", "island"), at most `k`. */
  shared(a: number, b: number, k = 3): string[] {
    const { start, ids, names } = this.distinctive;
    const theirs = new Set(ids.subarray(start[b], start[b + 1]));
    const out: string[] = [];
    for (let i = start[a]!; i < start[a + 1]! && out.length < k; i++)
      if (theirs.has(ids[i]!)) out.push(names[ids[i]!]!);
    return out;
  }

  /** The films whose tags or keywords share a stem with a descriptive word of `text`, and what matched. */
  match(text: string): AttributeMatches {
    const words = new Set<WordRows>();
    for (const word of this.descriptive(text))
      for (const w of adjectiveBases(word))
        for (const dataWord of this.byStem.get(w.slice(0, STEM)) ?? [])
          if (sameStem(w, dataWord)) words.add(this.rowsOfWord.get(dataWord)!);
    return words.size ? new AttributeMatches([...words]) : AttributeMatches.none;
  }

  /**
   * The categories the films each descriptive word of `text` matches characterise (see CHARACTERISTIC): what
   * the words mean for the films the data has no tags or keywords for ("bloody" matches 48 films, 56% of them
   * horror, 4.6 times horror's share of all films with attributes).
   */
  characteristicOf(text: string): string[] {
    const out = new Set<string>();
    for (const w of this.descriptive(text))
      for (const c of this.characteristicOfWord(w)) out.add(c);
    for (const c of this.topicsOf(text)) out.add(c);
    return [...out];
  }

  /**
   * A catalog without tags: the categories its everyday words tell apart (CHARACTERISTIC share and lift among
   * the items carrying the word), "football": sport, "economy": business. Category names and mood words are
   * read elsewhere.
   */
  private topicsOf(text: string): string[] {
    if (!this.topics) return [];
    const { words, share } = this.topics;
    const out = new Set<string>();
    for (const w of wordsOf(text)) {
      if (w.length < MIN_WORD || this.labels.has(w) || w in MOOD_THESAURUS) continue;
      const t = words.get(w);
      if (!t || t.items < CHARACTERISTIC.films) continue;
      for (const [c, k] of t.byCategory)
        if (
          k / t.items >= CHARACTERISTIC.share &&
          k / t.items >= CHARACTERISTIC.lift * (share.get(c) ?? 1)
        )
          out.add(c);
    }
    return [...out];
  }

  /** One word's characteristic categories: fixed by the data, so worked out once per word. */
  private characteristicOfWord(word: string): readonly string[] {
    let categories = this.characteristicCache.get(word);
    if (!categories) {
      categories = this.characteristic(this.match(word).rows);
      if (this.characteristicCache.size >= CHARACTERISTIC_CACHE) this.characteristicCache.clear();
      this.characteristicCache.set(word, categories);
    }
    return categories;
  }

  /** The categories of CHARACTERISTIC share and lift among `rows`. */
  private characteristic(rows: Iterable<number>): string[] {
    const counts = new Map<string, number>();
    let n = 0;
    for (const row of rows) {
      n++;
      for (const c of new Set(this.items[row]!.categories)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    if (n < CHARACTERISTIC.films) return [];
    return [...counts]
      .filter(
        ([c, k]) =>
          k / n >= CHARACTERISTIC.share &&
          k / n >= CHARACTERISTIC.lift * (this.categoryShare.get(c) ?? 1),
      )
      .map(([c]) => c);
  }
}

/** A message split into what it asks for and what it turns down ("not gory", "nothing bloody or violent"). */
export function splitNegated(text: string): { wanted: string; avoided: string } {
  const avoided: string[] = [];
  const wanted = text.replace(NEGATED, (_, words: string) => {
    avoided.push(words.trim());
    return " ";
  });
  return { wanted, avoided: avoided.join(" , ") };
}
