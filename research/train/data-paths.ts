// The package's data sets (data/README.md), named once: the defaults of the training and evaluation
// commands, rooted at the package so that the commands work from any folder.
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/config.ts";

const data = (path: string) => join(PACKAGE_ROOT, "data", path);

export const DATA_PATHS = {
  catalog: data("catalog/movies.jsonl"),
  redialTrain: data("redial/train.jsonl"),
  redialDev: data("redial/dev.jsonl"),
  redialToMovielens: data("redial/redial_to_movielens.csv"),
  movielensRatings: data("movielens/ratings.csv"),
  movielensMovies: data("movielens/movies.csv"),
  movielensLinks: data("movielens/links.csv"),
  tmdbMovies: data("tmdb/tmdb_5000_movies.csv.gz"),
  glove: data("glove/glove.6B.50d.10k.txt.gz"),
  bbcNews: data("news/bbc_news.csv.gz"),
} as const;

/**
 * Where training writes unless told otherwise: not the tracked models/ folder, which holds the shipped
 * models (pass `--out models` to replace them on purpose).
 */
export const DEFAULT_OUT = "build/models";
