// Categories that are names ("leo tolstoy", "j.k. rowling": goodbooks' authors ingested as categories; a cell
// listing several, "leo tolstoy, louise maude", counts for each), found
// in a message the way people name them: in full, by a surname that stands for one of them ("tolstoy"), or
// with a one-letter slip in that surname ("dostoevsky"). Works on any catalog; one-word categories ("sport",
// "comedy") are left to the category synonyms and the interest model, so the demo movie catalog reads as before.
import { commonWords } from "../catalog/common-words.ts";
import { cellParts, normalizeText } from "../catalog/normalize.ts";
import type { Item } from "../types.ts";
import { CATEGORY_SYNONYMS } from "./patterns.ts";
import { oncePerList } from "../util/per-list.ts";

/** A surname alone names a category with at least this many items... */
const MIN_ITEMS = 3;
/** ...and this many times the items of the next category under the same surname. */
const DOMINANCE = 3;
/** A surname this long or longer may be written with one letter wrong, missing or extra. */
const TYPO_MIN_LENGTH = 7;

/** Whether a and b are one insertion, deletion or substitution apart. */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export class CategoryNames {
  /** Normalised full name -> the category as stored. */
  private readonly names = new Map<string, string>();
  /** A surname -> the one category it stands for. */
  private readonly bySurname = new Map<string, string>();
  /** namesOf's answer per category list (see oncePerList). */
  private readonly namesOfList = new WeakMap<readonly string[], readonly string[]>();

  constructor(items: readonly Item[]) {
    const synonyms = new Set(
      Object.entries(CATEGORY_SYNONYMS).flatMap(([w, c]) => [normalizeText(w), normalizeText(c)]),
    );
    // Counted per list of categories, which items share: a million items have a few thousand lists.
    const itemsOfList = new Map<readonly string[], number>();
    for (const item of items)
      itemsOfList.set(item.categories, (itemsOfList.get(item.categories) ?? 0) + 1);
    const counts = new Map<string, number>();
    for (const [list, n] of itemsOfList)
      for (const c of new Set(list.flatMap(cellParts)))
        if (c) counts.set(c, (counts.get(c) ?? 0) + n);
    const under = new Map<string, Array<[string, number]>>();
    for (const [category, n] of counts) {
      const key = normalizeText(category);
      const words = key.split(" ");
      // A name has a space: "talk-show" and "sci-fi" are compound words.
      if (!category.includes(" ") || words.length < 2 || synonyms.has(key)) continue;
      this.names.set(key, category);
      const surname = words.at(-1)!;
      if (surname.length >= 4 && !commonWords().has(surname) && !synonyms.has(surname))
        under.set(surname, [...(under.get(surname) ?? []), [category, n]]);
    }
    for (const [surname, list] of under) {
      list.sort((a, b) => b[1] - a[1]);
      const [first, second] = list;
      if (first![1] >= MIN_ITEMS && (!second || first![1] >= DOMINANCE * second[1]))
        this.bySurname.set(surname, first![0]);
    }
  }

  get size(): number {
    return this.names.size;
  }

  /** The names among an item's categories, as name keys ("j k rowling"), like the people of people.ts. */
  namesOf(categories: readonly string[]): readonly string[] {
    return oncePerList(this.namesOfList, categories, (list) => {
      const keys = list.flatMap(cellParts).map((c) => normalizeText(c));
      return [...new Set(keys.filter((k) => this.names.has(k)))];
    });
  }

  /** The categories a text names, in order of appearance. */
  find(text: string): string[] {
    const words = normalizeText(text).split(" ").filter(Boolean);
    const found: string[] = [];
    const add = (c: string) => {
      if (!found.includes(c)) found.push(c);
    };
    for (let i = 0; i < words.length; i++) {
      let n = Math.min(5, words.length - i);
      for (; n >= 2; n--) {
        const c = this.names.get(words.slice(i, i + n).join(" "));
        if (c) {
          add(c);
          i += n - 1;
          break;
        }
      }
      if (n >= 2) continue;
      const word = words[i]!;
      if (commonWords().has(word)) continue;
      const possessive = word.endsWith("s") ? word.slice(0, -1) : "";
      const exact = this.bySurname.get(word) ?? (possessive && this.bySurname.get(possessive));
      if (exact) {
        add(exact);
        continue;
      }
      if (word.length < TYPO_MIN_LENGTH) continue;
      const near = [...this.bySurname].filter(([s]) => oneEditApart(s, word));
      if (near.length === 1) add(near[0]![1]);
    }
    return found;
  }
}

const cache = new WeakMap<readonly Item[], CategoryNames>();

/** The catalog's category names, built on first use and kept while its items are. */
export function categoryNamesOf(items: readonly Item[]): CategoryNames {
  let names = cache.get(items);
  if (!names) cache.set(items, (names = new CategoryNames(items)));
  return names;
}
