// The recipes of docs/catalogs.md, run as written (the `chatrec ingest ...` line of each, which trains the
// catalog's own interest model by default, in a temporary data folder): a message about the catalog's topic
// gets items of that topic, and the interests speak the catalog's labels, not the shipped model's genres.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { Replay } from "../src/replay.ts";

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "chatrec-recipes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DOC = readFileSync("docs/catalogs.md", "utf8");
const MOVIE_GENRES = (
  JSON.parse(readFileSync("models/interest.json", "utf8")) as { labels: string[] }
).labels;
const shippedSha = () => createHash("sha256").update(readFileSync("models/interest.onnx")).digest();
const SHIPPED_SHA = shippedSha();

/** The `npx chatrec ingest ...` command of the recipe marked `<!-- recipe: name -->`, as arguments. */
function recipeIngest(name: string): string[] {
  const at = DOC.indexOf(`<!-- recipe: ${name} -->`);
  expect(at).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(DOC.slice(at))![1]!;
  const command = block
    .replace(/\\\n\s*/g, " ")
    .split("\n")[0]!
    .trim()
    .split(/\s+/);
  expect(command.slice(0, 3)).toEqual(["npx", "chatrec", "ingest"]);
  return command.slice(2);
}

/** Runs a recipe's ingest in `dataDir` (its --data-dir replaced), plus `extra` arguments. */
async function runRecipe(name: string, dataDir: string, extra: string[] = []) {
  const args = recipeIngest(name);
  const d = args.indexOf("--data-dir");
  expect(d).toBeGreaterThan(0);
  args[d + 1] = dataDir;
  const started = Date.now();
  const out = await run(process.execPath, ["bin/chatrec.js", ...args, ...extra], {
    env: { ...process.env, LANCEDB_LOG: "error" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return { ...out, seconds: (Date.now() - started) / 1000 };
}

async function ask(dataDir: string, text: string) {
  const bot = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
  try {
    const reply = await bot.handleMessage({ user: { platform: "test", id: "reader" }, text });
    const items = reply.recommendations.map((r) => bot.catalog.item(r.id)!);
    return { reply, items, labels: bot.model.labels, neighbours: bot.neighbours.size };
  } finally {
    await bot.close();
  }
}

function expectOwnVocabulary(
  interests: ReadonlyArray<{ label: string }>,
  labels: readonly string[],
) {
  expect(interests.length).toBeGreaterThan(0);
  expect(labels).not.toEqual(MOVIE_GENRES);
  // A movie genre may also be a catalog label (the movie model has "sport"); any other is out of place.
  const genresOnly = MOVIE_GENRES.filter((g) => !labels.includes(g));
  for (const { label } of interests) {
    expect(labels).toContain(label);
    expect(genresOnly).not.toContain(label);
  }
}

describe("docs/catalogs.md recipes: ingest makes a catalog the bot's own", () => {
  it("news (BBC): 'anything on football' gives sport stories and sport interests", async () => {
    const dataDir = join(root, "news");
    // --epochs 3 keeps the test short (the doc says so); the recipe's default is 12.
    const { stdout, stderr, seconds } = await runRecipe("news", dataDir, ["--epochs", "3"]);
    expect(stderr).toMatch(/5 labels .*: sport, business, politics, tech, entertainment/);
    expect(stderr).toMatch(/epoch 3\/3/);
    expect(stderr).toMatch(/re-embedded 2225\/2225 items/);
    expect(stdout).toMatch(/trained .*interest\.onnx on 2225 items \(5 labels\)/);
    expect(existsSync(join(dataDir, "models", "interest.onnx"))).toBe(true);
    expect(shippedSha().equals(SHIPPED_SHA)).toBe(true); // the tracked model is untouched
    console.log(`news recipe (--epochs 3): ${seconds.toFixed(1)} s`);

    const { reply, items, labels, neighbours } = await ask(dataDir, "anything on football");
    expect(neighbours).toBe(0); // the shipped neighbours are for the demo movie ids only
    expect(labels).toEqual(["sport", "business", "politics", "tech", "entertainment"]);
    expect(items.length).toBeGreaterThanOrEqual(5);
    for (const item of items) expect(item.categories).toEqual(["sport"]);
    expectOwnVocabulary(reply.interests, labels);
    expect(reply.interests[0]!.label).toBe("sport");
    expect(reply.recommendations[0]!.reasons.map((r) => r.text).join(" ")).toMatch(
      /interest in sport/,
    );
  }, 120_000);

  it("--train on a catalog too small to train on fails clearly and keeps the model served", async () => {
    const dataDir = join(root, "news");
    const model = join(dataDir, "models", "interest.onnx");
    const before = readFileSync(model);
    const file = join(root, "tiny.csv");
    writeFileSync(file, "id,title,category\n1,Cup final tonight,sport\n2,Shares fall,business\n");
    const failed = run(
      process.execPath,
      ["bin/chatrec.js", "ingest", file, "--columns", "categories=category", "--train"].concat([
        "--data-dir",
        dataDir,
      ]),
      { env: { ...process.env, LANCEDB_LOG: "error" } },
    );
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/fewer than 2 categories with >= 20 items/),
    });
    expect(readFileSync(model).equals(before)).toBe(true);
    expect(existsSync(join(dataDir, "models.training"))).toBe(false);
  }, 60_000);

  it("books (goodbooks-10k): 'something by Agatha Christie' gives her books", async () => {
    const dataDir = join(root, "books");
    const { stderr, stdout, seconds } = await runRecipe("books", dataDir);
    expect(stderr).toMatch(/10000 items, 35 labels/);
    expect(stdout).toMatch(/trained .*interest\.onnx on 10000 items \(35 labels\)/);
    console.log(`books recipe: ${seconds.toFixed(1)} s`);

    const { reply, items, labels } = await ask(dataDir, "something by Agatha Christie");
    expect(labels).toContain("agatha christie");
    expect(items.length).toBeGreaterThanOrEqual(5);
    const hers = items.filter((it) => it.categories.includes("agatha christie"));
    expect(hers.length).toBeGreaterThanOrEqual(items.length - 1);
    expect(items[0]!.categories).toContain("agatha christie");
    expectOwnVocabulary(reply.interests, labels);
    expect(reply.interests[0]!.label).toBe("agatha christie");
  }, 120_000);

  it("a data folder without its own model keeps the shipped movie model", async () => {
    const dataDir = join(root, "books");
    rmSync(join(dataDir, "models"), { recursive: true, force: true });
    const bot = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
    try {
      expect(bot.model.labels).toEqual(MOVIE_GENRES);
      expect(bot.catalog.size).toBe(10_000); // re-embedded with the shipped model
    } finally {
      await bot.close();
    }
  }, 120_000);
});
