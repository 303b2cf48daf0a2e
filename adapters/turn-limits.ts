// Per-person rate limits shared by the adapters: token buckets keyed by person. The HTTP API answers 429 with
// Retry-After (webhook/rate-limit.ts); the chat adapters answer politely instead (TurnLimits below).
import type { Config } from "../src/config.ts";
import type { UserRef } from "../src/types.ts";

export type TakeResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Token buckets keyed by person; idle full buckets are dropped so memory stays bounded. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    ratePerMinute: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {
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
    return {
      ok: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)),
    };
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

/** The polite answer to a chat message over CHATREC_MAX_TEXT_LENGTH characters, else undefined. */
export function tooLongRefusal(text: string, maxTextLength: number): string | undefined {
  return text.length > maxTextLength
    ? `That message is too long for me (over ${maxTextLength} characters); please shorten it.`
    : undefined;
}

/** The chat side: a message too long, or a person over CHATREC_RATE_PER_MIN / CHATREC_RATE_BURST, gets a polite answer. */
export class TurnLimits {
  private readonly buckets: TokenBuckets | undefined;
  private readonly maxTextLength: number;

  constructor(config: Pick<Config, "ratePerMinute" | "rateBurst" | "maxTextLength">) {
    this.buckets =
      config.ratePerMinute > 0
        ? new TokenBuckets(config.ratePerMinute, config.rateBurst)
        : undefined;
    this.maxTextLength = config.maxTextLength;
  }

  /** Checks the text's length, then counts a turn; returns the polite refusal, or undefined to go on. */
  refusal(user: UserRef, text = ""): string | undefined {
    const tooLong = tooLongRefusal(text, this.maxTextLength);
    if (tooLong) return tooLong;
    const taken = this.buckets?.take(`${user.platform}\0${user.scope ?? ""}\0${user.id}`);
    if (!taken || taken.ok) return undefined;
    return `You're sending me messages faster than I can keep up with; please wait ${taken.retryAfterSeconds} s and try again.`;
  }
}
