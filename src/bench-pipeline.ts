// Per-message latency of the in-process pipeline on the demo catalog, in a throwaway data folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "./bot.ts";
import type { Config } from "./config.ts";
import { percentile } from "./util/stats.ts";

const MESSAGES = [
  "I loved Inception and The Matrix, something like those but no horror",
  "more like the second one",
  "not that one",
  "something funny for a family night",
  "I've seen it",
  "a dark crime thriller from the 90s",
];


export async function benchPipeline(base: Config, people = 20, rounds = 5): Promise<{ p50: number; p99: number; messages: number }> {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-bench-"));
  const bot = await Bot.create({ ...base, dataDir: dir, dbUri: join(dir, "lancedb") });
  const times: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let person = 0; person < people; person++) {
        for (const text of MESSAGES) {
          const start = performance.now();
          await bot.handleMessage({ user: { platform: "bench", id: `p${person}-${round}` }, text });
          times.push(performance.now() - start);
        }
      }
    }
  } finally {
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), messages: times.length };
}
