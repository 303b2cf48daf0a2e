// The thesaurus may only bridge words the data lacks onto words the data has: a word the data itself gives
// films must be learnt from the data, not mapped by hand.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MOOD_THESAURUS } from "../src/understand/mood-thesaurus.ts";

const attributeWords = readFileSync("data/catalog/attributes.jsonl", "utf8")
  .split("\n")
  .filter(Boolean)
  .flatMap((line) => {
    const a = JSON.parse(line) as { tags?: string[]; keywords?: string[] };
    return [...(a.tags ?? []), ...(a.keywords ?? [])];
  });
const dataText = ` ${attributeWords.join(" | ").toLowerCase()} `;
/** Films whose tags or keywords hold the word (as a whole word). */
const filmsWith = (word: string) =>
  readFileSync("data/catalog/attributes.jsonl", "utf8")
    .split("\n")
    .filter((line) => new RegExp(`[" ]${word}[" ]`, "i").test(line)).length;

describe("mood thesaurus", () => {
  it("maps only words the data gives at most one film", () => {
    for (const word of Object.keys(MOOD_THESAURUS))
      expect(filmsWith(word), word).toBeLessThanOrEqual(1);
  });

  it("maps onto words the data does give films", () => {
    for (const targets of Object.values(MOOD_THESAURUS))
      for (const t of targets) expect(dataText.includes(t), t).toBe(true);
  });
});
