// Finds catalog titles in free text: tolerant of case, punctuation, leading articles and missing years.
import { titleKey, normalizeText } from "./normalize.ts";
import type { Item } from "../types.ts";

export interface TitleMention {
  itemId: string;
  /** Character span in the original text. */
  start: number;
  end: number;
  matched: string;
}

interface Word {
  norm: string;
  start: number;
  end: number;
  capitalised: boolean;
}

const MAX_TITLE_WORDS = 12;
/** Words after which a film is named: "I loved ...", "something like ...", "have you seen ...". Not the
 * present "I love ...", said of anything ("my kids love dogs"). */
const CUE_BEFORE =
  /\b(?:(?:something|anything|more|films?|movies?|ones?|stuff) like|liked|loved|enjoyed|adored|watched|seen|saw|rewatched|similar to|as good as|favou?rite (?:is|was|film is|movie is))\s+$/i;
/** The end of a clause: punctuation, the end of the text, or a word that starts another clause. */
const CLAUSE_END = /^\s*(?:$|[.,;:!?)]|(?:and|but|or|so|was|is|were|as|because|last|yesterday)\b)/i;
/** Words this frequent are not taken for a title even when cued ("like it", "loved her"). */
const MOST_FREQUENT = 1_000;

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

export class TitleIndex {
  private readonly byKey = new Map<string, string[]>();
  private readonly yearOf = new Map<string, number | undefined>();
  /** Every word of the catalog: titles, people, keywords, categories and plots (normalised). */
  private readonly vocabulary = new Set<string>();

  constructor(
    items: readonly Item[],
    /** Everyday words by frequency rank (0 = most frequent). */
    private readonly commonWords: ReadonlyMap<string, number>,
    /** Higher wins among items sharing a title. */
    private readonly prior: (itemId: string) => number,
  ) {
    for (const item of items) {
      this.yearOf.set(item.id, item.year);
      this.learnWords(item);
      const key = titleKey(item.title);
      if (key) this.add(key, item.id);
      // "Star Wars: Episode IV - A New Hope" is also found as "A New Hope"-less "Star Wars" only when no other title owns it.
      const main = item.title.split(/[:(]/)[0]!;
      const mainKey = titleKey(main);
      if (mainKey && mainKey !== key && mainKey.split(" ").length >= 2)
        this.add(`~${mainKey}`, item.id);
    }
    for (const ids of this.byKey.values()) ids.sort((a, b) => this.prior(b) - this.prior(a));
  }

  private learnWords(item: Item): void {
    const texts = [item.title, item.text, ...item.categories];
    for (const v of Object.values(item.extra))
      if (Array.isArray(v)) texts.push(...v.filter((x) => typeof x === "string"));
      else if (typeof v === "string") texts.push(v);
    for (const t of texts)
      for (const w of normalizeText(t).split(" ")) if (w) this.vocabulary.add(w);
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

  private add(key: string, id: string): void {
    const ids = this.byKey.get(key);
    if (ids) ids.push(id);
    else this.byKey.set(key, [id]);
  }

  private lookup(key: string): string[] | undefined {
    return this.byKey.get(key) ?? this.byKey.get(`~${key}`);
  }

  /** A title made only of everyday words ("Up", "Her", "The One") needs capitals, quotes or a year to count. */
  private isWeak(span: Word[]): boolean {
    const significant = span.filter((w) => !["the", "a", "an", "of", "and"].includes(w.norm));
    // One word must be rarer than the 10,000 most frequent English words; several, rarer than the top 2,500.
    const limit = significant.length === 1 ? Infinity : 2_500;
    return (
      significant.length === 0 ||
      significant.every((w) => (this.commonWords.get(w.norm) ?? Infinity) < limit)
    );
  }

  /**
   * A title of everyday words said as the whole object of a liking or a comparison ("I loved arrival, ...",
   * "something like the matrix"): the words before it call for a film and it runs to the end of the clause.
   * Not for the most frequent words ("like it", "loved her"), which are pronouns and particles far more often.
   */
  private cued(text: string, span: Word[]): boolean {
    const before = text.slice(Math.max(0, span[0]!.start - 24), span[0]!.start);
    const after = text.slice(span.at(-1)!.end);
    const significant = span.filter((w) => !["the", "a", "an", "of", "and"].includes(w.norm));
    return (
      CUE_BEFORE.test(before) &&
      CLAUSE_END.test(after) &&
      significant.length > 0 &&
      significant.some((w) => (this.commonWords.get(w.norm) ?? Infinity) >= MOST_FREQUENT)
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
        const ids = this.lookup(keyWords.join(" "));
        if (!ids) continue;
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
        const described = indefinite && /^(?:movie|movies|film|films)$/.test(span.at(-1)!.norm);
        if (described && !quoted && !year && !span.every((w) => w.capitalised)) continue;
        // A capital at the start of a sentence ("Love to laugh!") says nothing about a title.
        const sentenceStart =
          i === 0 || /[.!?]\s*$/.test(text.slice(ws[i - 1]!.end, span[0]!.start));
        // A bare number ("after 2015", "2012") is a year or a count, never a title, unless quoted.
        if (span.every((w) => /^\d+$/.test(w.norm)) && !quoted) continue;
        if (
          this.isWeak(span) &&
          !quoted &&
          !year &&
          !(capitalised && (span.length > 1 || span[0]!.norm.length > 3) && !sentenceStart) &&
          !this.cued(text, span)
        )
          continue;
        const itemId =
          (year !== undefined && ids.find((id) => this.yearOf.get(id) === year)) || ids[0]!;
        const end =
          year !== undefined && ids.some((id) => this.yearOf.get(id) === year)
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
    return found;
  }
}
