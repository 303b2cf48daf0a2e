// The host every adapter runs its turns through: per-person turn limits, de-duplication of redelivered
// platform events, one mapping from error codes to the sentence a person reads, and the LLM explanation
// that follows a reply. Adapters only parse and render.
import { LRUCache } from "lru-cache";
import type { Bot } from "../src/bot.ts";
import { ChatrecError, errorCode, type ErrorCode } from "../src/errors.ts";
import { chatTextFor } from "../src/messages.ts";
import type { OutgoingReply, UserRef } from "../src/types.ts";
import { forgotten } from "../src/messages.ts";
import type { Outlet, TurnRequest } from "./contract.ts";
import { TokenBuckets } from "./token-buckets.ts";

/** Platforms retry for minutes (Slack: about five); an hour covers that, and the size bounds memory. */
const DELIVERY_TTL_MS = 3_600_000;
const DELIVERY_KEYS = 50_000;
/** Codes a person can cause; everything else is also logged as a failure. */
const EXPECTED: ReadonlySet<ErrorCode> = new Set(["UNKNOWN_ITEM", "RATE_LIMITED", "TOO_LONG"]);

export type HostLog = (message: string, err?: unknown) => void;

export class TurnHost {
  private readonly buckets: TokenBuckets | undefined;
  private readonly log: HostLog;
  private readonly deliveries = new LRUCache<string, true>({
    max: DELIVERY_KEYS,
    ttl: DELIVERY_TTL_MS,
  });

  constructor(
    readonly bot: Bot,
    opts: { log?: HostLog; rateLimited?: boolean } = {},
  ) {
    this.log = opts.log ?? ((message, err) => console.error(message, err ?? ""));
    const { ratePerMinute, rateBurst } = bot.config;
    // The terminal is one local person at a keyboard: only the length limit applies there.
    this.buckets =
      ratePerMinute > 0 && opts.rateLimited !== false
        ? new TokenBuckets(ratePerMinute, rateBurst)
        : undefined;
  }

  get maxTextLength(): number {
    return this.bot.config.maxTextLength;
  }

  /** True the first time a platform's delivery key (an event id) is seen; false for its retries. */
  firstDelivery(key: string): boolean {
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, true);
    return true;
  }

  /**
   * A chat turn: checked against the limits, run, and delivered through `out`. Never throws: a failure
   * becomes the sentence for its code. When an LLM is configured, its explanation then replaces the
   * message sent.
   */
  async converse<M>(req: TurnRequest, out: Outlet<M>): Promise<void> {
    const outcome = await this.withinTime(this.attempt(req), out.slow);
    if (!outcome.ok) {
      const notice = out.notice(outcome.text);
      await (out.sendNotice ?? out.send)(notice).catch((err: unknown) =>
        this.log("the apology could not be sent", err),
      );
      return;
    }
    const { reply, text } = outcome;
    let update;
    try {
      update = await out.send(reply ? out.render(reply) : out.notice(text!));
    } catch (err) {
      this.log("the reply could not be sent", err);
      return;
    }
    if (update && reply)
      await this.explainAfter(reply, req.user, (m) => update(out.render(m.reply, m.explanation)));
  }

  /** The turn for a transport that maps error codes itself (HTTP): limits are its own, errors are thrown. */
  answer(req: Exclude<TurnRequest, { kind: "forget" }>): Promise<OutgoingReply> {
    return this.run(req) as Promise<OutgoingReply>;
  }

  /** The LLM's checked prose for a reply, or undefined (no LLM, over budget, failed its checks). */
  explain(reply: OutgoingReply, user: UserRef, signal?: AbortSignal) {
    return this.bot.explain(reply, user, signal ? { signal } : undefined);
  }

  private async attempt(
    req: TurnRequest,
  ): Promise<{ ok: true; reply?: OutgoingReply; text?: string } | { ok: false; text: string }> {
    try {
      if (req.kind !== "forget") this.checkLimits(req.user, req.kind === "message" ? req.text : "");
      const result = await this.run(req);
      return typeof result === "string" ? { ok: true, text: result } : { ok: true, reply: result };
    } catch (err) {
      const code = errorCode(err);
      if (!EXPECTED.has(code)) this.log(`${req.user.platform} turn failed`, err);
      const details = err instanceof ChatrecError ? err.details : {};
      return { ok: false, text: chatTextFor(code, details) };
    }
  }

  private async run(req: TurnRequest): Promise<OutgoingReply | string> {
    switch (req.kind) {
      case "message":
        return this.bot.handleMessage(req);
      case "list":
        return this.bot.recommendNow(req.user, {
          ...(req.messageId ? { messageId: req.messageId } : {}),
          ...(req.limit ? { limit: req.limit } : {}),
        });
      case "feedback":
        return this.bot.handleFeedback(req);
      case "forget":
        await this.bot.forget(req.user);
        return forgotten(req.scope);
    }
  }

  /** Over CHATREC_MAX_TEXT, or over CHATREC_RATE_PER_MIN / CHATREC_RATE_BURST: the turn stops. */
  private checkLimits(user: UserRef, text: string): void {
    const max = this.maxTextLength;
    if (text.length > max)
      throw new ChatrecError("TOO_LONG", `message over ${max} characters`, { max });
    const taken = this.buckets?.take(`${user.platform}\0${user.scope ?? ""}\0${user.id}`);
    if (taken && !taken.ok)
      throw new ChatrecError("RATE_LIMITED", "too many turns", {
        retryAfterSeconds: taken.retryAfterSeconds,
      });
  }

  /** Tells a platform with a deadline that the turn runs long, then waits for it. */
  private async withinTime<T>(work: Promise<T>, slow: Outlet<unknown>["slow"]): Promise<T> {
    if (!slow) return work;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">(
      (resolve) => (timer = setTimeout(() => resolve("late"), slow.afterMs)),
    );
    const first = await Promise.race([work, late]);
    clearTimeout(timer);
    if (first !== "late") return first;
    await slow.defer();
    return work;
  }

  private async explainAfter(
    reply: OutgoingReply,
    user: UserRef,
    show: (m: { reply: OutgoingReply; explanation: string }) => Promise<unknown>,
  ): Promise<void> {
    if (!this.bot.explanationsEnabled || reply.recommendations.length === 0) return;
    try {
      const explanation = await this.bot.explain(reply, user);
      if (explanation) await show({ reply, explanation });
    } catch (err) {
      this.log("the explanation could not be added", err);
    }
  }
}
