// The composition root: loads every part once at start-up and runs turns through the pipeline, one at a
// time per person. Product code talks to it through Bot (src/bot.ts); research code through Replay
// (src/replay.ts). Adapters never see it.
import { commonWords as loadCommonWords } from "./catalog/common-words.ts";
import { join, resolve } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { LRUCache } from "lru-cache";
import { ingestCatalog } from "./catalog/ingest.ts";
import type { ItemArraysPlace } from "./catalog/store.ts";
import { interestModelDir, type Config } from "./config.ts";
import { LlmExplainer } from "./explain/llm.ts";
import { loadExplainPrompts } from "./explain/prompts.ts";
import { InterestModel } from "./interest/model.ts";
import type { TurnContext, TurnInput } from "./pipeline/context.ts";
import { DEFAULT_LIMIT, type Parts } from "./pipeline/parts.ts";
import { need } from "./pipeline/context.ts";
import { runStages, runUntilReply, type StageRecorder } from "./pipeline/run.ts";
import { STORE_STAGES, TURN_STAGES } from "./pipeline/stages.ts";
import { TurnWorkers } from "./pipeline/turn-workers.ts";
import { loadOrCreateSecret, personKey } from "./profile/keys.ts";
import { ProfileStore } from "./profile/store.ts";
import { Neighbours } from "./recommend/neighbours.ts";
import { NEIGHBOURS_FILE, openNeighbours } from "./recommend/neighbours-store.ts";
import type { SharedFeatureCodes } from "./recommend/feature-codes.ts";
import { CODES_FILE, ItemIndex } from "./recommend/item-index.ts";
import { Ranker } from "./recommend/rank.ts";
import { loadRankerModel, RANKER_FILE } from "./recommend/ranker-model.ts";
import { openCatalogWithIndexes } from "./recommend/word-indexes.ts";
import type { OutgoingReply, UserRef } from "./types.ts";
import { KeyedQueue } from "./util/keyed-queue.ts";
import { cleanText } from "./util/text.ts";

/** People whose latest list is kept for a later explanation request (web chat), while an LLM is on. */
const LATEST_LISTS = 5_000;
/** Replies remembered by message id, so that a client retrying after a timeout gets the same answer. */
const SENT_REPLIES = 10_000;

export class Engine {
  private readonly queue = new KeyedQueue();
  private readonly latestLists = new LRUCache<string, OutgoingReply>({ max: LATEST_LISTS });
  private starting: Promise<void> = Promise.resolve();
  private readonly sentReplies = new LRUCache<string, OutgoingReply>({ max: SENT_REPLIES });
  /** When set (by the bench), every turn records how long each stage took. */
  stageRecorder: StageRecorder | undefined;
  readonly parts: Parts;

  private constructor(
    parts: Omit<Parts, "sentReply" | "categories">,
    /** The durable profile store, written by this thread only (turn workers hand their writes back). */
    readonly store: ProfileStore,
    private readonly secret: Buffer,
    /** The turn workers once they run; until then (or without any) turns run on this thread. */
    private workers: TurnWorkers | undefined,
  ) {
    this.parts = {
      ...parts,
      categories: new Set(parts.catalog.labels),
      sentReply: (key, messageId) => this.sentReplies.get(`${key}\0${messageId}`),
    };
  }

