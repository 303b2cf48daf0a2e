// Finds catalog titles in free text: tolerant of case, punctuation, leading articles and missing years, and
// of typos ("the shinning", "jurasic park") through an index of the titles' words (title-words.ts) built
// once at start-up.
import { titleKey, normalizeText } from "./normalize.ts";
import { ownCopy, revive } from "./snapshot.ts";
import { SortedWords, type SortedWordsSnapshot } from "./sorted-words.ts";
import { TitleKeys, type TitleKeysSnapshot } from "./title-keys.ts";
import { TitleWords, type TitleWordsSnapshot } from "./title-words.ts";
import type { Item } from "../types.ts";
import { pushTo } from "../util/multimap.ts";

export interface TitleMention {
  itemId: string;
  /** Character span in the original text. */
  start: number;
  end: number;
  matched: string;
  /**
   * Found despite a typo: "confident" when the words are this title's but for a slip, "unsure" when they are
   * close but could be meant otherwise (the bot asks "Did you mean ...?" instead of linking it).
   */
  typo?: "confident" | "unsure";
}

interface Word {
  norm: string;
  start: number;
  end: number;
  capitalised: boolean;
}

const MAX_TITLE_WORDS = 12;
/** Keys shorter than this (letters) are not searched with typos: too many words are a slip away from them. */
const MIN_FUZZY_LENGTH = 5;
/** A typo is linked without asking only in titles at least this long (letters). */
const MIN_SURE_LENGTH = 7;
/** An article-agreeing film must be at least this likely, relative to the most likely one, to be preferred. */
const ARTICLE_PRIOR_SHARE = 0.5;
const MAX_FUZZY_CANDIDATES = 60;
/** Words either side of a possible typo that the fuzzy index is asked about with it. */
const FUZZY_WINDOW = 4;
/** Words after which a film is named: "I loved ...", "something like ...", "have you seen ...". Not the
 * present "I love ...", said of anything ("my kids love dogs"). */
const CUE_BEFORE =
  /\b(?:(?:something|anything|more|films?|movies?|ones?|stuff) like|liked|loved|enjoyed|adored|watched|seen|saw|rewatched|similar to|as good as|favou?rite (?:is|was|film is|movie is))\s+$/i;
/** The end of a clause: punctuation, the end of the text, or a word that starts another clause. */
const CLAUSE_END =
  /^\s*(?:$|[.,;:!?)]|(?:and|but|or|so|was|is|were|as|because|last|yesterday|please|pls|though|too)\b)/i;
/** Chat shorthand no word list holds: everyday words in a message, never a title on their own ("LOL"). */
const CHAT_WORDS = new Set(
  "lol lmao rofl omg idk btw tbh imo imho pls plz thx ty haha hahaha hehe ugh meh nah yep yup".split(
    " ",
  ),
);
/** Words this frequent are not taken for a title even when cued ("like it", "loved her"). */
const MOST_FREQUENT = 500;

function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’&.]*/gu)) {
    const norm = normalizeText(m[0]).replace(/ /g, "");
    if (!norm) continue;
    out.push({
      norm,
      start: m.index,
      end: m.index + m[0].length,
      capitalised: /^[\p{Lu}\p{N}]/u.test(m[0]),
    });
  }
  return out;
}

/** What a restart reads back (src/catalog/snapshot.ts): the index's own fields, not what it is given. */
export interface TitleIndexSnapshot {
  keys: TitleKeysSnapshot;
  fuzzyKeys: Int32Array;
  vocabulary: SortedWordsSnapshot;
  fuzzy: TitleWordsSnapshot;
}

export class TitleIndex {
  /** Title keys and their rows, most likely first. */
  private readonly keys: TitleKeys;
  /** Every word of the catalog: titles, people, keywords, categories and plots (normalised). */
  private readonly vocabulary: SortedWords;
  /** Title keys by their words, searched with typos allowed (candidates only; the edit distance decides). */
  private readonly fuzzy: TitleWords;
  /** The key ids of `fuzzy`'s ids: the keys long enough to tell a typo from another word. */
  private readonly fuzzyKeys: Int32Array;

