// The people behind catalog items (directors, stars, authors), and finding their names in a message:
// "anything with Keanu Reeves" should count like a liked film of his.
import type { Item } from "../types.ts";
import { cellParts, normalizeText } from "./normalize.ts";
import { revive } from "./snapshot.ts";
import { editDistance } from "./titles.ts";
import { pushTo } from "../util/multimap.ts";

/** Fields naming the people behind an item, in any catalog (movies: directors, stars; books: authors). */
const PEOPLE_FIELDS = ["directors", "stars", "authors", "author", "creators"];

/**
 * Fields naming people a message may ask for but the ranker's shared-people feature leaves out: adding
 * movie writers to it cost ReDial dev R@10 0.237 -> 0.231 (the ranker was trained without them).
 */
export const REQUEST_ONLY_FIELDS = ["writers"];

/** The item's people as name keys (normalised: "samuel l jackson"). */
export function itemPeople(
  extra: Item["extra"],
  fields: readonly string[] = PEOPLE_FIELDS,
): string[] {
  const out: string[] = [];
  for (const field of fields) {
    const v = extra[field];
    // A CSV cell holds several names as "A, B" (goodbooks authors); JSONL holds an array.
    const names = Array.isArray(v) ? v : typeof v === "string" ? cellParts(v) : [];
    for (const p of names) {
      const key = typeof p === "string" ? normalizeText(p) : "";
      if (key) out.push(key);
    }
  }
  return [...new Set(out)];
}

const MAX_NAME_TOKENS = 4;
/** A one-word name stands for the person with the most credits under it when they have this many... */
const MIN_CREDITS = 5;
/** ...and this many times the credits of the next person under the same word ("nolan": Christopher). */
const DOMINANCE = 3;
/** "the coen brothers": everyone under the surname with at least this share of the first one's credits. */
const SIBLING_SHARE = 0.25;

/** A name found in a text: the person's key and the words that named them. */
export interface NamedPerson {
  key: string;
  matched: string;
}

/** A word this frequent (rank in data/common-words.txt) is an everyday word, never a slip in a name. */
const EVERYDAY_RANK = 5_000;

/** What a restart reads back (src/catalog/snapshot.ts). */
export interface PeopleIndexSnapshot {
  names: Set<string>;
  byWord: Map<string, string>;
  bySurname: Map<string, string[]>;
  byFirstWord: Map<string, Array<readonly string[]>>;
}

export class PeopleIndex {
  /** Names of two or more words only: one-word names ("Rain", "Madonna") are too often ordinary words. */
  private readonly names = new Set<string>();
  /** A first name or surname alone ("scorsese", "denzel") -> the one person it stands for in the catalog. */
  private readonly byWord = new Map<string, string>();
  /** A surname -> the people sharing it, most credits first ("coen" -> Joel and Ethan Coen). */
  private readonly bySurname = new Map<string, string[]>();
  /** Ordinary words: alone they name nobody ("washington", "cruise"). */
  private readonly common: ReadonlyMap<string, number>;
  /** Full names by their first word, for a name written with a slip in a later word ("jim carey"). */
  private readonly byFirstWord = new Map<string, Array<readonly string[]>>();

  constructor(items: readonly Item[], commonWords: ReadonlyMap<string, number> = new Map()) {
    this.common = commonWords;
    // A surname alone means someone known for directing or starring: writing credits name people in
    // full only ("nolan" is Christopher, not his brother Jonathan, the writer).
    const credits = new Map<string, number>();
    for (const item of items) {
      for (const key of itemPeople(item.extra, REQUEST_ONLY_FIELDS))
        if (key.includes(" ")) this.names.add(key);
      for (const key of itemPeople(item.extra))
        if (key.includes(" ")) {
          this.names.add(key);
          credits.set(key, (credits.get(key) ?? 0) + 1);
        }
    }
    for (const key of this.names) {
      const words = key.split(" ");
      pushTo(this.byFirstWord, words[0]!, words);
    }
    const under = new Map<string, Array<[string, number]>>();
    for (const [key, n] of credits) {
      const words = key.split(" ");
      for (const w of new Set([words[0]!, words.at(-1)!]))
        if (w.length >= 4) pushTo(under, w, [key, n]);
    }
    for (const [word, people] of under) {
      people.sort((a, b) => b[1] - a[1]);
      const [first, second] = people;
      if (first![1] >= MIN_CREDITS && (!second || first![1] >= DOMINANCE * second[1]))
        this.byWord.set(word, first![0]);
      const siblings = people.filter(
        ([k, n]) => k.endsWith(` ${word}`) && n >= MIN_CREDITS && n >= SIBLING_SHARE * first![1],
      );
      if (siblings.length >= 2)
        this.bySurname.set(
          word,
          siblings.map(([k]) => k),
        );
    }
  }

