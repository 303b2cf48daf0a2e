// What the LLM may see: the recommended items' metadata, their computed reasons and the person's top interests.
// Nothing else (no message text, not even quoted in a reason; no ids of people; no other people's data) is
// ever put in a prompt.
import { createHash } from "node:crypto";
import type { Catalog } from "../catalog/catalog.ts";
import type { InterestWeight, OutgoingReply } from "../types.ts";
import { reasonWithoutQuote } from "./reasons.ts";

const SHORT_TEXT_CHARS = 200;
const TOP_INTERESTS = 5;

export interface ExplainItem {
  id: string;
  title: string;
  year?: number;
  categories: readonly string[];
  /** The start of the catalog text (a plot for movies), cut at a word boundary. */
  about: string;
  reasons: string[];
}

export interface ExplainInput {
  items: ExplainItem[];
  interests: InterestWeight[];
}

export async function explainInputOf(
  reply: OutgoingReply,
  catalog: Catalog,
): Promise<ExplainInput> {
  const textOf = (id: string) => {
    const row = catalog.row(id);
    return row === undefined ? "" : catalog.textOf(row);
  };
  const texts = await Promise.all(reply.recommendations.map((r) => textOf(r.id)));
  return {
    items: reply.recommendations.map((r, i) => ({
      id: r.id,
      title: r.title,
      ...(r.year ? { year: r.year } : {}),
      categories: r.categories,
      about: shorten(texts[i]!, SHORT_TEXT_CHARS),
      reasons: r.reasons.map(reasonWithoutQuote),
    })),
    interests: reply.interests
      .slice(0, TOP_INTERESTS)
      .map((i) => ({ label: i.label, weight: Math.round(i.weight * 100) / 100 })),
  };
}

/** Same items, reasons and interests => same key, so a repeat costs nothing. */
export function cacheKeyOf(input: ExplainInput): string {
  return createHash("sha256").update(JSON.stringify(input)).digest("base64url");
}

export function renderItems(input: ExplainInput): string {
  return input.items
    .map((item, i) => {
      const head = `${i + 1}. ${item.title}${item.year ? ` (${item.year})` : ""}${item.categories.length ? ` [${item.categories.join(", ")}]` : ""}`;
      const lines = [head];
      if (item.about) lines.push(`   About: ${item.about}`);
      lines.push(`   Why: ${item.reasons.join("; ")}`);
      return lines.join("\n");
    })
    .join("\n");
}

export function renderInterests(input: ExplainInput): string {
  return input.interests.length
    ? input.interests.map((i) => `${i.label} (${Math.round(i.weight * 100)}%)`).join(", ")
    : "not known yet";
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max / 2))}…`;
}
