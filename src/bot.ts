// The turn pipeline: understand -> capture -> profile -> recommend -> explain. Platform-neutral.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import type { Catalog } from "./catalog/catalog.ts";
import { ingestCatalog } from "./catalog/ingest.ts";
import { readCatalogSource } from "./catalog/source.ts";
import { openCatalog } from "./catalog/store.ts";
import { PACKAGE_ROOT, type Config } from "./config.ts";
import { LlmExplainer, type ExplainOptions } from "./explain/llm.ts";
import { loadExplainPrompts } from "./explain/prompts.ts";
import { reasonsFor } from "./explain/reasons.ts";
import { InterestModel, type InterestPrediction } from "./interest/model.ts";
import { withRequested } from "./interest/requested.ts";
import { loadOrCreateSecret, personKey } from "./profile/keys.ts";
import {
  applyEvent,
  confidence,
  topInterests,
  type ItemLookup,
  type Profile,
  type ProfileEvent,
} from "./profile/profile.ts";
import { ProfileStore, type PersonState } from "./profile/store.ts";
import { Neighbours } from "./recommend/neighbours.ts";
import { NEIGHBOURS_FILE, openNeighbours } from "./recommend/neighbours-store.ts";
import { Ranker, type RankedItem, type RankRequest } from "./recommend/rank.ts";
import { loadRankerModel, RANKER_FILE } from "./recommend/ranker-model.ts";
import { parseMessage, type ParsedMessage } from "./understand/parse.ts";
import { KeyedQueue } from "./util/keyed-queue.ts";
import { StageLaps, type StageRecorder } from "./util/stage-laps.ts";
import { LruCache } from "./util/lru.ts";
import { cleanText } from "./util/text.ts";
import { unknownItem } from "./errors.ts";
import type {
  FeedbackAction,
  IncomingMessage,
  OutgoingReply,
  Recommendation,
  UserRef,
} from "./types.ts";

const DEFAULT_LIMIT = 5;
/** People whose latest list is kept in memory for a later explanation request (web chat). */
const LATEST_LISTS = 5_000;
const ACTIONS: OutgoingReply["actions"] = ["like", "dislike", "seen", "more"];

/** The question that asks for the profile; the adapters' /profile commands send it. */
export const PROFILE_QUESTION = "what do you think I like?";

export const HELP_TEXT =
  'Tell me what you like ("I loved Inception and The Matrix, no horror") and I\'ll suggest more. ' +
  `Then say "more like the second one", "not that one", "I've seen it", "why?", or "${PROFILE_QUESTION}". ` +
  '"forget me" deletes everything I know about you.';

/** What one reply's list is made of. */
interface ListRequest {
  limit: number;
  message: MessageRequest;
  /** Centre the list on this item ("more like this"). */
  anchor?: string | undefined;
  /** The reply's first sentence ("Noted: you like X."). */
  lead: string;
  /** The request's own words, quoted by a "phrase" reason. */
  phrase?: string | undefined;
  /** False when the person will not see the list (a replayed dialogue): it is then not recorded as shown. */
  listShown?: boolean;
}

export class Bot {
  private readonly queue = new KeyedQueue();
  private readonly latestLists = new LruCache<string, OutgoingReply>(LATEST_LISTS);
  /** The catalog's interest labels, built once for the per-message parser. */
  private readonly categories: ReadonlySet<string>;
  readonly items: ItemLookup;
  /** When set (by the bench), every turn records how long each stage took. */
  stageRecorder: StageRecorder | undefined;

  private constructor(
    readonly config: Config,
    readonly model: InterestModel,
    readonly catalog: Catalog,
    readonly store: ProfileStore,
    private readonly secret: Buffer,
    /** Item-to-item neighbours (MovieLens likes + ReDial train co-mentions), from the LanceDB item_neighbours table. */
    readonly neighbours: Neighbours,
    /** Optional LLM prose; `explainer.enabled` is false without OPENAI_API_KEY. */
    readonly explainer: LlmExplainer,
    /** Features and learnt weights (models/ranker.json) over the whole catalog. */
    readonly ranker: Ranker,
  ) {
    this.categories = new Set(catalog.labels);
    this.items = catalog;
  }

