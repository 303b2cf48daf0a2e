// Checks an LLM answer before anyone sees it: non-empty, within the length limit, and naming no catalog item
// beyond what it was given (the recommendations and the titles their reasons cite). Anything else is dropped.
import type { Catalog } from "../catalog/catalog.ts";
import type { ExplainInput } from "./llm-input.ts";

export type Verdict = { ok: true; text: string } | { ok: false; problem: string };

export class AnswerCheck {
  /** Title keys the answer may name. Keys, not ids: "Dune" names either Dune when one of them was recommended. */
  private readonly allowedKeys: Set<string>;
  /** The allowed titles as written (and their main part before a colon). */
  private readonly allowedTitles: RegExp | undefined;

  constructor(
    private readonly catalog: Catalog,
    input: ExplainInput,
    private readonly maxChars: number,
  ) {
    const ids = input.items.map((item) => item.id);
    for (const item of input.items)
      for (const reason of item.reasons)
        for (const m of catalog.titles.find(reason)) ids.push(m.itemId);
    this.allowedKeys = new Set(
      ids.map((id) => catalog.titleKeyOf(id)).filter((k): k is string => k !== undefined),
    );
    const titles = new Set(
      ids.flatMap((id) => {
        const title = catalog.item(id)?.title ?? "";
        return [title, title.split(/[:(]/)[0]!.trim()].filter((t) => t.length > 0);
      }),
    );
    // Longest first, so "The Matrix Reloaded" is blanked as a whole before "The Matrix" could be.
    const alternatives = [...titles]
      .sort((a, b) => b.length - a.length)
      .map((t) => escapeRegExp(t).replace(/\s+/g, "\\s+"));
    this.allowedTitles = alternatives.length
      ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}])`, "giu")
      : undefined;
  }

  /** `partial`: a streamed prefix, which may still be empty. */
  check(answer: string, partial = false): Verdict {
    const text = answer.trim();
    if (!partial && text.length === 0) return { ok: false, problem: "empty answer" };
    if (text.length > this.maxChars)
      return { ok: false, problem: `answer longer than ${this.maxChars} characters` };
    // A word found inside an allowed title is part of it: a recommended "Scent of a Woman" at the start of a
    // sentence is not a mention of "Woman". A longer title around an allowed one ("The Matrix Revolutions") is.
    const allowedSpans = this.allowedTitles
      ? [...text.matchAll(this.allowedTitles)].map((m) => [m.index, m.index + m[0].length] as const)
      : [];
    for (const mention of this.catalog.titles.find(text)) {
      const key = this.catalog.titleKeyOf(mention.itemId);
      if (key !== undefined && this.allowedKeys.has(key)) continue;
      if (allowedSpans.some(([start, end]) => start <= mention.start && mention.end <= end))
        continue;
      return { ok: false, problem: `names "${mention.matched}", which was not recommended` };
    }
    return { ok: true, text };
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
