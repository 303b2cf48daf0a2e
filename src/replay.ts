// The evaluation and training API: replays recorded conversations through the same engine and pipeline
// the bot runs, and asks what the ranker would be asked, without reaching into the bot. research/ uses it;
// the product never does.
import type { Catalog } from "./catalog/catalog.ts";
import type { Config } from "./config.ts";
import { Bot } from "./bot.ts";
import { Engine } from "./engine.ts";
import type { InterestModel } from "./interest/model.ts";
import type { ProfileStore } from "./profile/store.ts";
import { newEvent } from "./pipeline/event.ts";
import type { StageRecorder } from "./pipeline/run.ts";
import { messageRequest, parse, read } from "./pipeline/understand.ts";
import type { Neighbours } from "./recommend/neighbours.ts";
import type { ItemIndex } from "./recommend/item-index.ts";
import type { Ranker, RankRequest } from "./recommend/rank.ts";
import type { OutgoingReply, UserRef } from "./types.ts";
import { cleanText } from "./util/text.ts";

/** The bot (turns exactly as a platform sends them) plus what evaluation and training need. */
export class Replay extends Bot {
  private readonly engine: Engine;

  private constructor(engine: Engine) {
    super(engine);
    this.engine = engine;
  }

  static async open(config: Config, log?: (s: string) => void): Promise<Replay> {
    return new Replay(await Engine.open(config, log));
  }
  get catalog(): Catalog {
    return this.engine.parts.catalog;
  }
  get ranker(): Ranker {
    return this.engine.parts.ranker;
  }
  /** The vector index of a large catalog; undefined when the exact pass serves. */
  get itemIndex(): ItemIndex | undefined {
    return this.engine.parts.itemIndex;
  }
  get neighbours(): Neighbours {
    return this.engine.parts.neighbours;
  }
  /** The profile store itself (tests flush it to look at what is on disk). */
  get store(): ProfileStore {
    return this.engine.store;
  }
  get model(): InterestModel {
    return this.engine.parts.model;
  }

  /** Times every later turn's stages (the bench); undefined stops. */
  timeStages(recorder: StageRecorder | undefined): void {
    this.engine.stageRecorder = recorder;
  }

  /**
   * A recorded seeker message at its own time. The list it produces is not shown to anyone (the person saw
   * the human recommender's turn instead), so it is not recorded as shown.
   */
  seekerMessage(user: UserRef, text: string, at: number): Promise<OutgoingReply> {
    return this.engine.turn(user, { kind: "message", text, at, listShown: false });
  }

  /**
   * Records a turn in which the recommender suggested `itemIds`: they become shown and mentioned, so they
   * are never offered again, and they are the last list that "the second one" refers to.
   */
  recordSuggestions(user: UserRef, itemIds: readonly string[], at = Date.now()): Promise<void> {
    const { catalog, store } = this.engine.parts;
    return this.engine.serially(user, async (key) => {
      const ids = [...new Set(itemIds)].filter((id) => catalog.row(id) !== undefined);
      if (ids.length === 0) return;
      const state = await store.load(key, catalog, at);
      const event = newEvent(state, at, {
        kind: "message",
        intent: "suggestion",
        signals: ids.map((itemId) => ({ itemId, signal: "mention" as const })),
        shown: ids,
      });
      await store.commit(key, state, event, catalog);
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
    const { parts } = this.engine;
    return this.engine.serially(user, async (key) => {
      const { profile } = await parts.store.load(key, parts.catalog, opts.at ?? Date.now());
      const req: RankRequest = {
        profile,
        limit: opts.limit,
        mmrLambda: opts.mmrLambda ?? parts.config.mmrLambda,
      };
      if (!opts.text) return req;
      const text = cleanText(opts.text, parts.config.maxTextLength);
      const parsed = parse(parts, text, profile);
      return { ...req, ...messageRequest(parts, parsed, await read(parts, parsed, text)) };
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
}
