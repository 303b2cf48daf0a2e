// Platform-neutral shapes shared by the core and every adapter.

export type Signal = "like" | "dislike" | "seen" | "click";
export const SIGNALS: readonly Signal[] = ["like", "dislike", "seen", "click"];

/** Who is talking. `scope` isolates profiles (a Slack workspace, a Discord guild); platform + scope + id is the person. */
export interface UserRef {
  platform: string;
  id: string;
  scope?: string;
  name?: string;
}

export interface IncomingMessage {
  user: UserRef;
  text: string;
  conversationId?: string;
  /** Platform message id: a redelivered message with the same id is processed once. */
  messageId?: string;
  /** How many recommendations to return (1-20, default 5). */
  limit?: number;
}

export interface FeedbackAction {
  user: UserRef;
  itemId: string;
  /** "more" asks for items like this one; the others change the profile. */
  signal: Signal | "more";
  conversationId?: string;
  messageId?: string;
  limit?: number;
}

export interface Reason {
  /** Stable machine code; docs/api.md lists every code the API can return. */
  code: string;
  text: string;
}

export interface Item {
  id: string;
  title: string;
  year?: number;
  text: string;
  categories: readonly string[];
  /** Any other catalog columns (directors, stars, authors ...), kept for reasons and display. */
  extra: Record<string, string | string[] | number>;
}

export interface Recommendation {
  id: string;
  title: string;
  year?: number;
  categories: readonly string[];
  score: number;
  reasons: Reason[];
}

export interface InterestWeight {
  label: string;
  weight: number;
}

export type Intent =
  | "recommend"
  | "feedback"
  | "critique"
  | "profile"
  | "forget"
  | "help"
  | "explain"
  | "about"
  | "greeting";

export interface OutgoingReply {
  text: string;
  intent: Intent;
  recommendations: Recommendation[];
  interests: InterestWeight[];
  /** The feedback buttons a renderer should offer on each card. */
  actions: Array<Signal | "more">;
}
