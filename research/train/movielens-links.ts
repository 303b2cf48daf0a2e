// Which catalog (ReDial) ids each MovieLens movie is. The ReDial release's redial_to_movielens.csv misses
// well-known films whose MovieLens title puts the article last ("Nightmare on Elm Street, A (1984)",
// "Bug's Life, A (1998)"), so a catalog item it does not link is matched by title and year in movies.csv.
import { titleKey } from "../../src/catalog/normalize.ts";
import type { Item } from "../../src/types.ts";
import { parseCsvObjects } from "../../src/util/csv.ts";
import { readText } from "./data.ts";

export interface MovielensLinkSources {
  /** ReDial id -> MovieLens movieId (columns `id`, `ml_id`). */
  mappingCsv: string;
  /** MovieLens movies.csv: movieId, title ("Title (Year)"), genres. */
  moviesCsv: string;
}

/** What linking needs of an item. */
export type LinkableItem = Pick<Item, "id" | "title" | "year">;

/** MovieLens movieId -> the ReDial ids the release links to it (a few ReDial ids share one MovieLens movie). */
export function readRedialMapping(
  mappingCsv: string,
  catalogIds: ReadonlySet<string>,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of parseCsvObjects(readText(mappingCsv))) {
    if (!row.ml_id || !row.id || !catalogIds.has(row.id)) continue;
    out.set(row.ml_id, [...(out.get(row.ml_id) ?? []), row.id]);
  }
  return out;
}

/** "Nightmare on Elm Street, A (1984)" -> its title key and year; undefined without a year. */
export function movielensTitle(raw: string): { key: string; year: number } | undefined {
  const m = /^(.*)\((\d{4})\)\s*$/.exec(raw.trim());
  if (!m) return undefined;
  // Aliases in parentheses ("Seven (a.k.a. Se7en)") go; a trailing article ("..., The") is dropped, as titleKey drops a leading one.
  const title = m[1]!.replace(/(\s*\([^()]*\))+\s*$/, "").replace(/,\s*(?:the|a|an)\s*$/i, "");
  return { key: titleKey(title), year: Number(m[2]) };
}

/** MovieLens movieId -> the catalog ids of that movie: the supplied mapping, then title-and-year matches for unlinked items. */
export function movielensLinks(
  src: MovielensLinkSources,
  items: readonly LinkableItem[],
): Map<string, string[]> {
  const links = readRedialMapping(src.mappingCsv, new Set(items.map((i) => i.id)));
  const linked = new Set([...links.values()].flat());
  const byTitleYear = new Map<string, string | null>(); // null: two MovieLens movies share the key, no match
  for (const row of parseCsvObjects(readText(src.moviesCsv))) {
    const t = row.movieId ? movielensTitle(row.title ?? "") : undefined;
    if (!t || !t.key) continue;
    const key = `${t.key}|${t.year}`;
    byTitleYear.set(key, byTitleYear.has(key) ? null : row.movieId!);
  }
  for (const item of items) {
    if (linked.has(item.id) || item.year === undefined) continue;
    const movieId = byTitleYear.get(`${titleKey(item.title)}|${item.year}`);
    if (movieId) links.set(movieId, [...(links.get(movieId) ?? []), item.id]);
  }
  return links;
}
