// Per-item facts the ranker compares with what a person mentioned, precomputed once per catalog as flat
// arrays: release year, people (directors, stars) and series ("Toy Story" for "Toy Story 3").
import type { Catalog } from "../catalog/catalog.ts";
import { titleKey } from "../catalog/normalize.ts";
import { itemPeople } from "../catalog/people.ts";
import { ownCopy } from "../catalog/snapshot.ts";
import { categoryNamesOf } from "../understand/category-names.ts";

export interface ItemFacets {
  /** Release year, NaN when unknown. */
  year: Float32Array;
  /** People of row r: personIds[personStart[r] .. personStart[r + 1]). */
  personStart: Int32Array;
  personIds: Int32Array;
  personCount: number;
  /** Person id by name key (see people.ts). */
  personIdOf: ReadonlyMap<string, number>;
  /** Series id of each row, -1 when the title is not shared with another catalog item. */
  series: Int32Array;
  seriesCount: number;
}

const SEQUEL_SUFFIX =
  /\s+(?:\d{1,2}|ii|iii|iv|v|vi|part \w+|chapter \w+|returns|reloaded|revolutions)$/;

/** "The Hunger Games: Mockingjay - Part 1" and "The Hunger Games" share the key "hunger games". */
export function seriesKey(title: string): string {
  let key = titleKey(title.split(/[:(]| - /)[0]!);
  for (let prev = ""; prev !== key;) {
    prev = key;
    key = key.replace(SEQUEL_SUFFIX, "");
  }
  return key;
}

export function itemFacets(catalog: Catalog): ItemFacets {
  const n = catalog.size;
  const year = new Float32Array(n).fill(Number.NaN);
  const personStart = new Int32Array(n + 1);
  const personIdOf = new Map<string, number>();
  const ids: number[] = [];
  const keys: string[] = [];
  const keyCount = new Map<string, number>();
  // Categories that are names (goodbooks' authors) are the item's people too.
  const names = categoryNamesOf(catalog.items);
  catalog.items.forEach((item, row) => {
    if (item.year !== undefined) year[row] = item.year;
    personStart[row] = ids.length;
    for (const p of new Set([...itemPeople(item.extra), ...names.namesOf(item.categories)])) {
      let id = personIdOf.get(p);
      if (id === undefined) personIdOf.set(p, (id = personIdOf.size));
      ids.push(id);
    }
    const key = seriesKey(item.title);
    keys.push(key);
    // One-word keys ("alien", "heat") are too often unrelated films sharing a word.
    if (key.includes(" ") || key.length >= 6) keyCount.set(key, (keyCount.get(key) ?? 0) + 1);
  });
  personStart[n] = ids.length;
  const seriesIdOf = new Map<string, number>();
  const series = Int32Array.from(keys, (k) => {
    if ((keyCount.get(k) ?? 0) < 2) return -1;
    let id = seriesIdOf.get(k);
    if (id === undefined) seriesIdOf.set(k, (id = seriesIdOf.size));
    return id;
  });
  return {
    year,
    personStart,
    personIds: Int32Array.from(ids),
    personCount: personIdOf.size,
    personIdOf,
    series,
    seriesCount: seriesIdOf.size,
  };
}

/** Facets read back from a snapshot (src/catalog/snapshot.ts), in arrays of their own. */
export function restoreFacets(saved: ItemFacets): ItemFacets {
  return {
    ...saved,
    year: ownCopy(saved.year),
    personStart: ownCopy(saved.personStart),
    personIds: ownCopy(saved.personIds),
    series: ownCopy(saved.series),
  };
}
