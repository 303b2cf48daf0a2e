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

  constructor(
    items: readonly Item[],
    /** Everyday words by frequency rank (0 = most frequent). */
    private readonly commonWords: ReadonlyMap<string, number>,
    /** Higher wins among items sharing a title. */
    private readonly prior: (itemId: string) => number,
  ) {
    for (const item of items) {
      this.yearOf.set(item.id, item.year);
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
        if (
          this.isWeak(span) &&
          !quoted &&
          !year &&
          !(capitalised && (span.length > 1 || span[0]!.norm.length > 3) && !sentenceStart)
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
