// Studios and series a message can ask for by name ("studio ghibli films", "something from pixar", "the harry
// potter ones"), found in the data rather than listed by hand: TMDB's production companies
// (data/catalog/tmdb-extras.jsonl) and the title beginnings several catalog films share ("Star Wars: ...",
// "Harry Potter and the ..."). Built once at start-up; a message is looked up by its word n-grams.
import { existsSync, readFileSync } from "node:fs";
import { tokens } from "../catalog/normalize.ts";
import { itemPeople } from "../catalog/people.ts";
import { ownCopy, revive } from "../catalog/snapshot.ts";
import type { Item } from "../types.ts";
import { pushTo } from "../util/multimap.ts";

export interface Collection {
  /** As a reason names it: the studio's own name, or the title words as the first film writes them. */
  name: string;
  kind: "studio" | "series";
  rows: number[];
}

/** A collection needs this many catalog films: one film is a title, not a series or a studio's work. */
const MIN_FILMS = 2;
/** A series needs this many films sharing a title beginning ("Toy Story", "Toy Story 2", "Toy Story 3"). */
const MIN_SERIES = 3;
/**
 * One-word studio names rarer than this frequency rank only (data/common-words.txt): "pixar" and "marvel"
 * name a studio, "universal" or "paramount" in a message mean what they say.
 */
const COMMON_RANK = 5000;
/**
 * A one-word name needs this much evidence: a studio this many films ("Pixar", not a small company whose
 * name is also a word), a series word this many capitalised uses in the catalog's texts.
 */
const MIN_ONE_WORD = 5;
/** Share of lower-case uses in the catalog's texts up to which a word counts as a name. */
const NAME_SHARE = 0.2;
/** The commonest words ("i", "my", "this", "man"): a series is not named by two of them. */
const TOP_WORDS = 300;
/** Words that join a name's words; left out of keys ("fast and furious" = "The Fast and the Furious"). */
const JOINERS = new Set(["the", "a", "an", "and", "of", "in", "on", "at", "to", "for", "with"]);
/** Trailing words a company's name is also said without ("Pixar Animation Studios" -> "pixar"). */
const COMPANY_WORDS = new Set(
  "studio studios animation productions production pictures picture films film entertainment company inc ltd llc corporation features media group".split(
    " ",
  ),
);

/** The content words of a text, as keys are made of. */
function keyWords(text: string): string[] {
  return tokens(text).filter((w) => !JOINERS.has(w));
}

/** Runtime and production companies of catalog items, from data/catalog/tmdb-extras.jsonl. */
export interface ItemExtras {
  runtime?: number;
  studios?: string[];
}

export function loadItemExtras(path: string): Map<string, ItemExtras> {
  const out = new Map<string, ItemExtras>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const { id, ...rest } = JSON.parse(line) as ItemExtras & { id: string };
    out.set(id, rest);
  }
  return out;
}

/** `rows` and the other films of their directors that share two categories with them. */
function withDirectorsFilms(
  items: readonly Item[],
  rows: readonly number[],
  byDirector: ReadonlyMap<string, readonly number[]>,
): number[] {
  const out = new Set(rows);
  for (const row of rows) {
    const film = items[row]!;
    for (const d of directorsOf(film))
      for (const r of byDirector.get(d) ?? [])
        if (items[r]!.categories.filter((c) => film.categories.includes(c)).length >= 2) out.add(r);
  }
  return [...out];
}

/** The catalog's people (directors, stars, writers) as name keys. */
function peopleOf(items: readonly Item[]): string[] {
  return [...new Set(items.flatMap((item) => itemPeople(item.extra)))];
}

function directorsOf(item: Item): string[] {
  const d = item.extra.directors;
  return Array.isArray(d) ? d : typeof d === "string" && d ? [d] : [];
}

/** A one-word name ("Batman", "Halloween") is also a title: it means the series when films are asked for. */
const SEVERAL =
  /\b(?:films|movies|flicks|series|franchise|saga|trilogy|sequels|ones|all of them)\b/i;

/** What a restart reads back (src/catalog/snapshot.ts): every field, the three maps sharing collections. */
export interface CollectionsSnapshot {
  byKey: Map<string, Collection>;
  byLastWord: Map<string, Collection>;
  byName: Map<string, Collection>;
  maxWords: number;
  runtime: Float32Array;
}

export class Collections {
  private readonly byKey = new Map<string, Collection>();
  /** Characters' series by their last word, named so only when films are asked for ("the bond films"). */
  private readonly byLastWord = new Map<string, Collection>();
  private readonly byName = new Map<string, Collection>();
  private readonly maxWords: number;
  /** Minutes per catalog row from the same TMDB extras (NaN: unknown), for "shorter" and "longer". */
  readonly runtime: Float32Array;