  static async create(config: Config, log: (s: string) => void = () => undefined): Promise<Bot> {
    const prompts = loadExplainPrompts(config.llm.promptsDir); // a broken template fails before the slow loading
    const model = await InterestModel.load(config.modelDir);
    const db = await lancedb.connect(config.dbUri);
    const commonWords = new Map(
      readFileSync(join(PACKAGE_ROOT, "data/common-words.txt"), "utf8")
        .split("\n")
        .map((w, i) => [w, i] as const),
    );
    const progress = (done: number, total: number) => {
      if (done === total) log(`embedded ${total} catalog items`);
    };
    const seed = () =>
      ingestCatalog(db, model, {
        path: resolve(config.catalogPath),
        mode: "replace",
        reason: "seed",
        onProgress: progress,
      });
    const catalog = await openCatalog(db, model, seed, commonWords, progress);
    // The shipped neighbours belong to the demo catalog; an ingested catalog of its own goes without them.
    const source = await readCatalogSource(db);
    const neighbours =
      source && !source.demo
        ? Neighbours.empty()
        : await openNeighbours(db, join(config.modelDir, NEIGHBOURS_FILE), log);
    const store = await ProfileStore.open(db, {
      commitIntervalMs: config.commitIntervalMs,
      compactEvery: config.compactEvery,
      retentionDays: config.retentionDays,
      labels: model.labels.length,
      dim: model.dim,
      walDir: join(config.dataDir, "profile-wal"),
      cacheLimit: config.profileCacheSize,
    });
    const secret = loadOrCreateSecret(join(config.dataDir, "secret.key"));
    const ranker = new Ranker(
      catalog,
      neighbours,
      loadRankerModel(join(config.modelDir, RANKER_FILE)),
    );
    return new Bot(
      config,
      model,
      catalog,
      store,
      secret,
      neighbours,
      new LlmExplainer(config.llm, prompts, catalog, log),
      ranker,
    );
  }

  /** Whether an LLM is configured, so a reply's explanation may follow it. */
  get explanationsEnabled(): boolean {
    return this.explainer.enabled;
  }

  /** What the explainer did so far (its checks dropped, failed or over-budget answers). */
  get explanationStats(): Readonly<LlmExplainer["stats"]> {
    return this.explainer.stats;
  }

  get catalogSize(): number {
    return this.catalog.size;
  }

  /** The catalog title of an item id, or undefined when the catalog has no such item. */
  itemTitle(itemId: string): string | undefined {
    return this.catalog.item(itemId)?.title;
  }

  keyOf(user: UserRef): string {
    return personKey(this.secret, user);
  }

  handleMessage(msg: IncomingMessage): Promise<OutgoingReply> {
    const key = this.keyOf(msg.user);
    return this.queue
      .run(key, () => this.messageTurn(key, msg))
      .then((reply) => this.rememberLatest(key, reply));
  }

  /**
   * A fresh list from the profile alone, for a request without words (a bare "/recommend" command). It is a
   * message turn with nothing to read: what it shows is recorded like any list; a repeated `messageId` is
   * answered without a second event.
   */
  recommendNow(
    user: UserRef,
    opts: { messageId?: string; limit?: number } = {},
  ): Promise<OutgoingReply> {
    const key = this.keyOf(user);
    return this.queue
      .run(key, () => this.profileOnlyTurn(key, opts))
      .then((reply) => this.rememberLatest(key, reply));
  }

  handleFeedback(action: FeedbackAction): Promise<OutgoingReply> {
    const key = this.keyOf(action.user);
    return this.queue
      .run(key, () => this.feedbackTurn(key, action))
      .then((reply) => this.rememberLatest(key, reply));
  }

  /**
   * The reply's reasons rewritten as prose by the configured LLM, for posting after the reply itself (a
   * follow-up, an edit, a stream). Resolves within the time budget (CHATREC_LLM_TIMEOUT_MS) to the checked
   * text, or to undefined: no LLM configured (then nothing is called), nothing to explain, over budget,
   * aborted by `opts.signal`, or the answer failed the checks. Never rejects. Only the recommended items,
   * their reasons and `reply.interests` are sent; `user` is never sent.
   */
  explain(reply: OutgoingReply, user: UserRef, opts?: ExplainOptions): Promise<string | undefined> {
    return this.explainer.explain(reply, this.keyOf(user), opts);
  }

