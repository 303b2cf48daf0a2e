// `chatrec ingest` trains a catalog's own interest model by default (issue #25: "one command makes a catalog
// the bot's own"), run as a person runs it (bin/chatrec.js, a temporary data folder): a catalog with
// categories gets its own model and labels; one with too few categories is still loaded, served with the
// model it had, and says so; --no-train loads only.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { Replay } from "../src/replay.ts";
import { writeNewsSample } from "./support/news-sample.ts";

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "chatrec-train-default-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MOVIE_GENRES = (
  JSON.parse(readFileSync("models/interest.json", "utf8")) as { labels: string[] }
).labels;

/** `chatrec ingest <file> ...args --data-dir <dataDir>`, as a person runs it. */
function ingest(file: string, dataDir: string, args: string[] = []) {
  return run(process.execPath, ["bin/chatrec.js", "ingest", file, ...args, "--data-dir", dataDir], {
    env: { ...process.env, LANCEDB_LOG: "error" },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/** `perCategory` BBC stories of each of its 5 categories, as JSONL (id, title, text, categories). */
const newsSample = (perCategory: number) =>
  writeNewsSample(join(root, `news-${perCategory}.jsonl`), perCategory, 400);

/** The labels of the model the next start serves from `dataDir`, and how many items it serves. */
async function served(dataDir: string) {
  const bot = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
  try {
    return { labels: bot.model.labels, items: bot.catalog.size };
  } finally {
    await bot.close();
  }
}

const NEWS_LABELS = ["business", "entertainment", "politics", "sport", "tech"];

describe("chatrec ingest trains a non-demo catalog's own interest model by default", () => {
  const trained = join(root, "trained");

  it("a catalog with categories, no flag: its own model in <data-dir>/models, with its labels", async () => {
    const { stdout, stderr } = await ingest(newsSample(22), trained, ["--epochs", "1"]);
    expect(stderr).toMatch(/training an interest model on the 110 stored items/);
    expect(stderr).toMatch(/epoch 1\/1/);
    expect(stderr).toMatch(/re-embedded 110\/110 items/);
    expect(stdout).toMatch(/loaded 110 items from .*news-22\.jsonl/);
    expect(stdout).toMatch(/trained .*interest\.onnx on 110 items \(5 labels\)/);
    for (const f of ["interest.onnx", "interest.json", "MODEL_CARD.md"])
      expect(existsSync(join(trained, "models", f)), f).toBe(true);
    const card = JSON.parse(readFileSync(join(trained, "models", "interest.json"), "utf8")) as {
      labels: string[];
    };
    expect([...card.labels].sort()).toEqual(NEWS_LABELS);
    const bot = await served(trained);
    expect([...bot.labels].sort()).toEqual(NEWS_LABELS);
    expect(bot.items).toBe(110);
  }, 60_000);

  it("a catalog with too few categories loads, exits 0 and says it keeps the served model", async () => {
    // One category with 20 items or more ("gardening"; not a movie genre): nothing to tell apart. The default ingest still loads.
    const flat = join(root, "flat.csv");
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i},Story ${i},${i < 25 ? "gardening" : "cooking"}`,
    );
    writeFileSync(flat, `id,title,category\n${rows.join("\n")}\n`);
    const fresh = join(root, "flat");
    const { stdout, stderr } = await ingest(flat, fresh, ["--columns", "categories=category"]);
    expect(stdout).toMatch(/loaded 30 items .* Restart the bot/);
    expect(stderr).toMatch(
      /note: this catalog has too few categories to train its own interest model \(only gardening has 20 items or more\), so it is served with the shipped movie interest model/,
    );
    expect(stderr).not.toMatch(/training an interest model/);
    expect(existsSync(join(fresh, "models"))).toBe(false);
    expect(await served(fresh)).toEqual({ labels: MOVIE_GENRES, items: 30 });
    // The movie model reads the stories, but a reader is never told they like a movie genre.
    const bot = await Replay.open(loadConfig({}, { dataDir: fresh, commitIntervalMs: 2 }));
    try {
      const user = { platform: "test", id: "reader" };
      const listed = await bot.handleMessage({ user, text: "I loved Story 3" });
      expect(listed.recommendations.length).toBeGreaterThan(0);
      const profile = await bot.handleMessage({ user, text: "what do you think I like?" });
      for (const r of [listed, profile]) {
        expect(r.interests).toEqual([]);
        for (const genre of MOVIE_GENRES) expect(r.text).not.toMatch(new RegExp(`\\b${genre}\\b`));
      }
      expect(profile.text).toContain("You liked: Story 3");
    } finally {
      await bot.close();
    }

    // Into the folder trained above: its model stays, and the note says that one serves the catalog.
    const model = join(trained, "models", "interest.onnx");
    const before = readFileSync(model);
    const again = await ingest(flat, trained, ["--columns", "categories=category"]);
    expect(again.stderr).toMatch(
      /too few categories .* served with this data folder's existing interest model/,
    );
    expect(readFileSync(model).equals(before)).toBe(true);
    expect([...(await served(trained)).labels].sort()).toEqual(NEWS_LABELS);
  }, 60_000);

  it("--no-train loads only: no model of its own", async () => {
    const dataDir = join(root, "no-train");
    const { stdout, stderr } = await ingest(newsSample(22), dataDir, ["--no-train"]);
    expect(stdout).toMatch(/loaded 110 items/);
    expect(stderr).not.toMatch(/training an interest model/);
    expect(stderr).toMatch(/served with the shipped movie interest model .*without --no-train/);
    expect(existsSync(join(dataDir, "models"))).toBe(false);
    expect(await served(dataDir)).toEqual({ labels: MOVIE_GENRES, items: 110 });
    await expect(
      ingest(newsSample(22), dataDir, ["--no-train", "--epochs", "2"]),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--epochs goes with training, not with --no-train/),
    });
  }, 60_000);
});
