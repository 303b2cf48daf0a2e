// What the conversation suite's checks know about a film: the bot's catalog joined with TMDB (runtime,
// production companies, keywords, genres) through MovieLens' links (imdbId <-> tmdbId). Read once per process.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseCsvObjects } from "../../src/util/csv.ts";

export interface FilmMeta {
  id: string;
  title: string;
  /** The catalog's year, else TMDB's release year. */
  year?: number;
  /** Catalog categories and TMDB genres, in the catalog's words ("sci-fi"), lower case. */
  genres: string[];
  directors: string[];
  stars: string[];
  writers: string[];
  /** Minutes (TMDB); unknown without a TMDB record. */
  runtime?: number;
  /** TMDB production companies; unknown without a TMDB record that lists any. */
  studios?: string[];
  /** Catalog and TMDB keywords; unknown when neither has any list. */
  keywords?: string[];
}

export interface Metadata {
  film(id: string): FilmMeta | undefined;
  /** Films with this title (any case); `year` narrows them. */
  byTitle(title: string, year?: number): FilmMeta[];
  /** Catalog films, and how many of them have a TMDB record. */
  size: number;
  withTmdb: number;
}

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

export const DEFAULT_METADATA_PATHS = {
  catalog: resolve(ROOT, "data/catalog/movies.jsonl"),
  links: resolve(ROOT, "data/movielens/links.csv"),
  tmdb: resolve(ROOT, "data/tmdb/tmdb_5000_movies.csv.gz"),
};

export type MetadataPaths = typeof DEFAULT_METADATA_PATHS;

/** TMDB genre names in the catalog's vocabulary; genres the catalog has no word for are left out. */
const TMDB_GENRES: Record<string, string | undefined> = {
  "science fiction": "sci-fi",
  "tv movie": undefined,
  foreign: undefined,
};

interface TmdbRecord {
  year?: number;
  runtime?: number;
  studios: string[];
  keywords: string[];
  genres: string[];
}

const names = (json: string): string[] => {
  try {
    const parsed: unknown = JSON.parse(json || "[]");
    return Array.isArray(parsed)
      ? parsed.flatMap((x: { name?: unknown }) => (typeof x?.name === "string" ? [x.name] : []))
      : [];
  } catch {
    return [];
  }
};

const imdbKey = (id: string): string => id.replace(/^tt/, "").replace(/^0+/, "");

function readTmdb(paths: MetadataPaths): Map<string, TmdbRecord> {
  const tmdbByImdb = new Map<string, string>();
  for (const row of parseCsvObjects(readFileSync(paths.links, "utf8")))
    if (row.imdbId && row.tmdbId) tmdbByImdb.set(imdbKey(row.imdbId), row.tmdbId);
  const records = new Map<string, TmdbRecord>();
  for (const row of parseCsvObjects(gunzipSync(readFileSync(paths.tmdb)).toString("utf8"))) {
    const year = Number.parseInt((row.release_date ?? "").slice(0, 4), 10);
    const runtime = Number(row.runtime);
    records.set(row.id ?? "", {
      ...(year > 0 ? { year } : {}),
      ...(runtime > 0 ? { runtime } : {}),
      studios: names(row.production_companies ?? ""),
      keywords: names(row.keywords ?? ""),
      genres: names(row.genres ?? "").flatMap((g) => {
        const key = g.toLowerCase();
        const mapped = key in TMDB_GENRES ? TMDB_GENRES[key] : key;
        return mapped ? [mapped] : [];
      }),
    });
  }
  const byImdb = new Map<string, TmdbRecord>();
  for (const [imdb, tmdb] of tmdbByImdb) {
    const record = records.get(tmdb);
    if (record) byImdb.set(imdb, record);
  }
  return byImdb;
}

const strings = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((s): s is string => typeof s === "string") : [];

export function buildMetadata(paths: MetadataPaths = DEFAULT_METADATA_PATHS): Metadata {
  const tmdb = readTmdb(paths);
  const films = new Map<string, FilmMeta>();
  const titles = new Map<string, FilmMeta[]>();
  let withTmdb = 0;
  for (const line of readFileSync(paths.catalog, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    const t = typeof row.imdbId === "string" ? tmdb.get(imdbKey(row.imdbId)) : undefined;
    if (t) withTmdb++;
    const year = typeof row.year === "number" ? row.year : t?.year;
    const ownKeywords = Array.isArray(row.keywords) ? strings(row.keywords) : undefined;
    const keywords =
      ownKeywords || t ? [...(ownKeywords ?? []), ...(t?.keywords ?? [])] : undefined;
    const film: FilmMeta = {
      id: String(row.id),
      title: String(row.title),
      ...(year !== undefined ? { year } : {}),
      genres: [...new Set([...strings(row.categories), ...(t?.genres ?? [])])],
      directors: strings(row.directors),
      stars: strings(row.stars),
      writers: strings(row.writers),
      ...(t?.runtime !== undefined ? { runtime: t.runtime } : {}),
      ...(t?.studios.length ? { studios: t.studios } : {}),
      ...(keywords ? { keywords } : {}),
    };
    films.set(film.id, film);
    const key = film.title.toLowerCase();
    titles.set(key, [...(titles.get(key) ?? []), film]);
  }
  return {
    film: (id) => films.get(id),
    byTitle: (title, year) =>
      (titles.get(title.toLowerCase()) ?? []).filter((f) => year === undefined || f.year === year),
    size: films.size,
    withTmdb,
  };
}

const cache = new Map<string, Metadata>();

/** The joined metadata for these files, built on first use and kept for the process. */
export function loadMetadata(paths: MetadataPaths = DEFAULT_METADATA_PATHS): Metadata {
  const key = JSON.stringify(paths);
  let meta = cache.get(key);
  if (!meta) cache.set(key, (meta = buildMetadata(paths)));
  return meta;
}
