// More or less of a topic after a list, on a news catalog (issue #25: "less about tennis, more business"):
// BBC stories ingested with `chatrec ingest` as a person runs it (its own interest model, trained by
// default), then real conversations through the bot. "Less" turns a topic down, "more" asks for one,
// whether the topic is a category ("business") or a word the catalog's texts use ("economy", "celebrity").
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { Replay } from "../src/replay.ts";
import { parseCsvObjects } from "../src/util/csv.ts";

const root = mkdtempSync(join(tmpdir(), "chatrec-news-critiques-"));
let bot: Replay;

/** Every `step`-th BBC story (all 5 categories, and within each all its sports and subjects), as JSONL. */
function newsSample(step: number): string {
  const file = join(root, "news.jsonl");
  const rows = parseCsvObjects(gunzipSync(readFileSync("data/news/bbc_news.csv.gz")).toString());
  const out = rows
    .filter((_, i) => i % step === 0)
    .map((r) =>
      JSON.stringify({
        id: `${r.category}:${r.file}`,
        title: r.title,
        text: r.text,
        categories: [r.category],
      }),
    );
  writeFileSync(file, out.join("\n") + "\n");
  return file;
}

beforeAll(async () => {
  const dataDir = join(root, "data");
  await promisify(execFile)(
    process.execPath,
    ["bin/chatrec.js", "ingest", newsSample(2), "--noun", "story", "--epochs", "3"].concat([
      "--data-dir",
      dataDir,
    ]),
    { env: { ...process.env, LANCEDB_LOG: "error" }, maxBuffer: 16 * 1024 * 1024 },
  );
  bot = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
}, 120_000);

afterAll(async () => {
  await bot?.close();
  rmSync(root, { recursive: true, force: true });
});

let people = 0;
/** Sends each message in turn as one new reader; the last reply, with its items' categories. */
async function converse(...messages: string[]) {
  const user = { platform: "test", id: `reader-${people++}` };
  let reply;
  for (const text of messages) reply = await bot.handleMessage({ user, text });
  const categories = reply!.recommendations.map((r) => bot.catalog.item(r.id)!.categories[0]!);
  const count = (c: string) => categories.filter((x) => x === c).length;
  return { reply: reply!, categories, count };
}

const NOT_UNDERSTOOD = /didn't understand/;

describe("news: more or less of a topic after a list", () => {
  it("the list before is sport: 'anything on football'", async () => {
    const { count, categories } = await converse("anything on football");
    expect(count("sport")).toBe(categories.length);
  });

  it("'less about tennis, more business' turns sport down and gives business stories", async () => {
    const { reply, count, categories } = await converse(
      "anything on football",
      "less about tennis, more business",
    );
    expect(reply.text).not.toMatch(NOT_UNDERSTOOD);
    expect(categories.length).toBe(5);
    expect(count("business")).toBe(5);
    expect(reply.recommendations[0]!.reasons.map((r) => r.text).join(" ")).toMatch(
      /Less about tennis than /,
    );
  });

  it("'more about the economy' gives business stories", async () => {
    const { reply, count } = await converse("anything on football", "more about the economy");
    expect(reply.text).not.toMatch(NOT_UNDERSTOOD);
    expect(count("business")).toBeGreaterThanOrEqual(4);
    expect(count("sport")).toBe(0);
  });

  it("'less football please' moves away from sport", async () => {
    const { reply, count, categories } = await converse(
      "anything on football",
      "less football please",
    );
    expect(reply.text).not.toMatch(NOT_UNDERSTOOD);
    expect(categories.length).toBe(5);
    expect(count("sport")).toBeLessThanOrEqual(1);
  });

  it("'fewer celebrity stories' moves away from entertainment", async () => {
    const before = await converse("anything about celebrities");
    expect(before.count("entertainment")).toBeGreaterThanOrEqual(4);
    const { reply, count, categories } = await converse(
      "anything about celebrities",
      "fewer celebrity stories",
    );
    expect(reply.text).not.toMatch(NOT_UNDERSTOOD);
    expect(categories.length).toBe(5);
    expect(count("entertainment")).toBeLessThanOrEqual(1);
  });
});