  static async open(
    config: Config,
    log: (s: string) => void = () => undefined,
    /**
     * `workers`: turn worker threads. `workersInBackground`: answer on this thread while they load, so a large
     * catalog serves as soon as this thread is ready (the server); otherwise open() waits for them.
     */
    opts: { workers?: number; workersInBackground?: boolean } = {},
  ): Promise<Engine> {
    const db = await lancedb.connect(config.dbUri);
    // A scratch area of the catalog's kernel memory for this thread and each turn worker.
    const parts = await loadWorkParts(config, db, log, {
      buildIndex: true,
      arrays: { threads: 1 + (opts.workers ?? 0) },
    });
    const store = await ProfileStore.open(db, {
      commitIntervalMs: config.commitIntervalMs,
      compactEvery: config.compactEvery,
      retentionDays: config.retentionDays,
      labels: parts.model.labels.length,
      dim: parts.model.dim,
      walDir: join(config.dataDir, "profile-wal"),
      cacheLimit: config.profileCacheSize,
      log,
    });
    const secret = loadOrCreateSecret(join(config.dataDir, "secret.key"));
    // Started last: each worker loads what the engine has just made ready (catalog embedded, neighbours stored).
    const starting = opts.workers
      ? TurnWorkers.start(config, opts.workers, log, {
          arrays: parts.catalog.share(),
          indexCodes: parts.itemIndex?.share(),
        })
      : undefined;
    if (!starting || !opts.workersInBackground)
      return new Engine({ ...parts, store }, store, secret, await starting);
    log(`answering on the main thread while ${opts.workers} turn worker(s) load`);
    const engine = new Engine({ ...parts, store }, store, secret, undefined);
    engine.starting = starting.then(
      (workers) => {
        engine.workers = workers;
      },
      (err: unknown) =>
        log(
          `turn workers failed to start, turns run on the main thread: ${err instanceof Error ? err.message : String(err)}`,
        ),
    );
    return engine;
  }

  /** Settles when workers started in the background run, or failed to start (which is logged). */
  get workersStarted(): Promise<void> {
    return this.starting;
  }

  /** Turns answered by worker threads so far (0 while they load, or without any). */
  get turnsInWorkers(): number {
    return this.workers?.turnsRun ?? 0;
  }

  keyOf(user: UserRef): string {
    return personKey(this.secret, user);
  }

  /** Runs `task` after this person's earlier turns (one person's turns never interleave). */
  serially<T>(user: UserRef, task: (key: string) => Promise<T>): Promise<T> {
    const key = this.keyOf(user);
    return this.queue.run(key, () => task(key));
  }

  /** One turn through the pipeline's stages. */
  turn(user: UserRef, input: TurnInput): Promise<OutgoingReply> {
    return this.serially(user, async (key) => {
      const { config } = this.parts;
      const ctx: TurnContext = {
        key,
        input,
        now: (input.kind === "message" ? input.at : undefined) ?? Date.now(),
        limit: input.limit ?? DEFAULT_LIMIT,
        text:
          input.kind === "message" && typeof input.text === "string"
            ? cleanText(input.text, config.maxTextLength)
            : "",
      };
      const reply = this.workers
        ? await this.turnInWorker(ctx, this.workers)
        : await runStages(TURN_STAGES, this.parts, ctx, this.stageRecorder);
      this.remember(key, input.messageId, reply);
      return reply;
    });
  }

  /**
   * The store's stages here, the rest in a worker thread; then the worker's writes (the turn's event, a
   * forget) go to the store here, in order, and the reply waits for them as it does on one thread.
   */
  private async turnInWorker(ctx: TurnContext, workers: TurnWorkers): Promise<OutgoingReply> {
    const early = await runUntilReply(STORE_STAGES, this.parts, ctx, undefined);
    if (early) return early;
    const state = need(ctx.state, "state");
    const { reply, writes } = await workers.run({
      key: ctx.key,
      input: ctx.input,
      now: ctx.now,
      limit: ctx.limit,
      text: ctx.text,
      // The message ids stay here: redelivery was answered above, and a worker never reads them.
      state: { profile: state.profile, messageIds: new Map() },
    });
    for (const write of writes)
      if (write.kind === "forget") await this.store.forget(ctx.key);
      else await this.store.commit(ctx.key, state, write.event, this.parts.catalog);
    return reply;
  }

  /** The person's latest list while an LLM is configured (explained on request afterwards). */
  latestReplyOf(user: UserRef): OutgoingReply | undefined {
    return this.latestLists.get(this.keyOf(user));
  }

