// Asynchronous replies for other chat systems: a request carrying `callbackUrl` is answered 202 at once and the
// reply is POSTed to that URL, signed like our own API (X-Chatrec-Timestamp, X-Chatrec-Signature), retried with
// exponential backoff on network errors, timeouts, 408, 429 and 5xx (waiting longer when the receiver's
// Retry-After asks for it, up to a minute). Only allow-listed hosts are called, over
// https (plain http only for loopback), and redirects are not followed, so a callback cannot be bounced elsewhere.
import { withRetries } from "../../src/util/retry.ts";
import { randomUUID } from "node:crypto";
import type { CallbackConfig } from "../../src/config.ts";
import { signedHeaders } from "../../src/util/signature.ts";
import { retryAfterMs } from "../../src/util/retry-after.ts";

export const DELIVERY_HEADER = "x-chatrec-delivery";
export const ATTEMPT_HEADER = "x-chatrec-attempt";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type CallbackCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Whether `callbackUrl` may be called under `config`; the reason says what to change when not. */
export function checkCallbackUrl(callbackUrl: string, config: CallbackConfig): CallbackCheck {
  if (!config.secret)
    return {
      ok: false,
      reason:
        "callbacks are disabled on this server: no signing secret is configured (CHATREC_CALLBACK_SECRET)",
    };
  if (config.hosts.length === 0)
    return {
      ok: false,
      reason: "callbacks are disabled on this server: CHATREC_CALLBACK_HOSTS lists no allowed host",
    };
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return { ok: false, reason: "callbackUrl is not a valid URL" };
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(host)))
    return { ok: false, reason: "callbackUrl must use https (plain http only for loopback hosts)" };
  if (url.username || url.password)
    return { ok: false, reason: "callbackUrl must not carry credentials" };
  if (!hostAllowed(host, config.hosts))
    return {
      ok: false,
      reason: `callbackUrl host ${host} is not on this server's allow-list (CHATREC_CALLBACK_HOSTS)`,
    };
  return { ok: true, url };
}

/** Exact host names, or "*.example.com" for its subdomains. */
function hostAllowed(host: string, allowed: string[]): boolean {
  return allowed.some((entry) =>
    entry.startsWith("*.") ? host.endsWith(entry.slice(1)) : host === entry,
  );
}

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;
/** A receiver may ask for a longer pause than our backoff, not for an unbounded one. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Delivers callbacks in the background; close() stops waiting retries and waits for deliveries in flight. */
export class CallbackSender {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();

  constructor(
    private readonly config: CallbackConfig,
    private readonly log: Logger,
  ) {}

  /**
   * Accepts a job: `produce` computes the reply body (the same JSON the synchronous API returns), which is then
   * delivered to `url` with the delivery id as `id`. Returns the id at once.
   */
  accept(url: URL, produce: () => Promise<object>): string {
    const id = randomUUID();
    const job = produce()
      .catch((err: unknown) => {
        this.log.warn({ err, deliveryId: id }, "callback turn failed; sending an error reply");
        return { error: "internal error" };
      })
      .then((body) => this.deliver(url, id, JSON.stringify({ id, ...body })));
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
    return id;
  }

  private async deliver(url: URL, id: string, body: string): Promise<void> {
    const { attempts, backoffMs, timeoutMs } = this.config;
    const where = { deliveryId: id, url: url.origin + url.pathname };
    try {
      await withRetries(
        async (attempt) => {
          const res = await fetch(url, {
            method: "POST",
            redirect: "manual",
            headers: {
              "content-type": "application/json",
              [DELIVERY_HEADER]: id,
              [ATTEMPT_HEADER]: String(attempt),
              ...signedHeaders(this.config.secret!, body),
            },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) throw new DeliveryRefused(res);
        },
        {
          attempts,
          signal: this.closing.signal,
          // A refusal that is not worth retrying ends it; otherwise back off, or wait as the receiver asks.
          delayMs: (err, attempt) =>
            err instanceof DeliveryRefused && !retryable(err.status)
              ? undefined
              : Math.max(
                  backoffMs * 2 ** (attempt - 1),
                  err instanceof DeliveryRefused ? (err.askedMs ?? 0) : 0,
                ),
          onRetry: (err, attempt, retryInMs) =>
            this.log.info(
              { deliveryId: id, attempt, outcome: outcomeOf(err), retryInMs },
              "callback failed; retrying",
            ),
        },
      );
    } catch (err) {
      if (err instanceof DeliveryRefused && !retryable(err.status))
        this.log.warn(
          { ...where, status: err.status },
          "callback refused by the receiver; not retrying",
        );
      else if (this.closing.signal.aborted)
        this.log.warn(
          { ...where, outcome: outcomeOf(err) },
          "callback failed while shutting down; giving up",
        );
      else
        this.log.warn(
          { ...where, attempts, outcome: outcomeOf(err) },
          "callback failed; giving up",
        );
    }
  }

  /** Stops further retries and waits for the turns and delivery attempts already running. */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.inFlight]);
  }
}

/** A receiver's non-2xx answer: its status, and the pause it asked for (Retry-After, capped). */
class DeliveryRefused extends Error {
  readonly status: number;
  readonly askedMs: number | undefined;
  constructor(res: Response) {
    super(`HTTP ${res.status}`);
    this.status = res.status;
    this.askedMs = retryAfterMs(res.headers, MAX_RETRY_AFTER_MS);
  }
}

const outcomeOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
