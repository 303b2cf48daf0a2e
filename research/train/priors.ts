// Item priors from data outside the ReDial dialogues, by catalog (ReDial) id, log-scaled to [0, 1]:
//   MovieLens ml-latest-small: how many ratings a movie has (a movie people watch);
//   TMDB 5000: how many votes a movie has (a 2017 snapshot, so it knows recent films MovieLens-small barely has).
import type { Item } from "../../src/types.ts";
import { titleKey } from "../../src/catalog/normalize.ts";
import { parseCsvObjects } from "../../src/util/csv.ts";
import { readText } from "./data.ts";
import { movielensLinks, readRedialMapping, type MovielensLinkSources } from "./movielens-links.ts";
import { readRatings } from "./neighbours.ts";

function logScaled(counts: ReadonlyMap<string, number>): Map<string, number> {
  const max = Math.max(1e-9, ...[...counts.values()].map((c) => Math.log1p(c)));
  return new Map(
    [...counts]
      .filter(([, c]) => c > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, c]) => [id, Math.round((Math.log1p(c) / max) * 10_000) / 10_000]),
  );
}

export function movielensPopularity(
  ratingsCsv: string,
  links: MovielensLinkSources,
  items: readonly Item[],
): Map<string, number> {
  const mapping = movielensLinks(links, items);
  const counts = new Map<string, number>();
  for (const r of readRatings(ratingsCsv))
    for (const id of mapping.get(r.item) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  return logScaled(counts);
}

export interface TmdbSources {
  /** tmdb_5000_movies.csv(.gz): id, title, release_date, vote_count ... */
  moviesCsv: string;
  /** MovieLens links.csv: movieId, imdbId, tmdbId. */
  linksCsv: string;
  /** ReDial id -> MovieLens id. */
  mappingCsv: string;
}

export interface TmdbMatch {
  votes: number;
  keywords: string[];
  overview: string;
  /** TMDB's genre names ("Science Fiction", "Family"). */
  genres: string[];
  /** Minutes, when TMDB knows (0 and blanks are unknown). */
  runtime?: number;
  /** TMDB's production companies ("Studio Ghibli", "Pixar Animation Studios"). */
  studios?: string[];
}

/** TMDB's keywords or genres cell: a JSON list of { id, name }; a broken cell has none. */
function tmdbNames(cell: string | undefined): string[] {
  try {
    return (JSON.parse(cell || "[]") as Array<{ name?: unknown }>)
      .map((k) => String(k.name ?? ""))
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** TMDB 5000 rows joined to catalog ids by TMDB id -> MovieLens -> ReDial, else by title and release year. */
export function joinTmdb(src: TmdbSources, items: readonly Item[]): Map<string, TmdbMatch> {
  const catalogIds = new Set(items.map((i) => i.id));
  const byMovielens = readRedialMapping(src.mappingCsv, catalogIds);
  const movielensOfTmdb = new Map(
    parseCsvObjects(readText(src.linksCsv))
      .filter((r) => r.tmdbId)
      .map((r) => [r.tmdbId!, r.movieId!]),
  );
  const byTitleYear = new Map<string, string[]>();
  for (const item of items) {
    if (item.year === undefined) continue;
    const key = `${titleKey(item.title)}|${item.year}`;
    byTitleYear.set(key, [...(byTitleYear.get(key) ?? []), item.id]);
  }
  const out = new Map<string, TmdbMatch>();
  for (const row of parseCsvObjects(readText(src.moviesCsv))) {
    const votes = Number(row.vote_count);
    const ids = new Set(byMovielens.get(movielensOfTmdb.get(row.id ?? "") ?? "") ?? []);
    const year = /^(\d{4})/.exec(row.release_date ?? "")?.[1];
    if (year)
      for (const id of byTitleYear.get(`${titleKey(row.title ?? "")}|${year}`) ?? []) ids.add(id);
    const match = {
      votes: Number.isFinite(votes) ? votes : 0,
      keywords: tmdbNames(row.keywords),
      overview: row.overview ?? "",
      genres: tmdbNames(row.genres),
      studios: tmdbNames(row.production_companies),
      ...(Number(row.runtime) > 0 ? { runtime: Number(row.runtime) } : {}),
    };
    for (const id of ids) {
      const prev = out.get(id);
      if (!prev || votes > prev.votes) out.set(id, match);
    }
  }
  return out;
}

/** TMDB vote counts, log-scaled. */
export function tmdbPopularity(src: TmdbSources, items: readonly Item[]): Map<string, number> {
  return logScaled(new Map([...joinTmdb(src, items)].map(([id, m]) => [id, m.votes])));
}
