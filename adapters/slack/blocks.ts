// Block Kit rendering of a reply: a lead line, one card per item (title, year, a short reason) with feedback
// buttons, and the person's current interests. Slack's limits are respected by trimming politely.
import type { types } from "@slack/bolt";
import type { OutgoingReply, Signal } from "../../src/types.ts";

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  contextText: 3000,
  buttonValue: 2000,
  /** Slack cuts the notification text at 40,000; a list never needs more than this. */
  fallbackText: 3000,
} as const;

const ACTION_PREFIX = "chatrec_";
export const ACTION_ID_PATTERN = /^chatrec_(like|dislike|seen|more)$/;
const BUTTON_LABELS: Record<Signal | "more", string> = {
  like: "👍 Like",
  dislike: "Not for me",
  seen: "Seen it",
  more: "More like this",
  click: "Tell me more",
};
/** A short reason, not an essay: the card stays scannable. */
const REASON_CHARS = 280;
/** Blocks kept for the lead line, an explanation, the interests line and a "showing N of M" note. */
const FIXED_BLOCKS = 4;

export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

/** What a feedback button carries: the item, and whose list it is (a click by someone else is answered to them alone). */
export interface ButtonValue {
  item: string;
  for: string;
}

export function actionIdFor(signal: Signal | "more"): string {
  return ACTION_PREFIX + signal;
}

export function signalOfAction(actionId: string): Signal | "more" | undefined {
  const m = ACTION_ID_PATTERN.exec(actionId);
  return m ? (m[1] as Signal | "more") : undefined;
}

export function parseButtonValue(value: string | undefined): ButtonValue | undefined {
  try {
    const v = JSON.parse(value ?? "") as Partial<ButtonValue>;
    return typeof v.item === "string" && typeof v.for === "string"
      ? { item: v.item, for: v.for }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Shortens to at most `max` characters with an ellipsis, never cutting an escape like "&amp;" in half. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, max - 1).replace(/&[a-z]{0,3}$/, "") + "…";
}

/** `explanation`: the optional LLM prose that arrives after the list, shown under the lead line. */
export function renderReply(
  reply: OutgoingReply,
  ownerUserId: string,
  explanation?: string,
): SlackMessage {
  const lead: types.KnownBlock = {
    type: "section",
    text: { type: "mrkdwn", text: clip(escapeMrkdwn(reply.text), SLACK_LIMITS.sectionText) },
  };
  const maxCards = Math.floor((SLACK_LIMITS.blocksPerMessage - FIXED_BLOCKS) / 2);
  const shown = reply.recommendations.slice(0, maxCards);
  const blocks: types.KnownBlock[] = [lead];
  if (explanation)
    blocks.push({
      type: "section",
      block_id: "explanation",
      text: { type: "mrkdwn", text: clip(escapeMrkdwn(explanation), SLACK_LIMITS.sectionText) },
    });
  shown.forEach((rec, i) => {
    const year = rec.year ? ` (${rec.year})` : "";
    const reason = rec.reasons[0]?.text;
    const card = `*${i + 1}. ${escapeMrkdwn(rec.title)}*${year}${reason ? `\n${escapeMrkdwn(clip(reason, REASON_CHARS))}` : ""}`;
    blocks.push({
      type: "section",
      block_id: `item_${i}`,
      text: { type: "mrkdwn", text: clip(card, SLACK_LIMITS.sectionText) },
    });
    const actions = feedbackButtons(reply.actions, { item: rec.id, for: ownerUserId }, i);
    if (actions) blocks.push(actions);
  });
  if (shown.length < reply.recommendations.length) {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `Showing the first ${shown.length} of ${reply.recommendations.length}: Slack fits ${SLACK_LIMITS.blocksPerMessage} blocks in one message.`,
        },
      ],
    });
  }
  if (reply.interests.length) {
    const interests = reply.interests
      .slice(0, 5)
      .map((i) => `${escapeMrkdwn(i.label)} ${Math.round(i.weight * 100)}%`)
      .join(" · ");
    blocks.push({
      type: "context",
      elements: [
        { type: "mrkdwn", text: clip(`Your interests: ${interests}`, SLACK_LIMITS.contextText) },
      ],
    });
  }
  return { text: fallbackText(reply), blocks };
}

/** The plain text Slack shows in notifications and to clients that cannot draw blocks. */
function fallbackText(reply: OutgoingReply): string {
  const lines = [
    reply.text,
    ...reply.recommendations.map((r, i) => `${i + 1}. ${r.title}${r.year ? ` (${r.year})` : ""}`),
  ];
  return clip(lines.join("\n"), SLACK_LIMITS.fallbackText);
}

function feedbackButtons(
  signals: OutgoingReply["actions"],
  value: ButtonValue,
  index: number,
): types.ActionsBlock | undefined {
  const encoded = JSON.stringify(value);
  // An id too long for a button value cannot be clicked back to us: show the card without buttons.
  if (encoded.length > SLACK_LIMITS.buttonValue || signals.length === 0) return undefined;
  const elements: types.Button[] = signals.map((signal) => ({
    type: "button",
    action_id: actionIdFor(signal),
    text: { type: "plain_text", text: BUTTON_LABELS[signal], emoji: true },
    value: encoded,
    ...(signal === "like" ? { style: "primary" as const } : {}),
  }));
  return { type: "actions", block_id: `actions_${index}`, elements };
}
