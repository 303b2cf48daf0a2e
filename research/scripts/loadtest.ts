// `npm run loadtest [-- --seconds 60 --people 200 --workers 1,2]`: starts the real server (`chatrec start`, a
// child process on a fresh data folder and an ephemeral loopback port) once per worker count, lets simulated
// people chat with it over the HTTP API, then prints requests/s, p50/p99 latency, errors and the server's
// memory at start and end, and at the end each run side by side.
// Per-person rate limits are off for the run (each simulated person sends its next request as soon as the
// last one is answered, far faster than a person types); everything else is the default configuration.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnServer } from "../bench/server-child.ts";
import { percentile } from "../../src/util/stats.ts";
import { simulatePeople, type Answer } from "./simulated-people.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    people: { type: "string", default: "200" },
    workers: { type: "string", default: "1,2" },
  },
});
const seconds = Number(values.seconds);
const people = Number(values.people);
const workerCounts = values.workers.split(",").map(Number);
if (!(seconds > 0) || !(people >= 1) || !workerCounts.every((n) => Number.isInteger(n) && n >= 0))
  throw new Error("--seconds and --people must be positive numbers, --workers whole numbers");

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
interface RunResult {
  workers: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  rssMb: number;
  /** Cores busy over the run: the whole machine's, the server's and this load generator's. */
  cores: { machine: number; server: number; generator: number };
}

/** The machine's busy and total CPU milliseconds so far, over every core. */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

/** A process's CPU seconds so far, threads included (Linux; 0 elsewhere). */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, the 14th and 15th fields, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

const results: RunResult[] = [];
for (const workers of workerCounts) results.push(await loadRun(workers));
console.log(`\nside by side (${people} people, ${seconds} s each):`);
console.log(
  "  workers  requests/s  p50 ms  p99 ms  errors  RSS MB at end  cores busy: machine  server  load generator",
);
for (const r of results)
  console.log(
    `  ${String(r.workers).padStart(7)}  ${r.rps.toFixed(1).padStart(10)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${String(r.errors).padStart(6)}  ${r.rssMb.toFixed(0).padStart(13)}  ${r.cores.machine.toFixed(2).padStart(19)}  ${r.cores.server.toFixed(2).padStart(6)}  ${r.cores.generator.toFixed(2).padStart(14)}`,
  );
if (results.length > 1) {
  const first = results[0]!;
  console.log(
    `  requests/s of ${results.at(-1)!.workers} workers over ${first.workers}: ${(results.at(-1)!.rps / first.rps).toFixed(2)}x`,
  );
  // Requests/s can reach at most the machine's cores over the CPU a request took (the server's and the load
  // generator's, which share the machine), as measured in the first run.
  const cpuPerRequest = (first.cores.server + first.cores.generator) / first.rps;
  console.log(
    `  at most ${(cpus().length / cpuPerRequest / first.rps).toFixed(2)}x on this machine: a request took ${(1000 * cpuPerRequest).toFixed(2)} ms of CPU with ${first.workers} worker${first.workers === 1 ? "" : "s"} (load generator ${((1000 * first.cores.generator) / first.rps).toFixed(2)} ms), on ${cpus().length} cores`,
  );
}
if (results.some((r) => r.errors > 0)) process.exitCode = 1;

async function loadRun(workers: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-load-"));
  const server = await spawnServer({
    CHATREC_DATA_DIR: dir,
    CHATREC_RATE_PER_MIN: "0",
    CHATREC_WORKERS: String(workers),
  });
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
    console.log(
      `server ${server.url} with ${workers} turn worker${workers === 1 ? "" : "s"}, ${people} simulated people for ${seconds} s`,
    );
    console.log(`memory at start: RSS ${mb(start.rss)}, heap used ${mb(start.heapUsed)}`);

    const answers: Answer[] = [];
    const cpuBefore = {
      machine: machineCpu(),
      server: processCpuSeconds(server.child.pid),
      generator: process.cpuUsage(),
    };
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
    const machine = machineCpu();
    const generator = process.cpuUsage(cpuBefore.generator);
    const cores = {
      machine:
        (cpus().length * (machine.busy - cpuBefore.machine.busy)) /
        (machine.total - cpuBefore.machine.total),
      server: (processCpuSeconds(server.child.pid) - cpuBefore.server) / elapsed,
      generator: (generator.user + generator.system) / 1e6 / elapsed,
    };
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
      `cores busy: machine ${cores.machine.toFixed(2)} of ${cpus().length}, server ${cores.server.toFixed(2)}, load generator ${cores.generator.toFixed(2)}`,
    );
    console.log(
      `memory at end: RSS ${mb(end.rss)}, heap used ${mb(end.heapUsed)} (start: RSS ${mb(start.rss)}, heap used ${mb(start.heapUsed)})`,
    );
    return {
      workers,
      rps: answers.length / elapsed,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      errors: errors.length,
      rssMb: end.rss / 1_048_576,
      cores,
    };
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
