// A large catalog's candidates come from a LanceDB vector index. Here the demo catalog stands in for one
// (CHATREC_INDEX_FROM lowered below its size): the index is built once and kept across restarts, the
// constraints filter before the search, the lists are the exact pass's, and turn workers use it too.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";
import { ItemIndex } from "../src/recommend/item-index.ts";
import { handModel } from "../src/recommend/ranker-model.ts";
import { Replay } from "../src/replay.ts";

const dirs = [
  mkdtempSync(join(tmpdir(), "chatrec-index-")),
  mkdtempSync(join(tmpdir(), "chatrec-exact-")),
];
const indexedConfig = loadConfig(
  { CHATREC_INDEX_FROM: "1000" },
  { dataDir: dirs[0]!, commitIntervalMs: 2 },
);
const exactConfig = loadConfig({}, { dataDir: dirs[1]!, commitIntervalMs: 2 });
let firstBuildSeconds: number | undefined;
let indexed: Replay;
let exact: Replay;

beforeAll(async () => {
  const first = await Replay.open(indexedConfig);
  firstBuildSeconds = first.itemIndex?.buildSeconds;
  await first.close();
  [indexed, exact] = await Promise.all([Replay.open(indexedConfig), Replay.open(exactConfig)]);
}, 180_000);
afterAll(async () => {
  await Promise.all([indexed.close(), exact.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const titles = (reply: { recommendations: Array<{ title: string }> }) =>
  reply.recommendations.map((r) => r.title);

describe("the vector index of a large catalog", () => {
  it("is built at the first start and opened, not built again, at a restart", () => {
    expect(firstBuildSeconds).toBeGreaterThan(0);
    expect(indexed.itemIndex).toBeDefined();
    expect(indexed.itemIndex!.buildSeconds).toBeUndefined();
    expect(exact.itemIndex).toBeUndefined();
  });

  it("gives the exact pass's lists, its candidates holding the exact best 100", async () => {
    indexed.itemIndex!.recall = [];
    const conversation = [
      "I loved Inception and The Matrix, no horror",
      "more like the second one",
      "funny animated movies for kids",
      "something older",
      "crime thrillers from the 90s",
    ];
    for (const [i, text] of conversation.entries()) {
      const msg = { user: { platform: "test", id: "same" }, text, messageId: `m${i}` };
      const [a, b] = [await indexed.handleMessage(msg), await exact.handleMessage(msg)];
      expect(titles(a), text).toEqual(titles(b));
    }
    const recall = indexed.itemIndex!.recall;
    indexed.itemIndex!.recall = undefined;
    expect(recall).toHaveLength(conversation.length);
    expect(Math.min(...recall)).toBeGreaterThanOrEqual(0.9);
  });

  it("filters by year and category before the search, so rare constraints still fill a list", async () => {
    const user = { platform: "test", id: "old" };
    const old = await indexed.handleMessage({ user, text: "silent films from before 1930" });
    expect(old.recommendations.length).toBe(5);
    for (const r of old.recommendations) expect(r.year).toBeLessThan(1930);
    const noHorror = await indexed.handleMessage({
      user: { platform: "test", id: "scared" },
      text: "something scary but no horror",
    });
    expect(noHorror.recommendations.length).toBe(5);
    for (const r of noHorror.recommendations) expect(r.categories).not.toContain("horror");
  });

  it("scores the films of a person asked for, whatever the index returns", async () => {
    const reply = await indexed.handleMessage({
      user: { platform: "test", id: "fan" },
      text: "films with Tom Hanks",
    });
    const hanks = reply.recommendations.filter((r) =>
      JSON.stringify(r.reasons).includes("Tom Hanks"),
    );
    expect(hanks.length).toBeGreaterThanOrEqual(3);
  });

  it("serves turn workers from the index the engine built", async () => {
    await indexed.close(); // the data folder takes one process at a time
    const bot = await Bot.create(indexedConfig, () => undefined, { workers: 1 });
    try {
      const msg = { user: { platform: "test", id: "worker" }, text: "a slow romantic drama" };
      const reply = await bot.handleMessage(msg);
      expect(titles(reply)).toEqual(titles(await exact.handleMessage(msg)));
    } finally {
      await bot.close();
      indexed = await Replay.open(indexedConfig);
    }
  }, 120_000);

  it("is built anew, the old one dropped, when the weights change", async () => {
    const db = await lancedb.connect(indexedConfig.dbUri);
    try {
      const again = await ItemIndex.open(db, indexed.ranker.withModel(handModel()), {
        codes: { threads: 1 },
        build: true,
        log: () => undefined,
      });
      expect(again?.buildSeconds).toBeGreaterThan(0);
      const tables = (await db.tableNames()).filter((t) => t.startsWith("item_partitions_"));
      expect(tables).toHaveLength(1);
    } finally {
      db.close();
    }
  }, 120_000);

  it("is built by `chatrec ingest` with the word indexes, so the start after it only opens them", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "chatrec-ingest-index-"));
    try {
      const { stderr } = await promisify(execFile)(
        process.execPath,
        [
          "bin/chatrec.js",
          "ingest",
          "data/catalog/movies.jsonl",
          "--no-train",
          "--data-dir",
          dataDir,
        ],
        { env: { ...process.env, LANCEDB_LOG: "error", CHATREC_INDEX_FROM: "1000" } },
      );
      expect(stderr).toMatch(/built the vector index of \d+ items in [\d.]+ s/);
      expect(stderr).toMatch(
        /built the catalog's word indexes .* saved them to catalog-indexes\.v8/,
      );
      const log: string[] = [];
      const served = await Replay.open(
        loadConfig({ CHATREC_INDEX_FROM: "1000" }, { dataDir }),
        (s) => log.push(s),
      );
      try {
        expect(served.itemIndex).toBeDefined();
        expect(served.itemIndex!.buildSeconds).toBeUndefined();
        expect(log.some((s) => /read the catalog's word indexes/.test(s))).toBe(true);
        expect(log.some((s) => /built the catalog's word indexes/.test(s))).toBe(false);
        expect(log).toContain("read the vector index's byte codes from item-codes.bin");
      } finally {
        await served.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