  constructor(
    items: readonly Item[],
    extras: ReadonlyMap<string, ItemExtras>,
    commonWords: ReadonlyMap<string, number>,
  ) {
    this.runtime = Float32Array.from(items, (item) => extras.get(item.id)?.runtime ?? Number.NaN);
    // Series candidates: the first one or two content words of titles several films share.
    const seriesRows = new Map<string, { name: string; rows: number[] }>();
    items.forEach((item, row) => {
      const words = keyWords(item.title);
      for (const n of [1, 2]) {
        if (words.length < n) continue;
        const key = words.slice(0, n).join(" ");
        const entry = seriesRows.get(key) ?? { name: titleWords(item.title, n), rows: [] };
        entry.rows.push(row);
        seriesRows.set(key, entry);
      }
    });
    for (const [key, { rows }] of seriesRows) if (rows.length < MIN_SERIES) seriesRows.delete(key);
    const characters = characterCandidates(items);
    // Lower-case use is counted only for the words and pairs the rules below ask about: counting every word
    // and pair of every text took most of the start-up time and memory of a large catalog.
    const wanted = new Set<string>();
    for (const item of items)
      for (const studio of extras.get(item.id)?.studios ?? [])
        for (const w of keyWords(studio)) wanted.add(w);
    for (const key of [...seriesRows.keys(), ...characters.keys()]) {
      wanted.add(key);
      for (const w of key.split(" ")) wanted.add(w);
    }
    const lower = lowercaseUse(items, wanted);
    // A name, not a word: the catalog's texts write it capitalised (nearly) always ("Pixar", "Batman").
    const nameLike = (w: string) =>
      /^\p{L}{3,}$/u.test(w) && (lower.get(w) ?? 0) <= NAME_SHARE * (lower.get(`^${w}`) ?? 0);
    const rare = (w: string) => nameLike(w) && (commonWords.get(w) ?? Infinity) >= COMMON_RANK;
    const ordinary = (w: string) => (commonWords.get(w) ?? Infinity) < TOP_WORDS;
    const add = (key: string, name: string, kind: Collection["kind"], rows: number[]) => {
      const prev = this.byKey.get(key);
      if (!prev || rows.length > prev.rows.length) this.byKey.set(key, { name, kind, rows });
    };
    // A person's surname names the person ("sofia coppola"), not a company called after them.
    const surnames = new Set(peopleOf(items).map((key) => key.split(" ").at(-1)!));
    // Studios: the full name, and the name without its company words when that still says something.
    const studioRows = new Map<string, number[]>();
    items.forEach((item, row) => {
      for (const s of extras.get(item.id)?.studios ?? []) pushTo(studioRows, s, row);
    });
    const byDirector = new Map<string, number[]>();
    items.forEach((item, row) => {
      for (const d of directorsOf(item)) pushTo(byDirector, d, row);
    });
    for (const [studio, own] of studioRows) {
      // What TMDB 5000 holds of a studio can be one film (Spirited Away of Studio Ghibli's): its directors'
      // films of the same kind (two categories in common) stand in for the rest.
      const rows = own.length < MIN_FILMS ? withDirectorsFilms(items, own, byDirector) : own;
      if (rows.length < MIN_FILMS) continue;
      const words = keyWords(studio);
      const short = words.filter((w, i) => !(COMPANY_WORDS.has(w) && (i > 0 || words.length > 1)));
      if (words.length > 1 || (rare(words[0] ?? "") && own.length >= MIN_ONE_WORD))
        add(words.join(" "), studio, "studio", rows);
      // A one-word name no English word list has ("Ghibli") names its studio however few films it has here.
      const oneWordName =
        short.length === 1 &&
        rare(short[0]!) &&
        (own.length >= MIN_ONE_WORD || (!commonWords.has(short[0]!) && !surnames.has(short[0]!)));
      if (short.length > 1 || oneWordName) add(short.join(" "), studio, "studio", rows);
    }
    // Series: the first one or two content words of titles several films share.
    for (const [key, { name, rows }] of seriesRows) {
      const words = key.split(" ");
      // One word of a series is a name no frequent English word shares ("Batman", not "Funny ...");
      // two are a name unless texts use them as words ("high school") or they are the commonest words ("I am").
      if (words.length === 1 && (commonWords.has(words[0]!) || !nameLike(words[0]!))) continue;
      if (words.length === 1 && (lower.get(`^${key}`) ?? 0) < MIN_ONE_WORD) continue;
      if (words.length === 2 && (words.some(ordinary) || (lower.get(key) ?? 0) > 0)) continue;
      if (!this.byKey.has(key)) add(key, name, "series", rows);
    }
    this.addCharacters(items, characters, (key, times) => {
      const [first, second] = key.split(" ");
      return nameLike(first!) && (nameLike(second!) || (lower.get(key) ?? 0) <= NAME_SHARE * times);
    });
    this.maxWords = Math.max(1, ...[...this.byKey.keys()].map((k) => k.split(" ").length));
    for (const c of this.byKey.values()) if (!this.byName.has(c.name)) this.byName.set(c.name, c);
  }

  snapshot(): CollectionsSnapshot {
    const { byKey, byLastWord, byName, maxWords, runtime } = this;
    return { byKey, byLastWord, byName, maxWords, runtime };
  }

