// How the bot names what its catalog holds ("films", "books", "items"), who "other people" are and which
// examples its help text gives. Settings are stored with the catalog by `chatrec ingest` (--noun, ...; table
// catalog_source); the rest is chosen from the loaded catalog once at start-up (src/catalog/store.ts).
import { CatalogFormatError } from "./load.ts";
import type { Item } from "../types.ts";

/** What `chatrec ingest` stores; every field is optional and falls back as `resolveWording` says. */
export interface WordingSettings {
  /** One item: "book". */
  noun?: string;
  /** Several: "books" (default: the noun with an English plural ending). */
  nounPlural?: string;
  /** Who recommends popular items: "other readers" (default "other people"). */
  others?: string;
  /** Where two items were brought up together: "conversations". */
  conversations?: string;
  /** Two titles the help text gives as an example (default: the catalog's two most popular). */
  examples?: string[];
  /** The example's constraint: "no horror" (default: "no" and the catalog's commonest category). */
  exampleConstraint?: string;
  /** Said when a name is not in the catalog: "I only know films, not TV series" (movie catalogs only). */
  scopeNote?: string;
}

/** The wording every sentence of src/messages.ts takes, resolved once at start-up. */
export interface Wording {
  readonly noun: string;
  readonly nounPlural: string;
  readonly others: string;
  readonly conversations: string;
  /** One or two titles. */
  readonly examples: readonly string[];
  readonly exampleConstraint?: string | undefined;
  readonly scopeNote?: string | undefined;
}

/** A movie catalog's wording: the sentences the demo catalog has always had. */
export const MOVIE_WORDING: Omit<Wording, "examples"> = {
  noun: "film",
  nounPlural: "films",
  others: "other movie fans",
  conversations: "movie conversations",
  scopeNote: "I only know films, not TV series",
};

/** The shipped demo movie catalog: movie wording and the examples it has always shown. */
export const DEMO_WORDING: Wording = {
  ...MOVIE_WORDING,
  examples: ["Inception", "The Matrix"],
  exampleConstraint: "no horror",
};

/** Any other catalog ingested without settings. */
export const NEUTRAL_WORDING: Omit<Wording, "examples"> = {
  noun: "item",
  nounPlural: "items",
  others: "other people",
  conversations: "conversations",
};

const MOVIE_NOUNS = new Set(["movie", "movies", "film", "films"]);
/** A setting longer than this would not read inside a sentence. */
const MAX_SETTING = 80;

/** "book" -> "books", "story" -> "stories", "dish" -> "dishes". */
export function pluralOf(noun: string): string {
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

/**
 * The wording of a loaded catalog. No settings: the demo catalog's movie wording, or the neutral one for
 * any other catalog. A movie noun ("movie", "film") brings the rest of the movie wording with it.
 * Examples not set are the two most popular titles and the commonest category among `labels`.
 */
export function resolveWording(
  settings: WordingSettings | undefined,
  demo: boolean,
  catalog: { items: readonly Item[]; popularity: Float32Array; labels: readonly string[] },
): Wording {
  const s = settings ?? {};
  const movie = s.noun ? MOVIE_NOUNS.has(s.noun.toLowerCase()) : demo;
  const base: Omit<Wording, "examples"> & Partial<Wording> =
    movie && demo ? DEMO_WORDING : movie ? MOVIE_WORDING : NEUTRAL_WORDING;
  const noun = s.noun ?? base.noun;
  const category = commonestCategory(catalog);
  const constraint =
    s.exampleConstraint ?? base.exampleConstraint ?? (category ? `no ${category}` : undefined);
  const scopeNote = s.scopeNote ?? base.scopeNote;
  return {
    noun,
    nounPlural: s.nounPlural ?? (s.noun ? pluralOf(s.noun) : base.nounPlural),
    others: s.others ?? base.others,
    conversations: s.conversations ?? base.conversations,
    examples: s.examples?.length ? s.examples : (base.examples ?? popularTitles(catalog, 2)),
    ...(constraint ? { exampleConstraint: constraint } : {}),
    ...(scopeNote ? { scopeNote } : {}),
  };
}

/** The `count` most popular distinct titles (catalog order among equals), without a trailing "(...)". */
function popularTitles(
  catalog: { items: readonly Item[]; popularity: Float32Array },
  count: number,
): string[] {
  const rows = catalog.items.map((_, i) => i);
  rows.sort((a, b) => catalog.popularity[b]! - catalog.popularity[a]! || a - b);
  const out: string[] = [];
  for (const row of rows) {
    const title = shortTitle(catalog.items[row]!.title);
    if (!out.includes(title)) out.push(title);
    if (out.length === count) break;
  }
  return out;
}

/** "The Hunger Games (The Hunger Games, #1)" -> "The Hunger Games": what a person would type. */
function shortTitle(title: string): string {
  const short = title.replace(/\s*\([^()]*\)\s*$/, "").trim();
  return short || title;
}

/** The category (one of `labels`) the most items have, if any item has one. */
function commonestCategory(catalog: {
  items: readonly Item[];
  labels: readonly string[];
}): string | undefined {
  const labels = new Set(catalog.labels);
  const counts = new Map<string, number>();
  for (const item of catalog.items)
    for (const c of item.categories) if (labels.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | undefined;
  for (const [c, n] of counts) if (best === undefined || n > counts.get(best)!) best = c;
  return best;
}

/** The `chatrec ingest` flags that set the wording, and the setting each fills. */
export const WORDING_FLAGS = {
  "--noun": "noun",
  "--noun-plural": "nounPlural",
  "--others": "others",
  "--conversations": "conversations",
  "--examples": "examples",
  "--example-constraint": "exampleConstraint",
  "--scope-note": "scopeNote",
} as const satisfies Record<string, keyof WordingSettings>;

/** The wording settings of `chatrec ingest`'s flags (undefined when none is given); bad values throw. */
export function wordingFromFlags(values: ReadonlyMap<string, string>): WordingSettings | undefined {
  const out: WordingSettings = {};
  for (const [flag, field] of Object.entries(WORDING_FLAGS)) {
    const raw = values.get(flag);
    if (raw === undefined) continue;
    const phrases = (field === "examples" ? raw.split("|") : [raw]).map((p) =>
      p.replace(/\s+/g, " ").trim(),
    );
    // eslint-disable-next-line no-control-regex
    const bad = (p: string) => !p || p.length > MAX_SETTING || /[\u0000-\u001f\u007f]/.test(p);
    if (phrases.some(bad) || phrases.length > 2)
      throw new CatalogFormatError(
        field === "examples"
          ? `--examples takes one or two titles of 1 to ${MAX_SETTING} characters, as "Title A|Title B", not "${raw}"`
          : `${flag} takes a short phrase (1 to ${MAX_SETTING} characters), not "${raw}"`,
      );
    if (field === "examples") out.examples = phrases;
    else out[field] = phrases[0]!;
  }
  return Object.keys(out).length ? out : undefined;
}
