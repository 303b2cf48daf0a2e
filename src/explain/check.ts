// Checks an LLM answer before anyone sees it: non-empty, within the length limit, and naming no catalog item
// beyond what it was given (the recommendations and the titles their reasons cite). Anything else is dropped.
import type { Catalog } from "../catalog/catalog.ts";
import type { ExplainInput } from "./llm-input.ts";

export type Verdict = { ok: true; text: string } | { ok: false; problem: string };

export class AnswerCheck {
  /** Title keys the answer may name. Keys, not ids: "Dune" names either Dune when one of them was recommended. */
  private readonly allowedKeys: Set<string>;

  constructor(
    private readonly catalog: Catalog,
    input: ExplainInput,
    private readonly maxChars: number,
  ) {
    const ids = input.items.map((item) => item.id);
    for (const item of input.items) for (const reason of item.reasons) for (const m of catalog.titles.find(reason)) ids.push(m.itemId);
    this.allowedKeys = new Set(ids.map((id) => catalog.titleKeyOf(id)).filter((k): k is string => k !== undefined));
  }

  /** `partial`: a streamed prefix, which may still be empty. */
  check(answer: string, partial = false): Verdict {
    const text = answer.trim();
    if (!partial && text.length === 0) return { ok: false, problem: "empty answer" };
    if (text.length > this.maxChars) return { ok: false, problem: `answer longer than ${this.maxChars} characters` };
    for (const mention of this.catalog.titles.find(text)) {
      const key = this.catalog.titleKeyOf(mention.itemId);
      if (key === undefined || !this.allowedKeys.has(key)) return { ok: false, problem: `names "${mention.matched}", which was not recommended` };
    }
    return { ok: true, text };
  }
}