  /**
   * Records a turn in which the bot suggested `itemIds` (also a human recommender's turn when a conversation
   * is replayed as the bot's): they become shown and mentioned, so they are never offered again, and they are
   * the last list that "I've seen that one" or "the second one" refer to.
   */
  recordSuggestions(user: UserRef, itemIds: readonly string[], at = Date.now()): Promise<void> {
    const key = this.keyOf(user);
    return this.queue.run(key, async () => {
      const ids = [...new Set(itemIds)].filter((id) => this.catalog.row(id) !== undefined);
      if (ids.length === 0) return;
      const state = await this.store.load(key, this.items, at);
      const event: ProfileEvent = {
        seq: state.profile.seq + 1,
        at,
        kind: "message",
        intent: "suggestion",
        signals: ids.map((itemId) => ({ itemId, signal: "mention" as const })),
        shown: ids,
      };
      await this.store.commit(key, state, event, this.items);
    });
  }

  /**
   * What the ranker would be asked for this person now, optionally with a message they are writing (read
   * like a message turn reads it), without changing the profile.
   */
  rankingRequest(
    user: UserRef,
    opts: { limit: number; text?: string; mmrLambda?: number; at?: number },
  ): Promise<RankRequest> {
    const key = this.keyOf(user);
    return this.queue.run(key, async () => {
      const { profile } = await this.store.load(key, this.items, opts.at ?? Date.now());
      const req: RankRequest = {
        profile,
        limit: opts.limit,
        mmrLambda: opts.mmrLambda ?? this.config.mmrLambda,
      };
      if (!opts.text) return req;
      const text = cleanText(opts.text, this.config.maxTextLength);
      const parsed = this.parse(text, profile);
      return { ...req, ...messageRequest(parsed, await this.read(parsed, text)) };
    });
  }

  /** The person's top `limit` items over the whole catalog right now (see rankingRequest); changes nothing. */
  async rankFor(
    user: UserRef,
    opts: { limit: number; text?: string; mmrLambda?: number },
  ): Promise<Array<{ id: string; score: number }>> {
    const ranked = this.ranker.rank(await this.rankingRequest(user, opts));
    return ranked.map((r) => ({ id: this.catalog.items[r.row]!.id, score: r.score }));
  }

  /** The person's latest list (kept in memory only while an LLM is configured), for explaining it afterwards. */
  latestReplyOf(user: UserRef): OutgoingReply | undefined {
    return this.latestLists.get(this.keyOf(user));
  }

  private rememberLatest(key: string, reply: OutgoingReply): OutgoingReply {
    if (reply.intent === "forget") this.latestLists.delete(key);
    else if (this.explainer.enabled && reply.recommendations.length > 0)
      this.latestLists.set(key, reply);
    return reply;
  }

  private async messageTurn(key: string, msg: IncomingMessage): Promise<OutgoingReply> {
    const laps = new StageLaps(this.stageRecorder);
    const now = msg.at ?? Date.now();
    const text = cleanText(typeof msg.text === "string" ? msg.text : "", this.config.maxTextLength);
    const limit = msg.limit ?? DEFAULT_LIMIT;
    if (text.trim() === "")
      return {
        text: `I didn't get any text there. ${HELP_TEXT}`,
        intent: "help",
        recommendations: [],
        interests: [],
        actions: [],
      };
    const state = await this.store.load(key, this.items, now);
    laps.lap("load");
    const redelivered = msg.messageId !== undefined && state.messageIds.has(msg.messageId);
    const parsed = this.parse(text, state.profile);
    const referenced = this.referencedItem(state.profile, parsed);
    laps.lap("parse");

    if (parsed.intent === "forget") {
      await this.store.forget(key);
      return {
        text: "Done: I deleted everything I knew about you.",
        intent: "forget",
        recommendations: [],
        interests: [],
        actions: [],
      };
    }
    const readOnly = this.readOnlyReply(parsed, state.profile, referenced);
    if (readOnly) {
      laps.lap("explain");
      // On record like every processed message (a redelivery answers again but counts once); the profile stays as it was.
      if (!redelivered)
        await this.store.commit(
          key,
          state,
          {
            seq: state.profile.seq + 1,
            at: now,
            kind: "message",
            intent: parsed.intent,
            ...(msg.messageId ? { messageId: msg.messageId } : {}),
            ...(this.config.storeMessageText ? { text } : {}),
            signals: [],
            shown: [],
            passive: true,
          },
          this.items,
        );
      return readOnly;
    }
    if (redelivered)
      return this.replyFor(
        state.profile,
        "Already got that message; here is your current list.",
        "recommend",
        limit,
      );

    const reading = await this.read(parsed, text);
    laps.lap("model");
    // Asking for a category by name now overrides an earlier "no ..." of it.
    const lifted = parsed.requested.filter((c) =>
      state.profile.constraints.excludeCategories.includes(c),
    );
    const event: ProfileEvent = {
      seq: state.profile.seq + 1,
      at: now,
      kind: "message",
      intent: parsed.intent,
      ...(msg.messageId ? { messageId: msg.messageId } : {}),
      ...(this.config.storeMessageText ? { text } : {}),
      signals: parsed.mentions.flatMap((m) => [
        { itemId: m.itemId, signal: "mention" as const },
        ...(m.polarity === "neutral" ? [] : [{ itemId: m.itemId, signal: m.polarity }]),
      ]),
      ...(parsed.people.length ? { people: parsed.people } : {}),
      constraints: { ...parsed.constraints, ...(lifted.length ? { allowCategories: lifted } : {}) },
      shown: [],
    };
    const { message } = messageRequest(parsed, reading);
    // A vague "newer" holds for its request and the "more" after it; a new request that says something else ends it.
    if (state.profile.constraints.minYearLapses && message && !parsed.asksForMore)
      event.constraints!.endVagueYear = true;
    if (message) {
      event.interests = Array.from(reading.prediction.interests);
      event.embedding = Array.from(message);
      event.confidence = confidence(reading.prediction.interests);
    }
    if (parsed.signal && referenced)
      event.signals.push({ itemId: referenced, signal: parsed.signal });
    const anchor = parsed.intent === "critique" ? referenced : parsed.moreLike;
    if (parsed.intent === "critique" && referenced)
      event.signals.push({ itemId: referenced, signal: "click" });
    const lead = [
      this.acknowledge(parsed, referenced),
      lifted.length ? `${capitalise(lifted.join(" and "))} allowed again.` : "",
    ]
      .filter(Boolean)
      .join(" ");
    return this.recommendAndCommit(laps, key, state, event, {
      limit,
      message: messageRequest(parsed, reading),
      anchor,
      lead,
      phrase: parsed.intent === "recommend" ? parsed.residual : undefined,
      listShown: msg.listShown ?? true,
    });
  }