  static restore(saved: CollectionsSnapshot): Collections {
    return revive(Collections, { ...saved, runtime: ownCopy(saved.runtime) });
  }

  /**
   * Series named after a recurring character: a two-word name in the plots of at least MIN_SERIES films,
   * written capitalised (nearly) always, that is no person of the catalog and in none of those films' titles
   * ("James Bond", "Sherlock Holmes"). Its last
   * word alone names it too when films are asked for ("the bond films").
   */
  private addCharacters(
    items: readonly Item[],
    candidates: ReadonlyMap<string, CharacterCandidate>,
    isName: (key: string, timesCapitalised: number) => boolean,
  ): void {
    const people = new Set(peopleOf(items));
    for (const [key, { name, rows, times }] of candidates) {
      const words = key.split(" ");
      if (people.has(key) || !isName(key, times)) continue;
      // A name in its films' titles is the title-series rule's to judge, with its own guards.
      if ([...rows].some((row) => items[row]!.title.toLowerCase().includes(key))) continue;
      if (this.byKey.has(key)) continue;
      const collection: Collection = { name, kind: "series", rows: [...rows] };
      this.byKey.set(key, collection);
      const last = words[1]!;
      if (!this.byKey.has(last) && !this.byLastWord.has(last))
        this.byLastWord.set(last, collection);
    }
  }

  /** A collection by the name a reason gives it (what a follow-up turn keeps asking for). */
  named(name: string): Collection | undefined {
    return this.byName.get(name);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The studios and series a text names, longest names first, each once. */
  in(text: string): Collection[] {
    const words = keyWords(text);
    const found: Collection[] = [];
    for (let n = Math.min(this.maxWords, words.length); n >= 1; n--)
      for (let i = 0; i + n <= words.length; i++) {
        const c =
          this.byKey.get(words.slice(i, i + n).join(" ")) ??
          (n === 1 && SEVERAL.test(text) ? this.byLastWord.get(words[i]!) : undefined);
        if (n === 1 && c && words[i] === c.name.toLowerCase() && !SEVERAL.test(text)) continue;
        if (
          c &&
          !found.includes(c) &&
          !found.some((f) => f.name.toLowerCase().includes(c.name.toLowerCase()))
        )
          found.push(c);
      }
    return found;
  }
}

/**
 * How often each `wanted` word (and two-word phrase) is written in lower case in the catalog's texts, and
 * under "^word" how often capitalised: names are the words nearly always capitalised.
 */
function lowercaseUse(items: readonly Item[], wanted: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  const bump = (k: string) => out.set(k, (out.get(k) ?? 0) + 1);
  for (const item of items) {
    const words = item.text.match(/\p{L}[\p{L}'’]*/gu) ?? [];
    for (let i = 0; i < words.length; i++) {
      const w = withoutApostrophes(words[i]!);
      const lowerCase = w.toLowerCase();
      if (w === lowerCase) {
        if (wanted.has(w)) bump(w);
        const next = words[i + 1] && withoutApostrophes(words[i + 1]!);
        if (next && next === next.toLowerCase() && wanted.has(`${w} ${next}`)) bump(`${w} ${next}`);
      } else if (wanted.has(lowerCase)) bump(`^${lowerCase}`);
    }
  }
  return out;
}

/** Most words have no apostrophe: the test is cheaper than a replace on every word of every text. */
const withoutApostrophes = (w: string) =>
  w.includes("'") || w.includes("’") ? w.replace(/['’]/g, "") : w;

interface CharacterCandidate {
  name: string;
  rows: Set<number>;
  /** Times written capitalised in all texts. */
  times: number;
}

/** Two capitalised words together in the plots of at least MIN_SERIES films ("James Bond"): possible characters. */
function characterCandidates(items: readonly Item[]): Map<string, CharacterCandidate> {
  const rowsOf = new Map<string, CharacterCandidate>();
  items.forEach((item, row) => {
    for (const m of item.text.matchAll(/\b(\p{Lu}\p{Ll}{2,}) (\p{Lu}\p{Ll}{2,})\b/gu)) {
      const key = `${m[1]} ${m[2]}`.toLowerCase();
      const entry = rowsOf.get(key) ?? { name: `${m[1]} ${m[2]}`, rows: new Set(), times: 0 };
      entry.rows.add(row);
      entry.times++;
      rowsOf.set(key, entry);
    }
  });
  for (const [key, { rows }] of rowsOf) if (rows.size < MIN_SERIES) rowsOf.delete(key);
  return rowsOf;
}

/** The first `n` content words of a title as it writes them ("Harry Potter and the ..." -> "Harry Potter"). */
function titleWords(title: string, n: number): string {
  const parts = title.split(/\s+/);
  const out: string[] = [];
  for (const p of parts) {
    const w = tokens(p);
    if (w.length && w.every((x) => JOINERS.has(x)) && out.length === 0) continue;
    out.push(p.replace(/[:,.!?]+$/, ""));
    if (keyWords(out.join(" ")).length >= n) break;
  }
  return out.join(" ");
}
