// Plays the conversation suite against a bot through its public facade (handleMessage, profileOf), one
// fresh person per conversation, and scores every turn's checks; then sums the results by class.
import {
  evaluateCheck,
  type Check,
  type CheckResult,
  type EvalReply,
} from "./conversations-checks.ts";
import type { Metadata } from "./conversations-metadata.ts";
import type { Conversation } from "./conversations-suite.ts";

type User = { platform: string; id: string };

/** What the runner needs of the bot; the real Bot has it. */
export interface ConversationBot {
  handleMessage(msg: {
    user: User;
    text: string;
    messageId?: string;
  }): Promise<EvalReply & { intent: string }>;
  profileOf(
    user: User,
  ): Promise<{ liked: string[]; disliked: string[]; seen: string[] } | undefined>;
}

export interface TurnOutcome {
  say: string;
  intent: string;
  text: string;
  recommendations: Array<{ id: string; title: string; year?: number; reasons: string[] }>;
  checks: Array<CheckResult & { check: Check }>;
}

export interface ConversationOutcome {
  id: string;
  class: string;
  turns: TurnOutcome[];
}

export async function playConversation(
  bot: ConversationBot,
  conv: Conversation,
  meta: Metadata,
): Promise<ConversationOutcome> {
  const user = { platform: "eval", id: conv.id };
  let previous: EvalReply["recommendations"] | undefined;
  const turns: TurnOutcome[] = [];
  for (const [i, turn] of conv.turns.entries()) {
    const reply = await bot.handleMessage({ user, text: turn.say, messageId: `${conv.id}-${i}` });
    const profile = (await bot.profileOf(user)) ?? { liked: [], disliked: [], seen: [] };
    const ctx = { reply, profile, meta, ...(previous ? { previous } : {}) };
    turns.push({
      say: turn.say,
      intent: reply.intent,
      text: reply.text,
      recommendations: reply.recommendations.map((r) => ({
        id: r.id,
        title: r.title,
        ...(r.year !== undefined ? { year: r.year } : {}),
        reasons: r.reasons.map((x) => `${x.code}: ${x.text}`),
      })),
      checks: turn.checks.map((check) => ({ check, ...evaluateCheck(check, ctx) })),
    });
    if (reply.recommendations.length) previous = reply.recommendations;
  }
  return { id: conv.id, class: conv.class, turns };
}

export interface Tally {
  conversations: number;
  turns: number;
  checks: number;
  passed: number;
  /** Conversations whose every check passed. */
  perfect: number;
}

export interface PartSummary {
  byClass: Record<string, Tally>;
  total: Tally;
}

const empty = (): Tally => ({ conversations: 0, turns: 0, checks: 0, passed: 0, perfect: 0 });

function add(t: Tally, o: ConversationOutcome): void {
  const checks = o.turns.flatMap((x) => x.checks);
  const passed = checks.filter((c) => c.pass).length;
  t.conversations++;
  t.turns += o.turns.length;
  t.checks += checks.length;
  t.passed += passed;
  if (passed === checks.length) t.perfect++;
}

export function summarise(outcomes: ConversationOutcome[]): PartSummary {
  const byClass: Record<string, Tally> = {};
  const total = empty();
  for (const o of outcomes) {
    add((byClass[o.class] ??= empty()), o);
    add(total, o);
  }
  return { byClass, total };
}

export const share = (t: Tally) => (t.checks ? t.passed / t.checks : 0);
