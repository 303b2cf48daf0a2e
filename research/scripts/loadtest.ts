// `npm run loadtest [-- --seconds 60 --people 200]`: starts the real server (`chatrec start`, a child process
// on a fresh data folder and an ephemeral loopback port) and lets simulated people chat with it over the
// HTTP API, then prints requests/s, p50/p99 latency, errors and the server's memory at start and end.
// Per-person rate limits are off for the run (each simulated person sends its next request as soon as the
// last one is answered, far faster than a person types); everything else is the default configuration.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnServer } from "../bench/server-child.ts";
import { percentile } from "../../src/util/stats.ts";
import { simulatePeople, type Answer } from "./simulated-people.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    people: { type: "string", default: "200" },
    "data-dir": { type: "string" },
  },
});
const seconds = Number(values.seconds);
const people = Number(values.people);
if (!(seconds > 0) || !(people >= 1))
  throw new Error("--seconds and --people must be positive numbers");

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
const dir = values["data-dir"] ?? mkdtempSync(join(tmpdir(), "chatrec-load-"));
const server = await spawnServer({ CHATREC_DATA_DIR: dir, CHATREC_RATE_PER_MIN: "0" });
try {
  // Warm-up: one short run so lazy initialisation is not counted, then memory at start.
  let warm = false;
  const warmUp = simulatePeople({
    base: server.url,
    people: Math.min(people, 20),
    prefix: "warm",
    stop: () => warm,
    onAnswer: () => undefined,
  });
  await new Promise((r) => setTimeout(r, 2_000));
  warm = true;
  await warmUp;
  const start = await server.memory();
  await server.requestTimes(); // from here on: the warm-up's requests are not counted
  console.log(`server ${server.url}, ${people} simulated people for ${seconds} s (data in ${dir})`);
  console.log(`memory at start: RSS ${mb(start.rss)}, heap used ${mb(start.heapUsed)}`);

  const answers: Answer[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  const sampler = setInterval(() => {
    void server.memory().then((m) => {
      const elapsed = (performance.now() - t0) / 1000;
      console.log(
        `  ${elapsed.toFixed(0)} s: ${answers.length} answers, RSS ${mb(m.rss)}, heap used ${mb(m.heapUsed)}`,
      );
    });
  }, 10_000);
  await simulatePeople({
    base: server.url,
    people,
    prefix: "p",
    stop: () => performance.now() >= deadline,
    onAnswer: (a) => answers.push(a),
  });
  clearInterval(sampler);
  const elapsed = (performance.now() - t0) / 1000;
  const end = await server.memory();
  const inside = await server.requestTimes();

  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  const errors = answers.filter((a) => a.status !== 200);
  const byKind = (kind: Answer["kind"]) => answers.filter((a) => a.kind === kind).length;
  console.log(
    `requests: ${answers.length} in ${elapsed.toFixed(1)} s = ${(answers.length / elapsed).toFixed(1)} requests/s (messages ${byKind("message")}, feedback ${byKind("feedback")}, profile reads ${byKind("profile")})`,
  );
  console.log(
    `latency: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1) ?? "-"} ms`,
  );
  // The difference is time spent before the server read the request (waiting for the connection to be served).
  console.log(
    `  inside the server (request read -> answer sent, ${inside.count} requests): p50 ${inside.p50.toFixed(1)} ms, p99 ${inside.p99.toFixed(1)} ms, max ${inside.max.toFixed(1)} ms`,
  );
  console.log(
    `errors: ${errors.length}${errors.length ? ` (${[...new Set(errors.map((e) => e.failure ?? String(e.status)))].slice(0, 5).join("; ")})` : ""}`,
  );
  console.log(
    `memory at end: RSS ${mb(end.rss)}, heap used ${mb(end.heapUsed)} (start: RSS ${mb(start.rss)}, heap used ${mb(start.heapUsed)})`,
  );
  if (errors.length > 0) process.exitCode = 1;
} finally {
  server.child.kill("SIGTERM");
  await server.exited;
  if (!values["data-dir"]) rmSync(dir, { recursive: true, force: true });
}
