// HTTP API throughput on loopback: simulated people, each sending messages one after another (a person waits
// for each reply) to a real server on port 0 with the demo catalog in a throwaway data folder.
// Run by `npm run bench` after the in-process benchmarks (it lives in research/: the product never imports it).
import { TurnHost } from "../../adapters/host.ts";
import "../../src/util/quiet-lancedb.ts"; // first: before anything loads LanceDB
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "../../src/bot.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import { percentile } from "../../src/util/stats.ts";
import { buildServer } from "../../adapters/webhook/server.ts";

const CONVERSATION = [
  "I loved Inception and The Matrix, something like those but no horror",
  "more like the second one",
  "something funny for a family night",
  "not that one",
  "a dark crime thriller from the 90s",
  "I've seen it",
];

export interface HttpBenchResult {
  people: number;
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export async function benchHttp(base: Config, people = 50, seconds = 10): Promise<HttpBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-bench-http-"));
  const bot = await Bot.create({ ...base, dataDir: dir, dbUri: join(dir, "lancedb") });
  // No per-person rate limit: this measures the server, not the limiter.
  const app = buildServer(new TurnHost(bot), {
    maxBodyBytes: base.maxBodyBytes,
    security: { ratePerMinute: 0, maxInFlight: 100_000 },
  });
  const url = `${await app.listen({ port: 0, host: "127.0.0.1" })}/v1/messages`;
  const times: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const person = async (n: number) => {
    for (let turn = 0; performance.now() < deadline; turn++) {
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            user: { id: `bench-${n}` },
            text: CONVERSATION[turn % CONVERSATION.length],
          }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      times.push(performance.now() - t0);
    }
  };
  try {
    await Promise.all(Array.from({ length: people }, (_, n) => person(n)));
  } finally {
    await app.close();
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return {
    people,
    seconds: elapsed,
    requests: times.length,
    errors,
    perSecond: times.length / elapsed,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
  };
}

export function formatHttpBench(r: HttpBenchResult): string {
  return `HTTP API, ${r.people} people sending messages one after another on loopback for ${r.seconds.toFixed(1)} s: ${Math.round(r.perSecond)} requests/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} errors of ${r.requests}`;
}

// `tsx research/bench/http.ts [people] [seconds]`
if (process.argv[1]?.endsWith("research/bench/http.ts")) {
  const [people, seconds] = process.argv.slice(2).map(Number);
  benchHttp(loadConfig(), people || 50, seconds || 10)
    .then((r) => console.log(formatHttpBench(r)))
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    });
}