  private remember(key: string, messageId: string | undefined, reply: OutgoingReply): void {
    if (reply.intent === "forget") {
      this.forgetReplies(key);
      return;
    }
    if (messageId !== undefined) this.sentReplies.set(`${key}\0${messageId}`, reply);
    if (this.parts.explainer.enabled && reply.recommendations.length > 0)
      this.latestLists.set(key, reply);
  }

  /** Drops every reply kept in memory for this person (forget). */
  forgetReplies(key: string): void {
    this.latestLists.delete(key);
    for (const k of this.sentReplies.keys())
      if (k.startsWith(`${key}\0`)) this.sentReplies.delete(k);
  }

  async close(): Promise<void> {
    await this.starting;
    await this.workers?.close();
    await this.store.close();
    await this.parts.model.close();
  }
}

/**
 * Everything the turn stages read, loaded once: by the engine at start-up, and by each turn worker after it
 * (the catalog is then embedded and the neighbours stored, so a worker only reads them).
 */
export async function loadWorkParts(
  config: Config,
  db: lancedb.Connection,
  log: (s: string) => void,
  /**
   * Whether a missing vector index is built and missing word indexes saved here (the engine), or the exact
   * pass serves and the indexes are built in memory only (a turn worker). `arrays`: where the catalog's
   * item arrays go (new ones by default; a turn worker reads the main thread's), and `indexCodes` the vector
   * index's codes a turn worker reads.
   */
  opts: { buildIndex: boolean; arrays?: ItemArraysPlace; indexCodes?: SharedFeatureCodes },
): Promise<Omit<Parts, "sentReply" | "categories" | "store">> {
  const prompts = loadExplainPrompts(config.llm.promptsDir); // a broken template fails before the slow loading
  // The data folder's own model (chatrec ingest --train) speaks its catalog's labels; else the shipped one.
  const model = await InterestModel.load(interestModelDir(config));
  const commonWords = loadCommonWords();
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
  const { catalog, collections, attributes, facets, demo } = await openCatalogWithIndexes({
    db,
    model,
    seed,
    commonWords,
    progress,
    dataDir: config.dataDir,
    save: opts.buildIndex,
    log,
    arrays: opts.arrays,
  });
  // The shipped neighbours belong to the demo catalog's ids.
  const neighbours = demo
    ? await openNeighbours(db, join(config.modelDir, NEIGHBOURS_FILE), log)
    : Neighbours.empty();
  const ranker = new Ranker(
    catalog,
    neighbours,
    loadRankerModel(join(config.modelDir, RANKER_FILE)),
    facets,
    collections,
    attributes,
  );
  const explainer = new LlmExplainer(config.llm, prompts, catalog, log);
  const itemIndex =
    catalog.size >= config.indexFromItems
      ? await ItemIndex.open(db, ranker, {
          build: opts.buildIndex,
          log,
          codesFile: join(config.dataDir, CODES_FILE),
          codes:
            opts.arrays && "shared" in opts.arrays && opts.indexCodes
              ? { shared: opts.indexCodes, thread: opts.arrays.thread }
              : { threads: opts.arrays && "threads" in opts.arrays ? opts.arrays.threads : 1 },
        })
      : undefined;
  return { config, model, catalog, neighbours, explainer, ranker, itemIndex };
}

/**
 * After an ingest: builds the vector index of a catalog large enough for one (CHATREC_INDEX_FROM), so the
 * next start only opens it. A smaller catalog needs none, and nothing is loaded for it.
 */
export async function buildItemIndexAfterIngest(
  config: Config,
  items: number,
  log: (s: string) => void,
): Promise<void> {
  if (items < config.indexFromItems) return;
  log(`building the vector index of ${items} items (CHATREC_INDEX_FROM=${config.indexFromItems})`);
  const db = await lancedb.connect(config.dbUri);
  try {
    const parts = await loadWorkParts(config, db, log, { buildIndex: true });
    await parts.model.close();
  } finally {
    db.close();
  }
}
