// OutgoingReply -> a Discord message: the lead text as content, one embed per item card (title, year, a short
// reason, genres) and one row of buttons per card. Discord's limits are kept: 2,000 characters of content,
// 10 embeds of at most 6,000 characters together, 5 rows of at most 5 buttons, custom_id of at most 100.
import type { OutgoingReply, Recommendation } from "../../src/types.ts";

export const LIMITS = {
  content: 2000,
  embeds: 10,
  embedTitle: 256,
  embedDescription: 4096,
  embedTotal: 6000,
  rows: 5,
  customId: 100,
  buttonLabel: 80,
} as const;
/** What we put in a card's description; far below Discord's 4,096 so ten cards stay under the 6,000 total. */
const CARD_DESCRIPTION = 400;

export type CardAction = "like" | "dislike" | "seen" | "more";
export const CARD_ACTIONS: readonly CardAction[] = ["like", "dislike", "seen", "more"];
const BUTTONS: Record<CardAction, { label: string; style: number }> = {
  like: { label: "👍 Like", style: 3 }, // success
  dislike: { label: "👎 Not for me", style: 4 }, // danger
  seen: { label: "👁 Seen it", style: 2 }, // secondary
  more: { label: "🔎 More like this", style: 1 }, // primary
};
const CUSTOM_ID_PREFIX = "cr";

export interface DiscordEmbed {
  title: string;
  description?: string;
  color?: number;
  footer?: { text: string };
}

export interface DiscordButton {
  type: 2;
  style: number;
  label: string;
  custom_id: string;
}

export interface DiscordMessage {
  content: string;
  embeds: DiscordEmbed[];
  components: Array<{ type: 1; components: DiscordButton[] }>;
}

/** Cuts `text` to at most `max` UTF-16 units (the strictest way to count), ending with an ellipsis when cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const char of text) {
    if (out.length + char.length > max - 1) break;
    out += char;
  }
  return out.trimEnd() + "…";
}

/** A button's custom_id: action, the person whose list it is, the item. */
export function customIdFor(action: CardAction, ownerId: string, itemId: string): string {
  return `${CUSTOM_ID_PREFIX}:${action}:${ownerId}:${itemId}`;
}

export function parseCustomId(
  customId: string,
): { action: CardAction; ownerId: string; itemId: string } | undefined {
  const m = /^cr:(like|dislike|seen|more):(\d{1,25}):(.+)$/s.exec(customId);
  return m ? { action: m[1] as CardAction, ownerId: m[2]!, itemId: m[3]! } : undefined;
}

function card(r: Recommendation, position: number): DiscordEmbed {
  const title = `${position}. ${r.title}${r.year ? ` (${r.year})` : ""}`;
  const reasons = r.reasons.slice(0, 2).map((reason) => `• ${reason.text}`);
  const genres = r.categories.length ? `*${r.categories.slice(0, 5).join(", ")}*` : "";
  const description = truncate([...reasons, genres].filter(Boolean).join("\n"), CARD_DESCRIPTION);
  return {
    title: truncate(title, LIMITS.embedTitle),
    ...(description ? { description } : {}),
    color: 0x5865f2,
  };
}

function buttonRow(
  r: Recommendation,
  position: number,
  ownerId: string,
): DiscordMessage["components"][number] | undefined {
  const ids = CARD_ACTIONS.map((a) => customIdFor(a, ownerId, r.id));
  // An item id too long for Discord's 100-character custom_id gets a card without buttons rather than a broken one.
  if (ids.some((id) => id.length > LIMITS.customId)) return undefined;
  return {
    type: 1,
    components: CARD_ACTIONS.map((a, i) => ({
      type: 2,
      style: BUTTONS[a].style,
      label: truncate(
        i === 0 ? `${position}. ${BUTTONS[a].label}` : BUTTONS[a].label,
        LIMITS.buttonLabel,
      ),
      custom_id: ids[i]!,
    })),
  };
}

/** The whole reply for `ownerId` (the person whose list it is; their id goes into each button). */
export function renderReply(reply: OutgoingReply, ownerId: string): DiscordMessage {
  const shown = reply.recommendations.slice(0, LIMITS.embeds);
  const lines = [reply.text];
  if (reply.recommendations.length > shown.length)
    lines.push(`(showing ${shown.length} of ${reply.recommendations.length})`);
  if (reply.interests.length && shown.length)
    lines.push(
      `-# your interests: ${reply.interests
        .slice(0, 5)
        .map((i) => `${i.label} ${Math.round(i.weight * 100)}%`)
        .join(", ")}`,
    );
  const embeds = shown.map((r, i) => card(r, i + 1));
  const withButtons = reply.actions.length > 0;
  // Buttons only for the first five cards (five rows at most); the cards stay in order above them.
  const components = withButtons
    ? shown.slice(0, LIMITS.rows).flatMap((r, i) => buttonRow(r, i + 1, ownerId) ?? [])
    : [];
  return {
    content: truncate(lines.join("\n"), LIMITS.content),
    embeds: fitEmbeds(embeds),
    components,
  };
}

/** A plain text answer (errors, confirmations). */
export function textMessage(text: string): DiscordMessage {
  return { content: truncate(text, LIMITS.content), embeds: [], components: [] };
}

/** Drops trailing cards' descriptions, then cards, until the embeds fit Discord's 6,000-character total. */
function fitEmbeds(embeds: DiscordEmbed[]): DiscordEmbed[] {
  const size = (e: DiscordEmbed) =>
    e.title.length + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0);
  const out = embeds.slice(0, LIMITS.embeds);
  while (out.reduce((s, e) => s + size(e), 0) > LIMITS.embedTotal) {
    const last = out.at(-1)!;
    if (last.description) delete last.description;
    else out.pop();
  }
  return out;
}
