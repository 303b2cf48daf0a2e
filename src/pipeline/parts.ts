// The loaded parts a turn works with, built once at start-up (src/engine.ts) and shared by every turn.
import type { Catalog } from "../catalog/catalog.ts";
import type { Config } from "../config.ts";
import type { LlmExplainer } from "../explain/llm.ts";
import type { InterestModel } from "../interest/model.ts";
import type { ProfileStore } from "../profile/store.ts";

/** What a turn's stages ask of the profile store (a turn worker defers the writes to the main thread). */
export type TurnStore = Pick<ProfileStore, "load" | "eventAt" | "forget" | "commit">;
import type { Neighbours } from "../recommend/neighbours.ts";
import type { ItemIndex } from "../recommend/item-index.ts";
import type { Ranker } from "../recommend/rank.ts";
import type { OutgoingReply } from "../types.ts";

export interface Parts {
  readonly config: Config;
  readonly model: InterestModel;
  readonly catalog: Catalog;
  /** The catalog's interest labels, as a set for the per-message parser. */
  readonly categories: ReadonlySet<string>;
  readonly store: TurnStore;
  /** Item-to-item neighbours (MovieLens likes + ReDial train co-mentions). */
  readonly neighbours: Neighbours;
  /** Optional LLM prose; `enabled` is false without OPENAI_API_KEY. */
  readonly explainer: LlmExplainer;
  readonly ranker: Ranker;
  /** The vector index the ranker's candidates come from, for a large catalog; none: the exact pass. */
  readonly itemIndex: ItemIndex | undefined;
  /** The reply this person got for a message id, while it is remembered (redelivery answers with it). */
  readonly sentReply: (key: string, messageId: string) => OutgoingReply | undefined;
}

export const DEFAULT_LIMIT = 5;
