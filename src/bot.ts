// The bot as adapters see it: a thin facade over the engine. A turn is a message, a bare list request or a
// button; the answer is a platform-neutral reply that each adapter renders its own way.
import type { Wording } from "./catalog/wording.ts";
import type { Config } from "./config.ts";
import { Engine } from "./engine.ts";
import type { ExplainOptions } from "./explain/llm.ts";
import { topInterests, type Profile } from "./profile/profile.ts";
import type { FeedbackAction, IncomingMessage, OutgoingReply, UserRef } from "./types.ts";

export interface ProfileSummary {
  interests: ReturnType<typeof topInterests>;
  liked: string[];
  disliked: string[];
  seen: string[];
  constraints: Profile["constraints"];
}

export class Bot {
  readonly #engine: Engine;

  /** A bot over an engine that is already open (Bot.create opens one). */
  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /**
   * `workers`: threads that run the turns (the server uses config.turnWorkers); none runs them here.
   * `workersInBackground`: answer here while they load (the server), instead of waiting for them.
   */
  static async create(
    config: Config,
    log: (s: string) => void = () => undefined,
    opts: { workers?: number; workersInBackground?: boolean } = {},
  ): Promise<Bot> {
    return new Bot(await Engine.open(config, log, opts));
  }

  /** Settles when turn workers started in the background run (or failed to start, which is logged). */
  get workersStarted(): Promise<void> {
    return this.#engine.workersStarted;
  }

  /** Turns answered by worker threads so far. */
  get turnsInWorkers(): number {
    return this.#engine.turnsInWorkers;
  }

  /** The settings read at start-up (adapters read their limits from here). */
  get config(): Config {
    return this.#engine.parts.config;
  }

  /** Whether an LLM is configured, so a reply's explanation may follow it. */
  get explanationsEnabled(): boolean {
    return this.#engine.parts.explainer.enabled;
  }

  /** What the explainer did so far (its checks dropped, failed or over-budget answers). */
  get explanationStats() {
    return this.#engine.parts.explainer.stats;
  }

  /** How the catalog's items are named, and the examples its texts give (adapters' hints use it). */
  get wording(): Wording {
    return this.#engine.parts.catalog.wording;
  }

  get catalogSize(): number {
    return this.#engine.parts.catalog.size;
  }

  /** The catalog title of an item id, or undefined when the catalog has no such item. */
  itemTitle(itemId: string): string | undefined {
    return this.#engine.parts.catalog.item(itemId)?.title;
  }

  handleMessage(msg: IncomingMessage): Promise<OutgoingReply> {
    return this.#engine.turn(msg.user, {
      kind: "message",
      text: msg.text,
      messageId: msg.messageId,
      limit: msg.limit,
    });
  }

  /**
   * A fresh list from the profile alone, for a request without words (a bare "/recommend" command): what
   * it shows is recorded like any list; a repeated `messageId` gets the first answer again.
   */
  recommendNow(
    user: UserRef,
    opts: { messageId?: string; limit?: number } = {},
  ): Promise<OutgoingReply> {
    return this.#engine.turn(user, { kind: "profile-only", ...opts });
  }

  handleFeedback(action: FeedbackAction): Promise<OutgoingReply> {
    return this.#engine.turn(action.user, {
      kind: "feedback",
      itemId: action.itemId,
      signal: action.signal,
      messageId: action.messageId,
      limit: action.limit,
    });
  }

  /**
   * The reply's reasons rewritten as prose by the configured LLM, for posting after the reply itself (a
   * follow-up, an edit, a stream). Resolves within the time budget (CHATREC_LLM_TIMEOUT_MS) to the checked
   * text, or to undefined: no LLM configured (then nothing is called), nothing to explain, over budget,
   * aborted by `opts.signal`, or the answer failed the checks. Never rejects. Only the recommended items,
   * their reasons and `reply.interests` are sent; `user` is never sent.
   */
  explain(reply: OutgoingReply, user: UserRef, opts?: ExplainOptions): Promise<string | undefined> {
    return this.#engine.parts.explainer.explain(reply, this.#engine.keyOf(user), opts);
  }

  /** The person's latest list (kept in memory only while an LLM is configured), for explaining it afterwards. */
  latestReplyOf(user: UserRef): OutgoingReply | undefined {
    return this.#engine.latestReplyOf(user);
  }

  async profileOf(user: UserRef): Promise<ProfileSummary | undefined> {
    const { store } = this.#engine;
    const { catalog } = this.#engine.parts;
    return this.#engine.serially(user, async (key) => {
      if (!(await store.exists(key))) return undefined;
      const { profile } = await store.load(key, catalog, Date.now());
      return {
        interests: topInterests(profile, catalog.interestLabels, 10),
        liked: profile.liked,
        disliked: profile.disliked,
        seen: profile.seen,
        constraints: profile.constraints,
      };
    });
  }

  exportOf(user: UserRef) {
    const { store } = this.#engine;
    return this.#engine.serially(user, (key) =>
      store.exportPerson(key, this.#engine.parts.catalog),
    );
  }

  forget(user: UserRef): Promise<boolean> {
    return this.#engine.serially(user, (key) => {
      this.#engine.forgetReplies(key);
      return this.#engine.store.forget(key);
    });
  }

  close(): Promise<void> {
    return this.#engine.close();
  }
}
