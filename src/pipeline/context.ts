// What one turn carries from stage to stage. Each stage reads what the earlier ones wrote and adds its part;
// a stage that answers the turn early (a help text, a redelivery) sets `reply` and the rest are skipped.
import type { Critique } from "../understand/critique.ts";
import type { ParsedMessage } from "../understand/parse.ts";
import type { Understanding } from "../understand/understood.ts";
import type { InterestPrediction } from "../interest/model.ts";
import type { Profile, ProfileEvent } from "../profile/profile.ts";
import type { PersonState } from "../profile/store.ts";
import type { RankedItem, RankRequest } from "../recommend/rank.ts";
import type { OutgoingReply, Recommendation, Signal } from "../types.ts";

/** What a turn is asked to do. Platforms send the first three; replays add their clock and `listShown`. */
export type TurnInput =
  | {
      kind: "message";
      text: string;
      messageId?: string | undefined;
      limit?: number | undefined;
      /** The conversation's own clock (replays); default now. */
      at?: number | undefined;
      /** False when the person never sees the list (a replayed dialogue): not recorded as shown. */
      listShown?: boolean | undefined;
    }
  | { kind: "profile-only"; messageId?: string | undefined; limit?: number | undefined }
  | {
      kind: "feedback";
      itemId: string;
      signal: Signal | "more";
      messageId?: string | undefined;
      limit?: number | undefined;
    };

/** The interest model's reading of a message, and whether the message says anything at all. */
export interface MessageReading {
  prediction: InterestPrediction;
  informative: boolean;
  /**
   * The critique the message makes of the last list ("older", "lighter"), read once here; a scale critique
   * carries what its word reads as ("lighter": "funny family"), from the same model call.
   */
  critique?: Critique;
}

/** What a message adds to the ranking request. */
export type MessageRequest = Pick<
  RankRequest,
  | "message"
  | "messageInterests"
  | "requested"
  | "requestedPeople"
  | "collections"
  | "critique"
  | "maxRuntime"
  | "moodText"
  | "avoidText"
>;

/** What the turn's list is made of, decided by the event stage. */
export interface ListRequest {
  message: MessageRequest;
  /** Centre the list on this item ("more like this"). */
  anchor?: string | undefined;
  /** The items a "more like ..." builds the list on ("more like the last two"); its reasons cite them. */
  anchors?: string[] | undefined;
  /** The reply's first sentence ("Noted: you like X."). */
  lead: string;
  /** The request's own words, quoted by a "phrase" reason. */
  phrase?: string | undefined;
  /** The message was not understood: the list is popular films, offered as such, nothing personal. */
  popular?: true;
}

export interface TurnContext {
  /** The person's pseudonymous key. */
  readonly key: string;
  readonly input: TurnInput;
  readonly now: number;
  readonly limit: number;
  /** The cleaned message text ("" for other turns). */
  readonly text: string;
  state?: PersonState;
  parsed?: ParsedMessage;
  /** The item the message refers to ("the second one", a title named in feedback). */
  referenced?: string | undefined;
  /** Whether the message was understood at all (set with `parsed`). */
  understanding?: Understanding;
  reading?: MessageReading;
  /** The reply of a turn that only reads the profile: its event is committed, nothing is ranked. */
  readOnly?: OutgoingReply;
  event?: ProfileEvent;
  list?: ListRequest;
  /** The profile with this turn's event applied, which the list is ranked on. */
  preview?: Profile;
  ranked?: RankedItem[];
  committed?: Promise<void>;
  recommendations?: Recommendation[];
  /** Set by the stage that answers; the turn ends there. */
  reply?: OutgoingReply;
}

/** A value an earlier stage must have set; a missing one is a bug in the stage order. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`turn pipeline: ${what} not set by an earlier stage`);
  return value;
}