  private async profileOnlyTurn(
    key: string,
    opts: { messageId?: string; limit?: number },
  ): Promise<OutgoingReply> {
    const laps = new StageLaps(this.stageRecorder);
    const now = Date.now();
    const limit = opts.limit ?? DEFAULT_LIMIT;
    const state = await this.store.load(key, this.items, now);
    laps.lap("load");
    if (opts.messageId && state.messageIds.has(opts.messageId))
      return this.replyFor(
        state.profile,
        "Already got that message; here is your current list.",
        "recommend",
        limit,
      );
    const event: ProfileEvent = {
      seq: state.profile.seq + 1,
      at: now,
      kind: "message",
      intent: "recommend",
      ...(opts.messageId ? { messageId: opts.messageId } : {}),
      signals: [],
      shown: [],
    };
    return this.recommendAndCommit(laps, key, state, event, { limit, message: {}, lead: "" });
  }

  private async feedbackTurn(key: string, action: FeedbackAction): Promise<OutgoingReply> {
    const laps = new StageLaps(this.stageRecorder);
    const now = Date.now();
    const state = await this.store.load(key, this.items, now);
    laps.lap("load");
    const item = this.catalog.item(action.itemId);
    if (!item) throw unknownItem(action.itemId);
    if (action.messageId && state.messageIds.has(action.messageId))
      return this.replyFor(
        state.profile,
        "Already noted.",
        "feedback",
        action.limit ?? DEFAULT_LIMIT,
      );
    const event: ProfileEvent = {
      seq: state.profile.seq + 1,
      at: now,
      kind: "feedback",
      intent: "feedback",
      ...(action.messageId ? { messageId: action.messageId } : {}),
      signals:
        action.signal === "more"
          ? [{ itemId: item.id, signal: "click" }]
          : [{ itemId: item.id, signal: action.signal }],
      shown: [],
    };
    const note = {
      like: `Noted: you like ${item.title}.`,
      dislike: `Got it, not ${item.title}.`,
      seen: `Noted: you've seen ${item.title}.`,
      click: `Noted your interest in ${item.title}.`,
      more: `More like ${item.title}:`,
    }[action.signal];
    return this.recommendAndCommit(laps, key, state, event, {
      limit: action.limit ?? DEFAULT_LIMIT,
      message: {},
      anchor: action.signal === "more" ? item.id : undefined,
      lead: note,
    });
  }

