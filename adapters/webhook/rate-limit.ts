// Per-person token buckets (429 + Retry-After) and a cap on requests in progress (503 + Retry-After).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { TokenBuckets } from "../token-buckets.ts";
import { isApiRequest } from "./auth.ts";

export interface RateLimitOptions {
  /** Tokens added per minute; 0 turns per-person limits off. */
  ratePerMinute: number;
  /** Bucket size: how many requests a person may send at once after a quiet spell. */
  rateBurst: number;
  maxInFlight: number;
}

/** Who a /v1 request acts for: the web session, or the user id in the body or the path. */
function personOf(req: FastifyRequest): string | undefined {
  if (req.webSession) return `web:${req.webSession}`;
  const body = req.body as { user?: { id?: unknown } } | undefined;
  const fromBody =
    typeof body === "object" && body !== null && typeof body.user === "object" && body.user !== null
      ? body.user.id
      : undefined;
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
      return reply
        .status(503)
        .header("retry-after", "1")
        .send({ error: `server busy: ${opts.maxInFlight} requests in progress, retry shortly` });
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
        .send({
          error: `too many requests for this person (limit ${opts.ratePerMinute} per minute, bursts of ${opts.rateBurst}); retry in ${taken.retryAfterSeconds} s`,
        });
    }
  });
}
