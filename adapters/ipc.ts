// When the server runs as a forked child (the load test and the fault tests do this), it tells its parent
// where it listens and answers memory questions over the IPC channel (spawnServer is the parent side).
import { fork, type ChildProcess } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

export type ParentMessage = { type: "listening"; url: string } | { type: "memory"; rss: number; heapUsed: number; heapTotal: number };

export function reportToParent(url: string): void {
  if (!process.send) return;
  process.send({ type: "listening", url } satisfies ParentMessage);
  process.on("message", (msg: unknown) => {
    if ((msg as { type?: unknown } | null)?.type !== "memory") return;
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    process.send?.({ type: "memory", rss, heapUsed, heapTotal } satisfies ParentMessage);
  });
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited: Promise<number | string>;
  memory(): Promise<{ rss: number; heapUsed: number; heapTotal: number }>;
  output(): string;
}

const BIN = fileURLToPath(new URL("../bin/chatrec.js", import.meta.url));

/** Starts `chatrec start` as a child process on an ephemeral loopback port and waits until it listens. */
export function spawnServer(env: Record<string, string>, timeoutMs = 90_000): Promise<ChildServer> {
  const child = fork(BIN, ["start"], { env: { ...process.env, PORT: "0", HOST: "127.0.0.1", CHATREC_LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let log = "";
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${timeoutMs} ms:\n${log}`)), timeoutMs);
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
          new Promise((done) => {
            const onMessage = (m: ParentMessage) => {
              if (m.type !== "memory") return;
              child.off("message", onMessage);
              done({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal });
            };
            child.on("message", onMessage);
            child.send({ type: "memory" });
          }),
      });
    });
  });
}
