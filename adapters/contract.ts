// The adapter contract. An adapter parses its platform's input into a TurnRequest and renders what the host
// gives it through an Outlet; everything else (limits, de-duplication, error wording, the explanation that
// follows a reply) is the host's (host.ts), done once for every platform.
import type { ForgetScope } from "../src/messages.ts";
import type { FeedbackAction, IncomingMessage, OutgoingReply, UserRef } from "../src/types.ts";

/** What a person asked for, as read from their platform. */
export type TurnRequest =
  | ({ kind: "message" } & IncomingMessage)
  /** A request without words (a bare /recommend): a list from the profile alone. */
  | { kind: "list"; user: UserRef; messageId?: string; limit?: number }
  | ({ kind: "feedback" } & FeedbackAction)
  | { kind: "forget"; user: UserRef; scope?: ForgetScope };

/** Replaces a message already shown (an edit), when the platform can. */
export type Update<M> = (message: M) => Promise<unknown>;

/** Where one turn's answer goes, in the platform's own message format M. */
export interface Outlet<M> {
  /** A reply with its list; `explanation` is the LLM's prose when it follows. */
  render(reply: OutgoingReply, explanation?: string): M;
  /** A plain sentence: a refusal, an apology, a confirmation. */
  notice(text: string): M;
  /** Shows the answer; resolves with how to replace it later, when the platform can. */
  send(message: M): Promise<Update<M> | undefined>;
  /** Shows a refusal or an apology, when it belongs elsewhere than a list (privately, leaving the list). */
  sendNotice?(message: M): Promise<unknown>;
  /** A platform that must hear back quickly (Discord: 3 s) is told when the turn runs long. */
  slow?: { afterMs: number; defer(): Promise<unknown> };
}

/** What every platform adapter is: started with the bot, stopped at shutdown. */
export interface ChatAdapter {
  readonly platform: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
