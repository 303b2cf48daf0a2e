// Builds data/catalog/movies.jsonl (the demo catalog) from the public ReDial release, with TMDB 5000 keywords
// (data/tmdb, joined through MovieLens links, else by title and year) for the movies TMDB has, and the genres
// MovieLens lists beyond IMDb's three.
// Usage: tsx research/scripts/build-demo-catalog.ts <redial folder> <out.jsonl>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { joinTmdb } from "../train/priors.ts";
import { movielensGenres, wrongRecords } from "./movie-info-check.ts";
import { parseCsv } from "../../src/util/csv.ts";
import type { Item } from "../../src/types.ts";

/** Keywords kept per movie: TMDB lists them roughly by relevance, and the model reads a bag of words. */
const MAX_KEYWORDS = 12;

interface MovieInfo {
  name: string;
  genre: string[];
  plot: string;
  director: string[];
  writer: string[];
  star: string[];
  imdb_id: string;
}

const [redialDir, outPath] = process.argv.slice(2);
if (!redialDir || !outPath)
  throw new Error("usage: build-demo-catalog <redial folder> <out.jsonl>");

const info = JSON.parse(readFileSync(join(redialDir, "movie_info.json"), "utf8")) as Record<
  string,
  MovieInfo
>;
const mlYears = new Map<string, number>();
for (const line of readFileSync(join(redialDir, "redial_to_movielens.csv"), "utf8")
  .split("\n")
  .slice(1)) {
  const cols = line.split(",");
  const year = Number(cols.at(-1));
  if (cols.length >= 6 && Number.isInteger(year) && year > 1800)
    mlYears.set(cols[cols.length - 3]!, year);
}

// Popularity prior from the training split only: in how many ReDial train dialogues a movie is mentioned.
const trainMentions = new Map<string, number>();
for (const line of readFileSync(join(redialDir, "train.jsonl"), "utf8").split("\n")) {
  if (!line.trim()) continue;
  const dialogue = JSON.parse(line) as { movieMentions: Record<string, string> };
  for (const id of Object.keys(dialogue.movieMentions ?? {}))
    trainMentions.set(id, (trainMentions.get(id) ?? 0) + 1);
}

const rows: Array<Record<string, unknown> & { id: string; title: string; year?: number }> = [];
for (const [id, rawName] of parseCsv(readFileSync(join(redialDir, "movies.csv"), "utf8")).slice(
  1,
) as Array<[string, string]>) {
  const m = /^(.*?)\s*\((\d{4})\)\s*$/.exec(rawName);
  const title = (m && m[1]!.trim() ? m[1]! : rawName).replace(/\s+/g, " ").trim();
  const year = m ? Number(m[2]) : mlYears.get(id);
  const meta = info[id];
  rows.push({
    id,
    title,
    ...(year ? { year } : {}),
    text: meta?.plot ?? "",
    categories: meta?.genre ?? [],
    directors: meta?.director ?? [],
    stars: meta?.star ?? [],
    writers: meta?.writer ?? [],
    ...(meta?.imdb_id ? { imdbId: meta.imdb_id } : {}),
    popularity: trainMentions.get(id) ?? 0,
  });
}
const root = join(import.meta.dirname, "..");
// What the joins need of each movie: its id, title and year.
const joinable = rows.map((r): Item => ({
  id: r.id,
  title: r.title,
  ...(r.year ? { year: r.year } : {}),
  text: "",
  categories: [],
  extra: {},
}));
const tmdb = joinTmdb(
  {
    moviesCsv: join(root, "data/tmdb/tmdb_5000_movies.csv.gz"),
    linksCsv: join(root, "data/movielens/links.csv"),
    mappingCsv: join(root, "data/redial/redial_to_movielens.csv"),
  },
  joinable,
);
const sources = {
  linksCsv: join(root, "data/movielens/links.csv"),
  mappingCsv: join(root, "data/redial/redial_to_movielens.csv"),
  moviesCsv: join(root, "data/movielens/movies.csv"),
};
const imdbOf = new Map(
  Object.entries(info)
    .filter(([, m]) => m.imdb_id)
    .map(([id, m]) => [id, m.imdb_id]),
);
const wrong = wrongRecords(sources, joinable, imdbOf, tmdb);
const moreGenres = movielensGenres(sources, joinable);
let completed = 0;
let genresAdded = 0;
for (const row of rows) {
  const fixed = wrong.get(row.id);
  if (fixed) {
    // Another film's plot, genres and people are worse than none: what TMDB or MovieLens says, or nothing.
    Object.assign(row, {
      text: fixed.text,
      categories: fixed.categories,
      directors: [],
      stars: [],
      writers: [],
    });
    delete row.imdbId;
    if (fixed.imdbId) row.imdbId = fixed.imdbId;
  }
  // IMDb's three genres first (the record's own order), then those MovieLens adds: "kids movies" must find Toy
  // Story (MovieLens: Children), "no horror" must keep out a horror film IMDb filed as drama, mystery, thriller.
  const categories = [
    ...new Set([...(row.categories as string[]), ...(moreGenres.get(row.id) ?? [])]),
  ];
  const added = categories.length - (row.categories as string[]).length;
  if (added > 0) {
    completed++;
    genresAdded += added;
  }
  row.categories = categories;
  // "aftercreditsstinger" and the like describe the credits, not the film.
  const keywords = (tmdb.get(row.id)?.keywords ?? [])
    .filter((k) => !k.includes("stinger"))
    .slice(0, MAX_KEYWORDS);
  if (keywords.length) row.keywords = keywords;
}
writeFileSync(outPath, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
console.log(
  `wrote ${rows.length} items to ${outPath} (${wrong.size} whose movie_info record is another film's: described by TMDB or MovieLens instead; ${genresAdded} genres MovieLens adds to ${completed} movies)`,
);