  private async recommendAndCommit(
    laps: StageLaps,
    key: string,
    state: PersonState,
    event: ProfileEvent,
    list: ListRequest,
  ): Promise<OutgoingReply> {
    const { limit, message, anchor, lead, phrase, listShown = true } = list;
    // Apply first so the reply already reflects this message, then record what was shown in the same event.
    const preview = applyEvent(state.profile, event, this.items);
    laps.lap("profile");
    const ranked = this.ranker.rank({
      profile: preview,
      ...message,
      ...(anchor ? { anchorItemId: anchor } : {}),
      limit,
      mmrLambda: this.config.mmrLambda,
    });
    laps.lap("rank");
    if (listShown) event.shown = ranked.map((r) => this.catalog.items[r.row]!.id);
    const committed = this.store.commit(key, state, event, this.items);
    laps.lap("commit");
    const recommendations = ranked.map((r) => this.toRecommendation(r, preview, phrase));
    laps.lap("reasons");
    await committed;
    laps.lap("durable");
    const interests = topInterests(state.profile, this.catalog.labels);
    const text = recommendations.length
      ? `${lead} Here are my picks:`
      : `${lead} I have nothing left that fits; try loosening a filter ("any genre").`;
    return {
      text: text.trim(),
      intent: event.intent as OutgoingReply["intent"],
      recommendations,
      interests,
      actions: ACTIONS,
    };
  }

  private toRecommendation(r: RankedItem, profile: Profile, phrase?: string): Recommendation {
    const item = this.catalog.items[r.row]!;
    return {
      id: item.id,
      title: item.title,
      ...(item.year ? { year: item.year } : {}),
      categories: item.categories,
      score: Math.round(r.score * 1000) / 1000,
      reasons: reasonsFor(
        this.catalog,
        r,
        profile,
        phrase && phrase.length <= 80 ? phrase : undefined,
      ),
    };
  }

  /** Re-ranks without changing the profile (duplicate delivery). */
  private replyFor(
    profile: Profile,
    text: string,
    intent: OutgoingReply["intent"],
    limit: number,
  ): OutgoingReply {
    const ranked = this.ranker.rank({ profile, limit, mmrLambda: this.config.mmrLambda });
    return {
      text,
      intent,
      recommendations: ranked.map((r) => this.toRecommendation(r, profile)),
      interests: topInterests(profile, this.catalog.labels),
      actions: ACTIONS,
    };
  }

  /** The answer to a message that only reads the profile (help, hello, what do you think I like?, why?), else undefined. */
  private readOnlyReply(
    parsed: ParsedMessage,
    profile: Profile,
    referenced: string | undefined,
  ): OutgoingReply | undefined {
    switch (parsed.intent) {
      case "help":
      case "greeting":
        return {
          text: parsed.intent === "help" ? HELP_TEXT : `Hi! ${HELP_TEXT}`,
          intent: parsed.intent,
          recommendations: [],
          interests: topInterests(profile, this.catalog.labels),
          actions: [],
        };
      case "profile":
        return this.profileReply(profile);
      case "explain":
        return this.explainReply(profile, referenced);
      default:
        return undefined;
    }
  }

  private parse(text: string, profile: Profile): ParsedMessage {
    return parseMessage(text, {
      titles: this.catalog.titles,
      people: this.catalog.people,
      categories: this.categories,
      lastListLength: profile.lastList.length,
    });
  }

  /** The model's reading of a message (corrected by the categories it names) and whether it says anything. */
  private async read(parsed: ParsedMessage, text: string): Promise<MessageReading> {
    const prediction = withRequested(
      (await this.model.predict([parsed.residual || text]))[0]!,
      this.catalog.labels,
      parsed.requested,
    );
    return {
      prediction,
      informative:
        parsed.residual.replace(/[^\p{L}\p{N}]/gu, "").length > 2 &&
        norm2(prediction.embedding) > 0,
    };
  }

  private referencedItem(profile: Profile, parsed: ParsedMessage): string | undefined {
    if (parsed.reference !== undefined)
      return parsed.reference === -1 ? profile.lastList.at(-1) : profile.lastList[parsed.reference];
    if (parsed.mentions.length > 0 && parsed.intent !== "recommend")
      return parsed.mentions.at(-1)!.itemId;
    return profile.focus;
  }

