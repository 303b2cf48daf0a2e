// Optional LLM prose for a reply's grounded reasons, through any OpenAI-compatible endpoint. Never in the way:
// no key = never called; each explanation has a time budget (retries included), answers are checked before
// use and dropped otherwise, and identical requests are answered from a cache or share one call.
import OpenAI from "openai";
import type { Catalog } from "../catalog/catalog.ts";
import type { LlmConfig } from "../config.ts";
import type { OutgoingReply } from "../types.ts";
import { LRUCache } from "lru-cache";
import { AnswerCheck, type Verdict } from "./check.ts";
import {
  cacheKeyOf,
  explainInputOf,
  renderInterests,
  renderItems,
  type ExplainInput,
} from "./llm-input.ts";
import type { ExplainPrompts } from "./prompts.ts";
import { withLlmRetries } from "./retry.ts";

const CACHE_ENTRIES = 2_000;
/** One person cannot hold more than this many LLM calls open at once; beyond it they get template reasons. */
const MAX_IN_FLIGHT_PER_PERSON = 2;
/** Token cap with room to spare: an over-long answer should fail the character check, not be cut mid-sentence. */
const CHARS_PER_TOKEN_CAP = 2;
const SENTENCE_END = /[.!?…]["'”’)\]]*\s+|\n+/g;

export interface ExplainOptions {
  /** Stop waiting early (the caller's own deadline, a closed connection). The budget applies regardless. */
  signal?: AbortSignal;
  /**
   * Streams the answer: called with the checked text so far, sentence by sentence. If explain() then resolves
   * to undefined, the streamed text failed a later check or was cut off and must be withdrawn.
   */
  onText?: (textSoFar: string) => void;
}

export class LlmExplainer {
  /** False without OPENAI_API_KEY: explain() then always resolves to undefined without any network call. */
  readonly enabled: boolean;
  /** Counters for logs and benches. */
  readonly stats = { requests: 0, cacheHits: 0, dropped: 0, failed: 0 };
  private readonly client: OpenAI | undefined;
  private readonly cache = new LRUCache<string, string | false>({ max: CACHE_ENTRIES });
  private readonly inFlight = new Map<string, Promise<string | undefined>>();
  private readonly perPerson = new Map<string, number>();
  /** The last explanation input being made (see explain). */
  private inputsMade: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: LlmConfig,
    private readonly prompts: ExplainPrompts,
    private readonly catalog: Catalog,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    // Every option passed explicitly: src/config.ts, not the client, reads the environment.
    this.client = config.apiKey
      ? new OpenAI({
          apiKey: config.apiKey,
          baseURL: config.baseUrl ?? "https://api.openai.com/v1",
          organization: null,
          project: null,
          adminAPIKey: null,
          webhookSecret: null,
          maxRetries: 0,
          timeout: config.timeoutMs,
          logLevel: "off",
        })
      : undefined;
    this.enabled = this.client !== undefined;
  }

  /**
   * The reply's reasons as prose, or undefined (disabled, nothing to explain, over budget, failed a check).
   * `personKey` only limits one person's concurrent calls; it is never sent.
   */
  async explain(
    reply: OutgoingReply,
    personKey: string,
    opts: ExplainOptions = {},
  ): Promise<string | undefined> {
    if (!this.client || reply.recommendations.length === 0) return undefined;
    // Made in call order (their texts are read from the items table): a person's calls are then let in,
    // or turned away, in the order they came.
    const made = this.inputsMade.then(() => explainInputOf(reply, this.catalog));
    this.inputsMade = made.catch(() => undefined);
    const input = await made;
    const key = cacheKeyOf(input);
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      this.stats.cacheHits++;
      if (cached) opts.onText?.(cached);
      return cached || undefined;
    }
    const deadline = Date.now() + this.config.timeoutMs;
    const budget = AbortSignal.timeout(this.config.timeoutMs);
    const signal = opts.signal ? AbortSignal.any([budget, opts.signal]) : budget;
    if (opts.onText)
      return untilAborted(
        this.run(this.client, key, input, personKey, deadline, signal, opts.onText),
        signal,
      );
    // Callers asking the same thing at once share one call; it runs on its own budget so that one caller
    // giving up does not cancel it for the others (and its answer still lands in the cache).
    let shared = this.inFlight.get(key);
    if (!shared) {
      shared = this.run(this.client, key, input, personKey, deadline, budget).finally(() =>
        this.inFlight.delete(key),
      );
      this.inFlight.set(key, shared);
    }
    return untilAborted(shared, signal);
  }

  private async run(
    client: OpenAI,
    key: string,
    input: ExplainInput,
    personKey: string,
    deadline: number,
    signal: AbortSignal,
    onText?: (text: string) => void,
  ): Promise<string | undefined> {
    const busy = this.perPerson.get(personKey) ?? 0;
    if (busy >= MAX_IN_FLIGHT_PER_PERSON) return undefined;
    this.perPerson.set(personKey, busy + 1);
    try {
      const check = new AnswerCheck(this.catalog, input, this.config.maxChars);
      const verdict = onText
        ? await this.streamed(client, input, check, deadline, signal, onText)
        : await this.completed(client, input, check, deadline, signal);
      if (verdict.ok) {
        this.cache.set(key, verdict.text);
        return verdict.text;
      }
      this.stats.dropped++;
      this.cache.set(key, false);
      this.log(`LLM explanation dropped: ${verdict.problem}`);
      return undefined;
    } catch (err) {
      this.stats.failed++;
      this.log(
        `LLM explanation ${signal.aborted ? "over its time budget" : `failed: ${err instanceof Error ? err.message : String(err)}`}`,
      );
      return undefined;
    } finally {
      const left = (this.perPerson.get(personKey) ?? 1) - 1;
      if (left > 0) this.perPerson.set(personKey, left);
      else this.perPerson.delete(personKey);
    }
  }

  private async completed(
    client: OpenAI,
    input: ExplainInput,
    check: AnswerCheck,
    deadline: number,
    signal: AbortSignal,
  ): Promise<Verdict> {
    const completion = await withLlmRetries(deadline, signal, () => {
      this.stats.requests++;
      return client.chat.completions.create(this.request(input), {
        signal,
        maxRetries: 0,
        timeout: remaining(deadline),
      });
    });
    const choice = completion.choices[0];
    if (choice?.finish_reason === "length")
      return { ok: false, problem: "answer cut off at the token limit" };
    return check.check(choice?.message.content ?? "");
  }

  /** Streams sentence by sentence, each prefix checked before it is shown. Retries only before the first chunk. */
  private async streamed(
    client: OpenAI,
    input: ExplainInput,
    check: AnswerCheck,
    deadline: number,
    signal: AbortSignal,
    onText: (text: string) => void,
  ): Promise<Verdict> {
    const stream = await withLlmRetries(deadline, signal, () => {
      this.stats.requests++;
      return client.chat.completions.create(
        { ...this.request(input), stream: true },
        { signal, maxRetries: 0, timeout: remaining(deadline) },
      );
    });
    let full = "";
    let shown = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      full += choice?.delta.content ?? "";
      finish = choice?.finish_reason ?? finish;
      const end = lastSentenceEnd(full);
      if (end <= shown) continue;
      const prefix = check.check(full.slice(0, end), true);
      if (!prefix.ok) {
        stream.controller.abort();
        return prefix;
      }
      shown = end;
      onText(prefix.text);
    }
    if (finish === "length") return { ok: false, problem: "answer cut off at the token limit" };
    const verdict = check.check(full);
    if (verdict.ok && full.trim().length > full.slice(0, shown).trim().length) onText(verdict.text);
    return verdict;
  }

  private request(input: ExplainInput) {
    const values = {
      items: renderItems(input),
      interests: renderInterests(input),
      maxChars: String(this.config.maxChars),
    };
    return {
      model: this.config.model,
      messages: [
        { role: "system" as const, content: this.prompts.system.render(values) },
        { role: "user" as const, content: this.prompts.user.render(values) },
      ],
      max_tokens: Math.ceil(this.config.maxChars / CHARS_PER_TOKEN_CAP),
      temperature: 0.3,
    };
  }
}

function remaining(deadline: number): number {
  return Math.max(1, Math.floor(deadline - Date.now()));
}

function lastSentenceEnd(text: string): number {
  let end = 0;
  for (const m of text.matchAll(SENTENCE_END)) end = m.index + m[0].length;
  return end;
}

/** Resolves with the work's value, or undefined as soon as the signal aborts or the work fails. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const stop = () => resolve(undefined);
    signal.addEventListener("abort", stop, { once: true });
    work
      .then(resolve, () => resolve(undefined))
      .finally(() => signal.removeEventListener("abort", stop));
  });
}