  constructor(
    private readonly items: readonly Item[],
    /** Everyday words by frequency rank (0 = most frequent). */
    private readonly commonWords: ReadonlyMap<string, number>,
    /** Higher wins among items sharing a title. */
    private readonly prior: (itemId: string) => number,
    /** Whether an item has a text, when the items may no longer carry theirs (Catalog.dropTexts). */
    private readonly hasText: (itemId: string) => boolean = withTexts(items),
  ) {
    const written = new Set<string>();
    const vocabulary = new Set<string>();
    const byKey = new Map<string, number[]>();
    const ownKeys = items.map((item, row) => {
      learnWords(item, written, vocabulary);
      const key = titleKey(item.title);
      if (key) pushTo(byKey, key, row);
      // "the godfather part 2" for "Part II", "rocky 3" for "Rocky III": sequel numbers either way.
      const numbered = withArabicNumerals(key);
      if (numbered !== key) pushTo(byKey, `~${numbered}`, row);
      // "Star Wars: Episode IV - A New Hope" is also found as "A New Hope"-less "Star Wars" only when no other title owns it.
      const main = item.title.split(/[:(]/)[0]!;
      const mainKey = titleKey(main);
      if (mainKey && mainKey !== key && mainKey.split(" ").length >= 2)
        pushTo(byKey, `~${mainKey}`, row);
      return key;
    });
    const priorOf = (row: number) => this.prior(items[row]!.id);
    for (const rows of byKey.values()) rows.sort((a, b) => priorOf(b) - priorOf(a));
    this.keys = TitleKeys.of(byKey, ownKeys);
    this.vocabulary = SortedWords.of(vocabulary);
    // In the order the items first give them, which breaks the fuzzy index's ties.
    const fuzzyKeys = [...byKey.keys()].filter(
      (key) => key.replace(/[ ~]/g, "").length >= MIN_FUZZY_LENGTH,
    );
    this.fuzzyKeys = Int32Array.from(fuzzyKeys, (key) => this.keys.id(key));
    this.fuzzy = TitleWords.of(fuzzyKeys.map((key) => key.replace(/^~/, "")));
  }

  snapshot(): TitleIndexSnapshot {
    const { keys, fuzzyKeys, vocabulary, fuzzy } = this;
    return {
      keys: keys.snapshot(),
      fuzzyKeys,
      vocabulary: vocabulary.snapshot(),
      fuzzy: fuzzy.snapshot(),
    };
  }

  static restore(
    saved: TitleIndexSnapshot,
    items: readonly Item[],
    commonWords: ReadonlyMap<string, number>,
    prior: (itemId: string) => number,
    hasText: (itemId: string) => boolean,
  ): TitleIndex {
    return revive(TitleIndex, {
      keys: TitleKeys.restore(saved.keys),
      fuzzyKeys: ownCopy(saved.fuzzyKeys),
      vocabulary: SortedWords.restore(saved.vocabulary),
      fuzzy: TitleWords.restore(saved.fuzzy),
      items,
      commonWords,
      prior,
      hasText,
    });
  }

  /** The id of a row's title key (-1 for a title without one): rows of one id share their title. */
  keyIdOf(row: number): number {
    return this.keys.ownKey(row);
  }

  /** A row's title key, "" for a title without one. */
  keyOf(row: number): string {
    const id = this.keys.ownKey(row);
    return id < 0 ? "" : this.keys.key(id);
  }

  /** The rows whose title key starts with `prefix`. */
  rowsWithKeyPrefix(prefix: string): number[] {
    return this.keys.rowsWithPrefix(prefix);
  }

  private isFrequent(word: string): boolean {
    return (this.commonWords.get(word) ?? Infinity) < MOST_FREQUENT;
  }

  /** A frequent English word ("the", "moon", "order"): by itself never a name. */
  isCommonWord(word: string): boolean {
    return this.commonWords.has(normalizeText(word));
  }

  /** A word the bot has seen anywhere: an English word or a word of the catalog's titles, people or texts. */
  knows(word: string): boolean {
    const w = normalizeText(word);
    return this.commonWords.has(w) || this.vocabulary.has(w);
  }

  /** The item whose whole title a name is ("up", "the one"), written any way; undefined when none. */
  exactTitle(name: string): string | undefined {
    const found = this.lookup(titleKey(name));
    return found ? this.asWritten(found, /^(?:the|a|an)\s/i.test(name.trim())) : undefined;
  }

  /**
   * Among films sharing a title key (most likely first), the one whose title has a leading article when the
   * text has one and none when it has none ("heat" is Heat, "the heat" The Heat), unless it is much less
   * likely than the first: people drop articles ("godfather" is still The Godfather).
   */
  private asWritten(found: readonly Item[], withArticle: boolean): string {
    const exact = found.find((item) => ARTICLED.test(item.title) === withArticle);
    return this.fullest(
      exact !== undefined && this.prior(exact.id) >= ARTICLE_PRIOR_SHARE * this.prior(found[0]!.id)
        ? exact
        : found[0]!,
      found,
    );
  }

  /** Of several records of one film (the same IMDb id), the one with a plot and people, not an empty copy. */
  private fullest(item: Item, found: readonly Item[]): string {
    const film = filmOf(item);
    if (film === undefined) return item.id;
    let best = item;
    for (const other of found)
      if (filmOf(other) === film && this.fullness(other) > this.fullness(best)) best = other;
    return best.id;
  }

  /** How much a record says of its film: a plot, directors, stars. */
  private fullness(item: Item): number {
    return (
      (this.hasText(item.id) ? 1 : 0) +
      ["directors", "stars"].filter((f) => (item.extra[f] as unknown[] | undefined)?.length).length
    );
  }

  /** The items of a title key, most likely first. */
  private lookup(key: string): Item[] | undefined {
    let id = this.keys.id(key);
    if (id < 0) id = this.keys.id(`~${key}`);
    if (id < 0) return undefined;
    return Array.from(this.keys.rowsOf(id), (r) => this.items[r]!);
  }

  /** A title made only of everyday words ("Up", "Her", "The One") needs capitals, quotes or a year to count. */
  private isWeak(span: Word[]): boolean {
    const significant = span.filter((w) => !["the", "a", "an", "of", "and"].includes(w.norm));
    // One word must be rarer than the 10,000 most frequent English words; several, rarer than the top 2,500.
    const limit = significant.length === 1 ? Infinity : 2_500;
    return (
      significant.length === 0 ||
      significant.every(
        (w) => (this.commonWords.get(w.norm) ?? Infinity) < limit || CHAT_WORDS.has(w.norm),
      )
    );
  }

  /**
   * A title of everyday words said as the whole object of a liking or a comparison ("I loved arrival, ...",
   * "something like the matrix"): the words before it call for a film and it runs to the end of the clause.
   * Not for the most frequent words ("like it", "loved her"), which are pronouns and particles far more often,
   * unless `capitalised` mid-sentence ("I loved Up").
   */
  private cued(text: string, span: Word[], capitalised = false): boolean {
    const before = text.slice(Math.max(0, span[0]!.start - 24), span[0]!.start);
    const after = text.slice(span.at(-1)!.end);
    const significant = span.filter((w) => !["the", "a", "an", "of", "and"].includes(w.norm));
    return (
      CUE_BEFORE.test(before) &&
      CLAUSE_END.test(after) &&
      significant.length > 0 &&
      // Written with a capital mid-sentence ("I loved Up", "we watched Big"), even these words are titles.
      (capitalised ||
        significant.some((w) => (this.commonWords.get(w.norm) ?? Infinity) >= MOST_FREQUENT))
    );
  }

  find(text: string): TitleMention[] {
    const ws = words(text);
    const found: TitleMention[] = [];
    for (let i = 0; i < ws.length;) {
      let matched = 0;
      for (let len = Math.min(MAX_TITLE_WORDS, ws.length - i); len >= 1 && !matched; len--) {
        const span = ws.slice(i, i + len);
        let keyWords = span.map((w) => w.norm);
        if (keyWords.length > 1 && ["the", "a", "an"].includes(keyWords[0]!))
          keyWords = keyWords.slice(1);
        const titled = this.lookup(keyWords.join(" "));
        if (!titled) continue;
        const next = ws[i + len];
        const year = next && /^(19|20)\d\d$/.test(next.norm) ? Number(next.norm) : undefined;
        const quoted =
          /["“”'‘]$/.test(text.slice(0, span[0]!.start)) ||
          /^["“”'’]/.test(text.slice(span.at(-1)!.end));
        const capitalised = span
          .filter(
            (w) =>
              w.norm.length > 3 ||
              !["the", "a", "an", "of", "and", "in", "to", "on"].includes(w.norm),
          )
          .every((w) => w.capitalised);
        // "a superhero movie", "any scary movie": a description, not the films "Superhero Movie" or "Scary Movie".
        const indefinite =
          ["a", "an"].includes(span[0]!.norm) ||
          /\b(?:a|an|any|some|another|good|great)\s+$/i.test(
            text.slice(Math.max(0, span[0]!.start - 12), span[0]!.start),
          );
        const described =
          indefinite &&
          (/^(?:movie|movies|film|films)$/.test(span.at(-1)!.norm) ||
            /^(?:movie|movies|film|films|flick|flicks|one|ones)$/.test(ws[i + len]?.norm ?? ""));
        if (described && !quoted && !year && !span.every((w) => w.capitalised)) continue;
        // "a sci-fi movie with robots", "films about sharks": a topic after with/about, not the film "Robots".
        const topic =
          span.length === 1 &&
          !span[0]!.capitalised &&
          /\b(?:with|about|featuring|involving)\s+(?:(?:a|an|some|lots of|giant|killer)\s+)?$/i.test(
            text.slice(Math.max(0, span[0]!.start - 24), span[0]!.start),
          );
        if (topic && !quoted && !year) continue;
        // A capital at the start of a sentence ("Love to laugh!") says nothing about a title.
        const sentenceStart =
          i === 0 || /[.!?]\s*$/.test(text.slice(ws[i - 1]!.end, span[0]!.start));
        // A bare number ("after 2015", "2012") is a year or a count, never a title, unless quoted.
        if (span.every((w) => /^\d+$/.test(w.norm)) && !quoted) continue;
        if (
          this.isWeak(span) &&
          !quoted &&
          !year &&
          !(
            capitalised &&
            !sentenceStart &&
            (span.length > 1 || span[0]!.norm.length > 3 || this.cued(text, span, true))
          ) &&
          !this.cued(text, span)
        )
          continue;
        const itemId =
          (year !== undefined && titled.find((item) => item.year === year)?.id) ||
          this.asWritten(
            titled,
            ["the", "a", "an"].includes((span.length > 1 ? span[0] : ws[i - 1])?.norm ?? ""),
          );
        const end =
          year !== undefined && titled.some((item) => item.year === year)
            ? next!.end
            : span.at(-1)!.end;
        found.push({
          itemId,
          start: span[0]!.start,
          end,
          matched: text.slice(span[0]!.start, end),
        });
        matched = len + (end !== span.at(-1)!.end ? 1 : 0);
      }
      i += matched || 1;
    }
    return this.withTypos(text, ws, found);
  }

  /**
   * Titles written with a typo, in the words no exact title took: each word that is no frequent English word
   * asks the fuzzy index for titles with a word close to it; a title counts when the words around that word
   * are within a few edits of its whole key, word by word (so "forest gump" is Forrest Gump, while "a heist
   * movie" or "the moon" are no title). A near miss that could be meant otherwise is "unsure": asked about,
   * not linked.
   */
  private withTypos(text: string, ws: Word[], exact: TitleMention[]): TitleMention[] {
    const found = [...exact];
    const taken = (w: Word) => found.some((m) => w.start < m.end && w.end > m.start);
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (taken(w) || /^\d+$/.test(w.norm) || w.norm.length < 4) continue;
      if (this.commonWords.has(w.norm)) continue;
      // The words around it, so titles sharing several of them come first among the candidates.
      const window = ws
        .slice(Math.max(0, i - FUZZY_WINDOW), i + FUZZY_WINDOW + 1)
        .filter((x) => x === w || (!taken(x) && x.norm.length >= 3 && !this.isFrequent(x.norm)))
        .map((x) => x.norm);
      let best: { key: string; from: number; to: number; distance: number } | undefined;
      let ties = 0;
      for (const id of this.fuzzy.candidates(w.norm, window, MAX_FUZZY_CANDIDATES)) {
        const key = this.keys.key(this.fuzzyKeys[id]!);
        const keyWords = key.replace(/^~/, "").split(" ");
        const n = keyWords.length;
        const target = keyWords.join(" ");
        // Spans of the title's length that contain this word.
        for (let from = Math.max(0, i - n + 1); from <= i && from + n <= ws.length; from++) {
          const span = ws.slice(from, from + n);
          // A longer title may take in a shorter one found exactly ("avengers" of "avengers infinty war").
          const inside = (m: TitleMention) =>
            m.start >= span[0]!.start && m.end <= span.at(-1)!.end && !m.typo;
          if (span.some((x) => found.some((m) => !inside(m) && x.start < m.end && x.end > m.start)))
            continue;
          const spanKey = span.map((x) => x.norm).join(" ");
          if (spanKey === target) continue; // exact: the exact pass decided on it
          // Every word close to its word of the title: no word swapped for another.
          // The longer of the two words sets the slips allowed: "prejudis" is two slips from "prejudice".
          const wordEdits = (x: Word, k: number) =>
            maxEdits(x.norm.length >= keyWords[k]!.length ? x.norm : keyWords[k]!);
          if (!span.every((x, k) => editDistance(x.norm, keyWords[k]!) <= wordEdits(x, k)))
            continue;
          if (editDistance(spanKey, target) > maxEdits(target.replace(/ /g, ""))) continue;
          // A real word is no typo by itself ("gory" is not Gordy): only words the bot does not know may
          // differ, or a single rarer word among several that match; never an everyday one ("scary movies").
          const differing = span.filter((x, k) => x.norm !== keyWords[k]);
          // A plural is a word, not a slip: "thrillers" are the genre, not the film The Thriller.
          const plural = (x: Word) => {
            const w = keyWords[span.indexOf(x)]!;
            return x.norm.startsWith(w) && /^(?:s|es)$/.test(x.norm.slice(w.length));
          };
          if (differing.some(plural)) continue;
          // People rarely miss a word's first letter ("rewatched" is not Bewitched).
          if (differing.some((x) => x.norm[0] !== keyWords[span.indexOf(x)]![0])) continue;
          const oneRareSlip =
            n >= 2 && differing.length === 1 && !this.commonWords.has(differing[0]!.norm);
          // An everyday word a doubled letter away, beside a rare word written exactly ("forest gump").
          const doubledBesideRare =
            differing.length === 1 &&
            undouble(differing[0]!.norm) === undouble(keyWords[span.indexOf(differing[0]!)]!) &&
            span.some((x, k) => x.norm === keyWords[k] && !this.commonWords.has(x.norm));
          if (!differing.every((x) => !this.knows(x.norm)) && !oneRareSlip && !doubledBesideRare)
            continue;
          // A doubled or undoubled letter is the commonest slip: "shinning" is nearer Shining than Thinning.
          const distance =
            editDistance(spanKey, target) + editDistance(undouble(spanKey), undouble(target));
          if (best && distance === best.distance && key !== best.key) ties++;
          if (!best || distance < best.distance) {
            ties = 0;
            best = { key, from, to: from + n, distance };
          }
        }
      }
      if (!best) continue;
      // A leading article the title key drops ("the shinning") belongs to the mention.
      const article = best.from > 0 && ["the", "a", "an"].includes(ws[best.from - 1]!.norm);
      const start = ws[article ? best.from - 1 : best.from]!.start;
      const end = ws[best.to - 1]!.end;
      for (let k = found.length - 1; k >= 0; k--)
        if (found[k]!.start >= start && found[k]!.end <= end) found.splice(k, 1);
      const length = best.key.replace(/[ ~]/g, "").length;
      // Sure only when nothing else is as close, and the title is long enough for a slip to be a slip, or
      // the slip is a doubled letter in a word that is no word ("the hobit").
      const typed = ws.slice(best.from, best.to).map((x) => x.norm);
      const target = best.key.replace(/^~/, "").split(" ");
      const doubledOnly =
        undouble(typed.join(" ")) === undouble(target.join(" ")) &&
        typed.every((x, k) => x === target[k] || !this.knows(x));
      const sure = ties === 0 && (length >= MIN_SURE_LENGTH || doubledOnly);
      found.push({
        itemId: this.lookup(best.key)![0]!.id,
        start,
        end,
        matched: text.slice(start, end),
        typo: sure ? "confident" : "unsure",
      });
      i = best.to - 1;
    }
    return found.sort((a, b) => a.start - b.start);
  }
}

const ARTICLED = /^(?:the|a|an)\s/i;

/** Whether an item has a text, asked of items that carry theirs (the set made at the first question). */
function withTexts(items: readonly Item[]): (itemId: string) => boolean {
  let ids: Set<string> | undefined;
  return (id) =>
    (ids ??= new Set(items.filter((item) => item.text).map((item) => item.id))).has(id);
}

/** The film a record is of (its IMDb id), when the catalog says. */
function filmOf(item: Item): string | undefined {
  const imdb = item.extra.imdbId;
  return typeof imdb === "string" && imdb ? imdb : undefined;
}

const undouble = (s: string) => s.replace(/(.)\1+/g, "$1");

const ROMAN: Readonly<Record<string, string>> = {
  ii: "2",
  iii: "3",
  iv: "4",
  v: "5",
  vi: "6",
  vii: "7",
  viii: "8",
  ix: "9",
};

/** A title key with its sequel numbers in digits: "godfather part ii" -> "godfather part 2". */
function withArabicNumerals(key: string): string {
  const words = key.split(" ");
  // Only after the first word: "V for Vendetta" and "Vi" are no sequel numbers.
  return words.map((w, i) => (i > 0 && ROMAN[w] ? ROMAN[w] : w)).join(" ");
}

/** Edits allowed in a word or key of this many letters: one slip per five letters or so, up to three. */
function maxEdits(word: string): number {
  return word.length >= 14 ? 3 : word.length >= 9 ? 2 : 1;
}

/** Damerau-Levenshtein distance (optimal string alignment): a swap of two letters is one edit. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/**
 * Adds `item`'s words to `vocabulary`. `written`: the forms read so far; texts repeat their words, and each
 * is normalised once.
 */
function learnWords(item: Item, written: Set<string>, vocabulary: Set<string>): void {
  const texts = [item.title, item.text, ...item.categories];
  for (const v of Object.values(item.extra))
    if (Array.isArray(v)) texts.push(...v.filter((x) => typeof x === "string"));
    else if (typeof v === "string") texts.push(v);
  for (const t of texts)
    for (const chunk of t.split(/\s+/)) {
      if (written.has(chunk)) continue;
      written.add(chunk);
      for (const w of normalizeText(chunk).split(" ")) if (w) vocabulary.add(w);
    }
}
