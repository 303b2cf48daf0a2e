// The two non-movie catalogs of the per-domain evaluations (docs/catalogs.md's recipes, run in a data folder
// of the caller's): goodbooks-10k and BBC News, each ingested with `--train` so the bot serves its own model.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { runIngestTrainCli } from "../train/ingest-train.ts";
import { parseCsvObjects } from "../../src/util/csv.ts";
import type { FilmMeta, Metadata } from "./conversations-metadata.ts";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);

export const BOOKS_CSV = resolve(ROOT, "data/books/books.csv");
export const NEWS_CSV = resolve(ROOT, "data/news/bbc_news.csv.gz");

/** The `chatrec ingest` arguments of docs/catalogs.md's recipes, without --data-dir. */
export const RECIPES = {
  books: [
    BOOKS_CSV,
    "--columns",
    "id=book_id,year=original_publication_year,popularity=ratings_count,categories=authors",
    "--noun",
    "book",
    "--train",
  ],
  news: [
    NEWS_CSV,
    "--columns",
    "id=category+file,categories=category",
    "--noun",
    "story",
    "--train",
  ],
} as const;

export type DomainCatalog = keyof typeof RECIPES;

/** Ingests a catalog into `dataDir` with `--train` (`epochs` fewer for tests); progress to `log`. */
export async function ingestDomain(
  name: DomainCatalog,
  dataDir: string,
  opts: { epochs?: number; log?: (line: string) => void } = {},
): Promise<void> {
  const args = [
    ...RECIPES[name],
    "--data-dir",
    dataDir,
    ...(opts.epochs !== undefined ? ["--epochs", String(opts.epochs)] : []),
  ];
  await runIngestTrainCli(args, opts.log ?? (() => undefined));
}

/**
 * What the conversation suite's checks know about a book: its title, original publication year and
 * authors (as writers). goodbooks-10k has no genres, runtimes or studios, so those checks are not used.
 */
export function loadBooksMetadata(path = BOOKS_CSV): Metadata {
  const books = new Map<string, FilmMeta>();
  const titles = new Map<string, FilmMeta[]>();
  for (const row of parseCsvObjects(readFileSync(path, "utf8"))) {
    const year = Number.parseInt(row.original_publication_year ?? "", 10);
    const book: FilmMeta = {
      id: String(row.book_id),
      title: String(row.title),
      ...(Number.isFinite(year) ? { year } : {}),
      genres: [],
      directors: [],
      stars: [],
      writers: (row.authors ?? "")
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    };
    books.set(book.id, book);
    const key = book.title.toLowerCase();
    titles.set(key, [...(titles.get(key) ?? []), book]);
  }
  return {
    film: (id) => books.get(id),
    byTitle: (title, year) =>
      (titles.get(title.toLowerCase()) ?? []).filter((f) => year === undefined || f.year === year),
    size: books.size,
    withTmdb: 0,
  };
}

export interface NewsStory {
  id: string;
  category: string;
  title: string;
  text: string;
}

/** BBC News's stories with the ids the recipe gives them (`sport:001.txt`), in file order. */
export function loadNewsStories(path = NEWS_CSV): NewsStory[] {
  return parseCsvObjects(gunzipSync(readFileSync(path)).toString("utf8")).map((row) => ({
    id: `${row.category}:${row.file}`,
    category: row.category ?? "",
    title: row.title ?? "",
    text: row.text ?? "",
  }));
}
