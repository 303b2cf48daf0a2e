// When the server runs as a forked child (the load test and the fault tests do this), it tells its parent
// where it listens and answers questions about its memory and its own request times over the IPC channel
// (spawnServer is the parent side; run as a program, this file is `chatrec start` with those hooks).
import { fork, type ChildProcess } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { percentile } from "../../src/util/stats.ts";

export interface RequestTimes {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export type ParentMessage =
  | { type: "listening"; url: string }
  | { type: "memory"; rss: number; heapUsed: number; heapTotal: number }
  | ({ type: "requests" } & RequestTimes);

const requestMs: number[] = [];

/**
 * Under a parent only: times each HTTP request from the server reading it to the answer being sent, so a load
 * test can tell time inside the server from time spent waiting to be read (call before `listen`).
 */
export function timeRequestsForParent(app: FastifyInstance): void {
  if (!process.send) return;
  const started = new WeakMap<object, number>();
  app.addHook("onRequest", async (req) => {
    started.set(req, performance.now());
  });
  app.addHook("onResponse", async (req) => {
    const t = started.get(req);
    if (t !== undefined) requestMs.push(performance.now() - t);
  });
}

/** The requests answered since the parent last asked (so it can leave out a warm-up). */
function requestTimesSinceLastAsked(): RequestTimes {
  const sorted = requestMs.splice(0).sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
  };
}

export function reportToParent(url: string): void {
  if (!process.send) return;
  process.send({ type: "listening", url } satisfies ParentMessage);
  process.on("message", (msg: unknown) => {
    const type = (msg as { type?: unknown } | null)?.type;
    if (type === "memory") {
      const { rss, heapUsed, heapTotal } = process.memoryUsage();
      process.send?.({ type: "memory", rss, heapUsed, heapTotal } satisfies ParentMessage);
    } else if (type === "requests") {
      process.send?.({ type: "requests", ...requestTimesSinceLastAsked() } satisfies ParentMessage);
    }
  });
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  memory(): Promise<{ rss: number; heapUsed: number; heapTotal: number }>;
  /** The server's own time per HTTP request (from reading it to answering) since the last call. */
  requestTimes(): Promise<RequestTimes>;
  output(): string;
}

const SELF = fileURLToPath(import.meta.url);

/** Starts `chatrec start` as a child process on an ephemeral loopback port and waits until it listens. */
export function spawnServer(env: Record<string, string>, timeoutMs = 90_000): Promise<ChildServer> {
  const child = fork(SELF, ["start"], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", CHATREC_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start within ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${log}`));
    });
    child.on("message", (msg: ParentMessage) => {
      if (msg.type !== "listening") return;
      clearTimeout(timer);
      resolve({
        url: msg.url,
        child,
        exited,
        output: () => log,
        memory: () =>
          ask(child, "memory").then((m) => ({
            rss: m.rss,
            heapUsed: m.heapUsed,
            heapTotal: m.heapTotal,
          })),
        requestTimes: () =>
          ask(child, "requests").then((m) => ({
            count: m.count,
            p50: m.p50,
            p99: m.p99,
            max: m.max,
          })),
      });
    });
  });
}

/** Sends a question to the child and resolves with its first answer of that type. */
function ask<T extends "memory" | "requests">(
  child: ChildProcess,
  type: T,
): Promise<Extract<ParentMessage, { type: T }>> {
  return new Promise((done) => {
    const onMessage = (m: ParentMessage) => {
      if (m.type !== type) return;
      child.off("message", onMessage);
      done(m as Extract<ParentMessage, { type: T }>);
    };
    child.on("message", onMessage);
    child.send({ type });
  });
}

// Run as the child: `chatrec start` with the parent's hooks.
if (process.argv[1] === SELF) {
  const { startServer } = await import("../../adapters/start.ts");
  // Reported once the turn workers run, so that a load test times them and not the main thread's turns.
  let address = "";
  await startServer({
    beforeListen: timeRequestsForParent,
    listening: (url) => (address = url),
    workersStarted: () => reportToParent(address),
  }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