  snapshot(): PeopleIndexSnapshot {
    const { names, byWord, bySurname, byFirstWord } = this;
    return { names, byWord, bySurname, byFirstWord };
  }

  static restore(
    saved: PeopleIndexSnapshot,
    commonWords: ReadonlyMap<string, number>,
  ): PeopleIndex {
    return revive(PeopleIndex, { ...saved, common: commonWords });
  }

  get size(): number {
    return this.names.size;
  }

  /**
   * The one full name the words from `i` are, but for a slip in a word after the first ("jim carey", "tom
   * hnaks"): the first name exact, every other word at most one edit away and no everyday word (rarer names
   * such as "carey" are on the common-words list too).
   */
  private withSlip(words: readonly string[], i: number): readonly string[] | undefined {
    const found = (this.byFirstWord.get(words[i]!) ?? []).filter((kw) => {
      if (i + kw.length > words.length) return false;
      let slips = 0;
      for (let k = 1; k < kw.length; k++) {
        const typed = words[i + k]!;
        if (typed === kw[k]) continue;
        if (
          kw[k]!.length < 4 ||
          (this.common.get(typed) ?? Infinity) < EVERYDAY_RANK ||
          editDistance(typed, kw[k]!) > 1
        )
          return false;
        slips++;
      }
      return slips > 0;
    });
    return found.length === 1 ? found[0] : undefined;
  }

  /** Name keys of the people the text names, in order of appearance, longest match first. */
  find(text: string): string[] {
    return [...new Set(this.findNamed(text).map((n) => n.key))];
  }

  /**
   * The people a text names and the words that name them: full names ("samuel l jackson"), a surname or
   * first name that stands for one person ("scorsese", "denzel's"), a family ("the coen brothers").
   */
  findNamed(text: string): NamedPerson[] {
    const words = normalizeText(text).split(" ").filter(Boolean);
    const found: NamedPerson[] = [];
    const add = (key: string, matched: string) => {
      if (!found.some((f) => f.key === key)) found.push({ key, matched });
    };
    for (let i = 0; i < words.length; i++) {
      let n = Math.min(MAX_NAME_TOKENS, words.length - i);
      for (; n >= 2; n--) {
        const key = words.slice(i, i + n).join(" ");
        if (this.names.has(key)) {
          add(key, key);
          i += n - 1;
          break;
        }
      }
      if (n < 2) {
        const slipped = this.withSlip(words, i);
        if (slipped) {
          add(slipped.join(" "), words.slice(i, i + slipped.length).join(" "));
          i += slipped.length - 1;
          continue;
        }
      }
      // Without a list of ordinary words to tell names from words, one word names nobody.
      if (n >= 2 || this.common.size === 0) continue;
      const word = words[i]!;
      const family = this.bySurname.get(word);
      if (family && /^(?:brothers|sisters|bros)$/.test(words[i + 1] ?? "")) {
        for (const key of family) add(key, `${word} ${words[i + 1]}`);
        i++;
        continue;
      }
      // "the wachowskis": a surname in the plural is the family, when several people share it.
      const plural = word.endsWith("s") ? this.bySurname.get(word.slice(0, -1)) : undefined;
      if (plural && plural.length > 1 && words[i - 1] === "the" && !this.common.has(word)) {
        for (const key of plural) add(key, word);
        continue;
      }
      // "denzel's" is "denzels" once normalised.
      const possessive = word.endsWith("s") && !this.byWord.has(word) ? word.slice(0, -1) : "";
      const key = this.byWord.get(word) ?? (possessive ? this.byWord.get(possessive) : undefined);
      if (key && !this.common.has(possessive || word)) add(key, word);
    }
    return found;
  }
}
