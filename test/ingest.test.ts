import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { Replay } from "../src/replay.ts";
import { ingestCatalog, parseColumnMap } from "../src/catalog/ingest.ts";
import { parseIngestArgs, progressLine } from "../src/catalog/ingest-cli.ts";
import { readCatalogSource } from "../src/catalog/source.ts";
import { loadConfig } from "../src/config.ts";
import { NEIGHBOURS_TABLE } from "../src/recommend/neighbours-store.ts";

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "chatrec-ingest-"));
const dataDir = join(root, "data");
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BOOK_COLUMNS = "id=book_id,year=original_publication_year,popularity=ratings_count";
const HARRY_POTTER_1 = "2"; // book_id of "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)"

describe("chatrec ingest: a second domain (goodbooks-10k) replaces the demo movies", () => {
  it("the next start serves the ingested books with sensible recommendations", async () => {
    // A data folder first seeded with the demo movie catalog (and its shipped neighbours), as `npm start` does.
    const movies = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
    const movieReply = await movies.handleMessage({
      user: { platform: "test", id: "mo" },
      text: "I loved The Matrix",
    });
    const movieIds = movieReply.recommendations.map((r) => r.id);
    expect(movieIds.length).toBeGreaterThan(0);
    await movies.close();

    const { stdout, stderr } = await run(
      process.execPath,
      [
        "bin/chatrec.js",
        "ingest",
        "data/books/books.csv",
        "--columns",
        BOOK_COLUMNS,
        "--no-train", // loading is what this test is about (without categories it could not train anyway)
        "--data-dir",
        dataDir,
      ],
      {
        env: { ...process.env, LANCEDB_LOG: "error" },
      },
    );
    expect(stderr).toMatch(/embedded 1024\/10000 items, \d+ items\/s, about (\d+ min )?\d+ s left/);
    expect(stderr).toMatch(/embedded 10000\/10000 items/);
    expect(stdout).toMatch(/loaded 10000 items from data\/books\/books\.csv \(0 rows skipped\)/);

    // Default config (CHATREC_CATALOG unset = the movie file): the stored, ingested table wins.
    const books = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
    try {
      expect(books.catalog.size).toBe(10_000);
      for (const id of movieIds) expect(books.catalog.item(id)).toBeUndefined(); // the movies are gone
      expect(books.catalog.item(HARRY_POTTER_1)?.title).toBe(
        "Harry Potter and the Sorcerer's Stone (Harry Potter, #1)",
      );
      const db = await lancedb.connect(books.config.dbUri);
      expect(await db.tableNames()).not.toContain(NEIGHBOURS_TABLE); // learnt for movie ids: dropped
      expect(await readCatalogSource(db)).toMatchObject({
        mode: "replace",
        items: 10_000,
        demo: false,
      });

      const reply = await books.handleMessage({
        user: { platform: "test", id: "reader" },
        text: "I loved Harry Potter and the Sorcerer's Stone",
      });
      const recs = reply.recommendations;
      expect(recs).toHaveLength(5);
      const ids = recs.map((r) => r.id);
      expect(ids).not.toContain(HARRY_POTTER_1);
      for (const r of recs) {
        expect(r.id).toMatch(/^\d+$/);
        expect(Number(r.id)).toBeLessThanOrEqual(10_000);
        expect(books.catalog.item(r.id)?.title).toBe(r.title);
        expect(r.reasons.length).toBeGreaterThan(0);
      }
      const byRowling = recs.filter((r) =>
        String(books.catalog.item(r.id)?.extra.authors).includes("J.K. Rowling"),
      );
      expect(byRowling.length).toBeGreaterThanOrEqual(3);
      // Read by the shipped movie model, but its genres are not this catalog's: no interests are named.
      expect(reply.interests).toEqual([]);

      const horror = await books.handleMessage({
        user: { platform: "test", id: "scared" },
        text: "something scary like Stephen King",
      });
      const kings = horror.recommendations.filter((r) =>
        String(books.catalog.item(r.id)?.extra.authors).includes("Stephen King"),
      );
      expect(kings.length).toBeGreaterThanOrEqual(3);
    } finally {
      await books.close();
    }
  });

  it("merges more items, counts skipped rows, and refuses a missing file or unknown columns clearly", async () => {
    const config = loadConfig({}, { dataDir });
    const bot = await Replay.open({ ...config, commitIntervalMs: 2 });
    const db = await lancedb.connect(config.dbUri);
    try {
      const extra = join(root, "more.csv");
      writeFileSync(
        extra,
        "book_id,title,authors\nx1,A Brand New Book,Some One\nx2,,Nobody\n2,Harry Potter and the Sorcerer's Stone (Harry Potter #1),J.K. Rowling\n",
      );
      const merged = await ingestCatalog(db, bot.model, {
        path: extra,
        columns: parseColumnMap("id=book_id"),
        mode: "merge",
      });
      expect(merged).toMatchObject({
        written: 2,
        stored: 10_001,
        skipped: [{ line: 3, reason: "missing title" }],
      });
      await expect(
        ingestCatalog(db, bot.model, { path: join(root, "nope.csv"), mode: "replace" }),
      ).rejects.toThrow(/catalog file not found: .*nope\.csv/);
      await expect(
        ingestCatalog(db, bot.model, { path: extra, columns: { id: "isbn" }, mode: "replace" }),
      ).rejects.toThrow(
        /column "isbn" \(mapped to id\) not found; the file has: book_id, title, authors/,
      );
      await expect(ingestCatalog(db, bot.model, { path: extra, mode: "replace" })).rejects.toThrow(
        /column "id" not found.*--columns id=<column>/,
      );
      expect(await db.openTable("items").then((t) => t.countRows())).toBe(10_001); // failed ingests changed nothing
      expect(() => parseColumnMap("isbn=book_id")).toThrow(/unknown catalog field "isbn"/);
      expect(() => parseIngestArgs(["a.csv", "--replace", "--merge"])).toThrow(
        /either --replace or --merge/,
      );
      expect(parseIngestArgs(["a.jsonl", "--merge", "--data-dir", "/d"])).toEqual({
        file: "a.jsonl",
        columns: {},
        mode: "merge",
        allowSkips: false,
        dataDir: "/d",
      });
      // Training is the default (bin/chatrec.js routes it to research/); --no-train opts out.
      expect(parseIngestArgs(["a.csv", "--epochs", "2"])).toMatchObject({ epochs: 2 });
      expect(parseIngestArgs(["a.csv", "--no-train"])).toMatchObject({ noTrain: true });
      expect(() => parseIngestArgs(["a.csv", "--no-train", "--epochs", "2"])).toThrow(
        /--epochs goes with training, not with --no-train/,
      );
      expect(() => parseIngestArgs(["a.csv", "--no-train", "--train"])).toThrow(
        /either --train or --no-train/,
      );
    } finally {
      db.close();
      await bot.close();
    }
  });
});

describe("ingest progress line", () => {
  it("gives the rate and the time left from the items done so far", () => {
    expect(progressLine(250_000, 1_000_000, 50_000)).toBe(
      "embedded 250000/1000000 items, 5000 items/s, about 2 min 30 s left",
    );
    expect(progressLine(9_000, 10_000, 900)).toBe(
      "embedded 9000/10000 items, 10000 items/s, about 0 s left",
    );
    expect(progressLine(10_000, 10_000, 1_000)).toBe("embedded 10000/10000 items");
  });
});