  private acknowledge(parsed: ParsedMessage, referenced: string | undefined): string {
    const title = referenced ? this.catalog.item(referenced)?.title : undefined;
    if (parsed.intent === "feedback" && title)
      return parsed.signal === "seen"
        ? `Noted: you've seen ${title}.`
        : parsed.signal === "dislike"
          ? `OK, not ${title}.`
          : `Glad you like ${title}!`;
    if (parsed.intent === "critique" && title) return `More like ${title}:`;
    const liked = parsed.mentions
      .filter((m) => m.polarity !== "dislike")
      .map((m) => this.catalog.item(m.itemId)?.title);
    const disliked = parsed.mentions
      .filter((m) => m.polarity === "dislike")
      .map((m) => this.catalog.item(m.itemId)?.title);
    const parts = [];
    if (liked.length) parts.push(`Taking ${liked.join(" and ")} as a starting point.`);
    if (disliked.length) parts.push(`I'll steer clear of things like ${disliked.join(" and ")}.`);
    if (parsed.constraints.excludeCategories?.length)
      parts.push(`No ${parsed.constraints.excludeCategories.join(" or ")}.`);
    return parts.join(" ");
  }

  private profileReply(profile: Profile): OutgoingReply {
    const interests = topInterests(profile, this.catalog.labels);
    const titles = (ids: string[]) =>
      ids
        .slice(-5)
        .map((id) => this.catalog.item(id)?.title)
        .filter(Boolean)
        .join(", ");
    const lines = [
      interests.length
        ? `I think you like ${interests.map((i) => `${i.label} (${Math.round(i.weight * 100)}%)`).join(", ")}.`
        : "I don't know your taste yet: tell me a few things you liked.",
    ];
    if (profile.liked.length) lines.push(`You liked: ${titles(profile.liked)}.`);
    if (profile.disliked.length) lines.push(`Not for you: ${titles(profile.disliked)}.`);
    if (profile.constraints.excludeCategories.length)
      lines.push(`Avoiding: ${profile.constraints.excludeCategories.join(", ")}.`);
    return {
      text: lines.join(" "),
      intent: "profile",
      recommendations: [],
      interests,
      actions: [],
    };
  }

  private explainReply(profile: Profile, itemId: string | undefined): OutgoingReply {
    const row = itemId !== undefined ? this.catalog.row(itemId) : undefined;
    if (row === undefined)
      return {
        text: "Ask me for some recommendations first, then I can tell you why I picked them.",
        intent: "explain",
        recommendations: [],
        interests: topInterests(profile, this.catalog.labels),
        actions: [],
      };
    const ranked = this.ranker.explainRow(
      { profile: { ...profile, shown: [] }, limit: 1, mmrLambda: 1 },
      row,
    );
    const reasons = ranked ? reasonsFor(this.catalog, ranked, profile) : [];
    const item = this.catalog.items[row]!;
    return {
      text: `Why ${item.title}: ${reasons.map((r) => r.text).join("; ") || "it fitted your profile at the time"}.`,
      intent: "explain",
      recommendations: [],
      interests: topInterests(profile, this.catalog.labels),
      actions: [],
    };
  }

  async profileOf(user: UserRef): Promise<
    | {
        interests: ReturnType<typeof topInterests>;
        liked: string[];
        disliked: string[];
        seen: string[];
        constraints: Profile["constraints"];
      }
    | undefined
  > {
    const key = this.keyOf(user);
    if (!(await this.store.exists(key))) return undefined;
    const { profile } = await this.store.load(key, this.items, Date.now());
    return {
      interests: topInterests(profile, this.catalog.labels, 10),
      liked: profile.liked,
      disliked: profile.disliked,
      seen: profile.seen,
      constraints: profile.constraints,
    };
  }

  exportOf(user: UserRef) {
    const key = this.keyOf(user);
    return this.queue.run(key, () => this.store.exportPerson(key, this.items));
  }

  forget(user: UserRef): Promise<boolean> {
    const key = this.keyOf(user);
    this.latestLists.delete(key);
    return this.queue.run(key, () => this.store.forget(key));
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.model.close();
  }
}

function norm2(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return s;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

interface MessageReading {
  prediction: InterestPrediction;
  informative: boolean;
}

type MessageRequest = Pick<RankRequest, "message" | "messageInterests" | "requested">;

/**
 * What a message adds to the ranking request, the same for a live turn and for `rankingRequest` (the
 * evaluations): its reading when it asks for something and says anything, and the categories it names.
 */
function messageRequest(
  parsed: ParsedMessage,
  { prediction, informative }: MessageReading,
): MessageRequest {
  return {
    ...(informative && parsed.intent === "recommend"
      ? { message: prediction.embedding, messageInterests: prediction.interests }
      : {}),
    ...(parsed.requested.length ? { requested: parsed.requested } : {}),
  };
}
