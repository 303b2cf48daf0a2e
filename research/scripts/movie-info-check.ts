// Which ReDial movie_info.json records describe another film. The release joined its IMDb records by name, and
// some landed on the wrong film: "It (1990)" carries Goodfellas' plot, cast and genres, "Split (2017)" a
// romance's. A record is wrong when MovieLens links the movie to another IMDb id, or when its IMDb id is
// confirmed (by MovieLens) for a catalog movie of another title and year. Such a movie gets TMDB's overview and genres
// where TMDB 5000 has it, else MovieLens' genres, else no description: better none than another film's.
import { titleKey } from "../../src/catalog/normalize.ts";
import { readText } from "../train/data.ts";
import { movielensLinks, type MovielensLinkSources } from "../train/movielens-links.ts";
import type { TmdbMatch } from "../train/priors.ts";
import type { Item } from "../../src/types.ts";
import { parseCsvObjects } from "../../src/util/csv.ts";

export interface CheckSources extends MovielensLinkSources {
  /** MovieLens links.csv: movieId, imdbId, tmdbId. */
  linksCsv: string;
}

export interface Description {
  text: string;
  categories: string[];
  /** The IMDb id MovieLens links the movie to, when it does. */
  imdbId?: string;
}

/** TMDB and MovieLens genre names -> the catalog's (IMDb) categories; others (Foreign, IMAX) have none. */
const GENRES: Record<string, string> = {
  drama: "drama",
  comedy: "comedy",
  thriller: "thriller",
  action: "action",
  romance: "romance",
  adventure: "adventure",
  crime: "crime",
  "science fiction": "sci-fi",
  "sci-fi": "sci-fi",
  horror: "horror",
  family: "family",
  children: "family",
  fantasy: "fantasy",
  mystery: "mystery",
  animation: "animation",
  history: "history",
  music: "music",
  musical: "musical",
  war: "war",
  documentary: "documentary",
  western: "western",
  "film-noir": "film-noir",
};

function titleWords(title: string): Set<string> {
  return new Set(titleKey(title).split(" ").filter(Boolean));
}

export function catalogGenres(names: readonly string[]): string[] {
  return [
    ...new Set(
      names.map((n) => GENRES[n.toLowerCase()]).filter((g): g is string => g !== undefined),
    ),
  ];
}

/**
 * Each linked movie's MovieLens genres as catalog categories. ReDial's IMDb records list at most three genres
 * (Toy Story: animation, adventure, comedy), MovieLens all of them (also Children and Fantasy).
 */
export function movielensGenres(
  src: MovielensLinkSources,
  items: readonly Item[],
): Map<string, string[]> {
  const genresOfMovielens = new Map(
    parseCsvObjects(readText(src.moviesCsv)).map((r) => [
      r.movieId ?? "",
      (r.genres ?? "").split("|"),
    ]),
  );
  const out = new Map<string, string[]>();
  for (const [movieId, ids] of movielensLinks(src, items)) {
    const genres = catalogGenres(genresOfMovielens.get(movieId) ?? []);
    if (genres.length) for (const id of ids) out.set(id, genres);
  }
  return out;
}

/**
 * The movies whose IMDb record is another film's, with the description to use instead.
 * `imdbOf` is each movie's IMDb id in movie_info.json.
 */
export function wrongRecords(
  src: CheckSources,
  items: readonly Item[],
  imdbOf: ReadonlyMap<string, string>,
  tmdb: ReadonlyMap<string, TmdbMatch>,
): Map<string, Description> {
  const linkRows = parseCsvObjects(readText(src.linksCsv));
  const imdbOfMovielens = new Map(
    linkRows
      .filter((r) => r.movieId && r.imdbId)
      .map((r) => [r.movieId!, `tt${r.imdbId!.padStart(7, "0")}`]),
  );
  const genresByMovie = movielensGenres(src, items);
  const movielensOf = new Map<string, string>();
  for (const [movieId, ids] of movielensLinks(src, items))
    for (const id of ids) movielensOf.set(id, movieId);
  const byId = new Map(items.map((i) => [i.id, i]));
  // IMDb id -> the catalog movies MovieLens confirms it for (title words, year).
  const confirmed = new Map<string, Array<{ words: Set<string>; year: number | undefined }>>();
  for (const item of items) {
    const imdb = imdbOfMovielens.get(movielensOf.get(item.id) ?? "");
    if (imdb && imdb === imdbOf.get(item.id))
      confirmed.set(imdb, [
        ...(confirmed.get(imdb) ?? []),
        { words: titleWords(item.title), year: item.year },
      ]);
  }
  // Another film for sure only with another known year and a title that is no short name of the confirmed
  // one: "Annabelle 2" (2017) is "Annabelle: Creation" (2017), "Anchorman" is the film too, but "Insidious:
  // Chapter 4" (2018) is not "Insidious: Chapter 2" (2013).
  const anotherFilm = (
    item: Item,
    owners: ReadonlyArray<{ words: Set<string>; year: number | undefined }>,
  ) => {
    const words = titleWords(item.title);
    return (
      item.year !== undefined &&
      owners.every((o) => o.year !== item.year && ![...words].every((w) => o.words.has(w)))
    );
  };
  const out = new Map<string, Description>();
  for (const [id, imdb] of imdbOf) {
    const item = byId.get(id);
    if (!item) continue;
    const movielensImdb = imdbOfMovielens.get(movielensOf.get(id) ?? "");
    const owners = confirmed.get(imdb);
    const wrong =
      movielensImdb !== undefined
        ? movielensImdb !== imdb
        : owners !== undefined && anotherFilm(item, owners);
    if (!wrong) continue;
    const t = tmdb.get(id);
    out.set(id, {
      ...(t
        ? { text: t.overview, categories: catalogGenres(t.genres) }
        : { text: "", categories: genresByMovie.get(id) ?? [] }),
      ...(movielensImdb ? { imdbId: movielensImdb } : {}),
    });
  }
  return out;
}
