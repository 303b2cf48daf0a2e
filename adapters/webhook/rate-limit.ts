// Per-person token buckets (429 + Retry-After) and a cap on requests in progress (503 + Retry-After).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isApiRequest } from "./auth.ts";

export interface RateLimitOptions {
  /** Tokens added per minute; 0 turns per-person limits off. */
  ratePerMinute: number;
  /** Bucket size: how many requests a person may send at once after a quiet spell. */
  rateBurst: number;
  maxInFlight: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Token buckets keyed by person; idle full buckets are dropped so memory stays bounded. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(ratePerMinute: number, private readonly burst: number, private readonly maxKeys = 100_000) {
    this.perMs = ratePerMinute / 60_000;
  }

  take(key: string, now = Date.now()): TakeResult {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (!this.buckets.has(key)) {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  private evict(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.burst) this.buckets.delete(key);
    }
    // Everyone is active: drop the oldest entry rather than grow (it restarts with a full bucket).
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  get size(): number {
    return this.buckets.size;
  }
}


/** Who a /v1 request acts for: the web session, or the user id in the body or the path. */
function personOf(req: FastifyRequest): string | undefined {
  if (req.webSession) return `web:${req.webSession}`;
  const body = req.body as { user?: { id?: unknown } } | undefined;
  const fromBody = typeof body === "object" && body !== null && typeof body.user === "object" && body.user !== null ? body.user.id : undefined;
  if (typeof fromBody === "string") return `api:${fromBody}`;
  const fromPath = (req.params as { id?: unknown } | undefined)?.id;
  return typeof fromPath === "string" ? `api:${fromPath}` : undefined;
}

/** Registers the in-flight cap (first, before any work) and the per-person limit (once the body is decoded). */
export function registerRateLimit(app: FastifyInstance, opts: RateLimitOptions): void {
  let inFlight = 0;
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isApiRequest(req)) return;
    if (inFlight >= opts.maxInFlight) {
      return reply.status(503).header("retry-after", "1").send({ error: `server busy: ${opts.maxInFlight} requests in progress, retry shortly` });
    }
    inFlight++;
    reply.raw.once("close", () => inFlight--);
  });

  if (opts.ratePerMinute <= 0) return;
  const buckets = new TokenBuckets(opts.ratePerMinute, opts.rateBurst);
  app.addHook("preHandler", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isApiRequest(req)) return;
    const person = personOf(req);
    if (person === undefined) return;
    const taken = buckets.take(person);
    if (!taken.ok) {
      return reply
        .status(429)
        .header("retry-after", String(taken.retryAfterSeconds))
        .send({ error: `too many requests for this person (limit ${opts.ratePerMinute} per minute, bursts of ${opts.rateBurst}); retry in ${taken.retryAfterSeconds} s` });
    }
  });
}
