// The receiving side of webhook callbacks: a local HTTP server on 127.0.0.1 that records each delivery and
// answers with the next scripted response (then 200), as another chat system's endpoint would.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Delivery {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

/** A status to answer with; 0 drops the connection without an answer (a network error). */
export type ScriptedAnswer = number | { status: number; headers: Record<string, string> };

export class CallbackReceiver {
  readonly received: Delivery[] = [];
  script: ScriptedAnswer[] = [];
  /** http://127.0.0.1:<port>/hook */
  url = "";
  private server: Server | undefined;
  private readonly waiters = new Set<() => void>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString();
        this.received.push({
          at: Date.now(),
          path: req.url ?? "",
          headers: req.headers,
          raw,
          body: JSON.parse(raw) as Record<string, unknown>,
        });
        for (const wake of this.waiters) wake();
        const answer = this.script.shift() ?? 200;
        if (answer === 0) req.socket.destroy();
        else if (typeof answer === "number") res.writeHead(answer).end();
        else res.writeHead(answer.status, answer.headers).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  /** Resolves with what was received once at least `n` deliveries matched `match`; rejects after `ms`. */
  async count(
    n: number,
    ms = 10_000,
    match: (d: Delivery) => boolean = () => true,
  ): Promise<Delivery[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const got = this.received.filter(match);
      if (got.length >= n) return got;
      if (Date.now() > deadline)
        throw new Error(`expected ${n} callback deliveries within ${ms} ms, got ${got.length}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 50);
        this.waiters.add(wake);
      });
    }
  }

  close(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}
