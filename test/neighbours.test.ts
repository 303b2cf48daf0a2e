import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { Replay } from "../src/replay.ts";
import { loadConfig, PACKAGE_ROOT } from "../src/config.ts";
import { Neighbours } from "../src/recommend/neighbours.ts";
import {
  NEIGHBOURS_FILE,
  NEIGHBOURS_TABLE,
  openNeighbours,
  readNeighboursFile,
} from "../src/recommend/neighbours-store.ts";
import { loadCatalogItems } from "../research/train/data.ts";
import { itemKnn } from "../research/train/item-knn.ts";
import { pairCounts } from "../research/train/neighbours.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-neighbours-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shipped = join(PACKAGE_ROOT, "models", NEIGHBOURS_FILE);
const catalog = loadCatalogItems(join(PACKAGE_ROOT, "data/catalog/movies.jsonl"));
const idOf = (title: string, year: number) =>
  catalog.find((i) => i.title === title && i.year === year)!.id;
const titleOf = (id: string) => catalog.find((i) => i.id === id)?.title;

describe("item-kNN (shrunk cosine)", () => {
  it("matches hand-computed values", () => {
    // a and b together in 2 of 3 baskets; n_a = 3, n_b = 2; c does not reach minCount with b.
    const knn = itemKnn([["a", "b"], ["a", "b", "c"], ["a"]], { shrink: 1, topK: 5, minCount: 2 });
    expect(knn.get("a")![0]!.id).toBe("b");
    expect(knn.get("a")![0]!.score).toBeCloseTo((2 / Math.sqrt(3 * 2)) * (2 / 3), 10);
    expect(knn.get("c")).toBeUndefined();
    expect(knn.get("b")!.map((n) => n.id)).toEqual(["a"]);
  });
});

describe("Neighbours lookup", () => {
  const n = new Neighbours([
    {
      id: "x",
      neighbours: [
        { id: "p", score: 0.5, movielens: 0.5, comention: 0 },
        { id: "q", score: 0.2, movielens: 0, comention: 0.2 },
      ],
    },
    {
      id: "y",
      neighbours: [
        { id: "p", score: 0.1, movielens: 0.1, comention: 0 },
        { id: "r", score: 0.4, movielens: 0.4, comention: 0 },
      ],
    },
  ]);
  it("sums weighted scores over seeds and names the strongest seed", () => {
    const s = n.scoreFor(["x", { id: "y", weight: 2 }]);
    expect(s.get("p")!.score).toBeCloseTo(0.5 + 2 * 0.1, 10);
    expect(s.get("p")!.seedId).toBe("x");
    expect(s.get("r")).toEqual({ score: 0.8, seedId: "y", seedScore: 0.8 });
    expect(n.of("nothing")).toEqual([]);
  });

  it("leaves one dialogue's co-mentions out (training never sees its own answers)", () => {
    const counts = pairCounts([
      ["a", "b", "c"],
      ["a", "b"],
      ["b", "d"],
    ]);
    expect(counts.get("a")).toEqual(
      new Map([
        ["b", 2],
        ["c", 1],
      ]),
    );
    expect(counts.get("b")!.get("d")).toBe(1);
    const full = new Neighbours(
      [...counts].map(([id, row]) => ({
        id,
        neighbours: [...row].map(([other, c]) => ({
          id: other,
          score: c,
          movielens: id === "a" && other === "c" ? 0.3 : 0,
          comention: c,
        })),
      })),
    );
    const without = full.withoutBasket(new Set(["a", "b", "c"]));
    // a-b seen in two dialogues: one left; a-c only in the left-out one: its MovieLens part stays; b-d untouched.
    expect(without.of("a").map((e) => [e.id, e.comention])).toEqual([
      ["b", 1],
      ["c", 0],
    ]);
    expect(without.of("b").find((e) => e.id === "c")).toBeUndefined();
    expect(without.of("b").find((e) => e.id === "d")!.comention).toBe(1);
    expect(without.of("d")).toEqual(full.of("d"));
    expect(full.of("a").map((e) => e.comention)).toEqual([2, 1]); // the original is unchanged
  });
});

describe("shipped neighbours in LanceDB (real LanceDB)", () => {
  const uri = join(dir, "db");

  it("loads the artefact into the item_neighbours table, and the table serves after a restart without the file", async () => {
    const { records } = readNeighboursFile(shipped);
    const db = await lancedb.connect(uri);
    const first = await openNeighbours(db, shipped);
    expect(await (await db.openTable(NEIGHBOURS_TABLE)).countRows()).toBe(records.length);
    expect(first.size).toBe(records.length);
    db.close();

    const again = await lancedb.connect(uri);
    const restarted = await openNeighbours(again, join(dir, "missing.jsonl.gz"));
    const matrix = idOf("The Matrix", 1999);
    expect(restarted.of(matrix)).toEqual(first.of(matrix));
    expect(restarted.size).toBe(records.length);
    again.close();
  });

  it("gives The Matrix sci-fi/action neighbours, including a Terminator film", async () => {
    const db = await lancedb.connect(uri);
    const neighbours = await openNeighbours(db, shipped);
    const top = neighbours.of(idOf("The Matrix", 1999)).slice(0, 20);
    expect(top.length).toBe(20);
    const titles = top.map((n) => titleOf(n.id));
    expect(titles.some((t) => /Terminator/.test(t ?? ""))).toBe(true);
    const genres = top.slice(0, 10).map((n) => catalog.find((i) => i.id === n.id)!.categories);
    expect(
      genres.filter((g) => g.includes("sci-fi") || g.includes("action")).length,
    ).toBeGreaterThanOrEqual(5);
    // Scores are sorted; the MovieLens part never exceeds the combined score; co-mentions are whole counts.
    for (let i = 1; i < top.length; i++)
      expect(top[i]!.score).toBeLessThanOrEqual(top[i - 1]!.score);
    for (const x of top) {
      expect(x.movielens).toBeLessThanOrEqual(x.score + 1e-4);
      expect(Number.isInteger(x.comention)).toBe(true);
    }
    expect(top.some((x) => x.comention >= 2)).toBe(true);
    // Toy Story's nearest neighbours are animated films, not The Matrix's.
    const toy = neighbours
      .of(idOf("Toy Story", 1995))
      .slice(0, 5)
      .map((x) => titleOf(x.id));
    expect(toy).toContain("Toy Story 2");
    db.close();
  });

  it("replaces the table when the artefact changes", async () => {
    const db = await lancedb.connect(join(dir, "db2"));
    await openNeighbours(db, shipped);
    const small = join(dir, "small.jsonl.gz");
    writeFileSync(
      small,
      gzipSync(
        JSON.stringify({
          id: "a",
          neighbours: [{ id: "b", score: 1, movielens: 1, comention: 0 }],
        }) + "\n",
      ),
    );
    const replaced = await openNeighbours(db, small);
    expect(replaced.size).toBe(1);
    expect(await (await db.openTable(NEIGHBOURS_TABLE)).countRows()).toBe(1);
    db.close();
  });
});

describe("Bot wiring", () => {
  it("Bot.create stores the shipped neighbours in its LanceDB and exposes the lookup", async () => {
    const bot = await Replay.open(
      loadConfig({}, { dataDir: join(dir, "bot"), commitIntervalMs: 0 }),
    );
    try {
      const db = await lancedb.connect(bot.config.dbUri);
      expect(await db.tableNames()).toContain(NEIGHBOURS_TABLE);
      db.close();
      expect(bot.neighbours.of(idOf("The Matrix", 1999)).length).toBeGreaterThan(10);
    } finally {
      await bot.close();
    }
  });
});
