// The people behind catalog items (directors, stars, authors), and finding their names in a message:
// "anything with Keanu Reeves" should count like a liked film of his.
import type { Item } from "../types.ts";
import { normalizeText } from "./normalize.ts";

/** Fields naming the people behind an item, in any catalog (movies: directors, stars; books: authors). */
const PEOPLE_FIELDS = ["directors", "stars", "authors", "author", "creators"];

/** The item's people as name keys (normalised: "samuel l jackson"). */
export function itemPeople(extra: Item["extra"]): string[] {
  const out: string[] = [];
  for (const field of PEOPLE_FIELDS) {
    const v = extra[field];
    // A CSV cell holds several names as "A, B" (goodbooks authors); JSONL holds an array.
    const names = Array.isArray(v) ? v : typeof v === "string" ? v.split(/\s*[,;|]\s*/) : [];
    for (const p of names) {
      const key = typeof p === "string" ? normalizeText(p) : "";
      if (key) out.push(key);
    }
  }
  return [...new Set(out)];
}

const MAX_NAME_TOKENS = 4;

export class PeopleIndex {
  /** Names of two or more words only: one-word names ("Rain", "Madonna") are too often ordinary words. */
  private readonly names = new Set<string>();

  constructor(items: readonly Item[]) {
    for (const item of items)
      for (const key of itemPeople(item.extra)) if (key.includes(" ")) this.names.add(key);
  }

  get size(): number {
    return this.names.size;
  }

  /** Name keys of the people the text names, in order of appearance, longest match first. */
  find(text: string): string[] {
    const words = normalizeText(text).split(" ").filter(Boolean);
    const found: string[] = [];
    for (let i = 0; i < words.length; i++) {
      for (let n = Math.min(MAX_NAME_TOKENS, words.length - i); n >= 2; n--) {
        const key = words.slice(i, i + n).join(" ");
        if (this.names.has(key)) {
          if (!found.includes(key)) found.push(key);
          i += n - 1;
          break;
        }
      }
    }
    return found;
  }
}
