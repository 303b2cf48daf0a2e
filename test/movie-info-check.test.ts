// The demo catalog's check of ReDial's IMDb records: a record MovieLens links to another film, or whose IMDb
// id MovieLens confirms for a film of another title and year, is replaced; a short name of the same film is not.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { movielensGenres, wrongRecords } from "../research/scripts/movie-info-check.ts";
import type { TmdbMatch } from "../research/train/priors.ts";
import type { Item } from "../src/types.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-info-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const sources = {
  mappingCsv: write(
    "mapping.csv",
    "ml_id,ml_year,ml_title,id,title,year\n1,2017,Split,r1,Split,2017\n2,2013,Insidious: Chapter 2,r2,Insidious: Chapter 2,2013\n4,2004,Anchorman,r4,Anchorman: The Legend of Ron Burgundy,2004\n7,2017,Annabelle: Creation,r7,Annabelle: Creation,2017\n",
  ),
  linksCsv: write(
    "links.csv",
    "movieId,imdbId,tmdbId\n1,4972582,1\n2,2226417,2\n4,357413,4\n7,5140878,7\n",
  ),
  moviesCsv: write(
    "movies.csv",
    "movieId,title,genres\n1,Split (2017),Drama|Horror|Thriller\n2,Insidious: Chapter 2 (2013),Horror|Thriller\n4,Anchorman: The Legend of Ron Burgundy (2004),Comedy\n7,Annabelle: Creation (2017),Horror\n",
  ),
};
const item = (id: string, title: string, year?: number): Item => ({
  id,
  title,
  ...(year ? { year } : {}),
  text: "",
  categories: [],
  extra: {},
});
const items = [
  item("r1", "Split", 2017),
  item("r2", "Insidious: Chapter 2", 2013),
  item("r3", "Insidious: Chapter 4", 2018),
  item("r4", "Anchorman: The Legend of Ron Burgundy", 2004),
  item("r5", "Anchorman"),
  item("r6", "Annabelle 2", 2017),
  item("r7", "Annabelle: Creation", 2017),
];
// What movie_info.json says: Split got a romance's record, Chapter 4 Chapter 2's.
const imdbOf = new Map([
  ["r1", "tt0000009"],
  ["r2", "tt2226417"],
  ["r3", "tt2226417"],
  ["r4", "tt0357413"],
  ["r5", "tt0357413"],
  ["r6", "tt5140878"],
  ["r7", "tt5140878"],
]);
const tmdb = new Map<string, TmdbMatch>([
  [
    "r3",
    {
      votes: 900,
      keywords: [],
      overview: "The Lamberts' psychic faces her most fearsome haunting yet.",
      genres: ["Horror", "Science Fiction", "Foreign"],
    },
  ],
]);

describe("movie_info check", () => {
  it("replaces the records of another film, with TMDB's description, else MovieLens' genres", () => {
    const wrong = wrongRecords(sources, items, imdbOf, tmdb);
    expect([...wrong.keys()].sort()).toEqual(["r1", "r3"]);
    expect(wrong.get("r1")).toEqual({
      text: "",
      categories: ["drama", "horror", "thriller"],
      imdbId: "tt4972582",
    });
    expect(wrong.get("r3")).toEqual({
      text: "The Lamberts' psychic faces her most fearsome haunting yet.",
      categories: ["horror", "sci-fi"],
    });
  });

  it("gives each movie MovieLens links its MovieLens genres, as catalog categories", () => {
    const genres = movielensGenres(sources, items);
    expect(genres.get("r1")).toEqual(["drama", "horror", "thriller"]);
    expect(genres.get("r4")).toEqual(["comedy"]);
    expect(genres.get("r7")).toEqual(["horror"]);
    expect(genres.has("r3")).toBe(false); // no MovieLens movie of that title and year
  });
});
