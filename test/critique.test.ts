import { describe, expect, it } from "vitest";
import { critiqueOf } from "../src/understand/critique.ts";
import type { ParsedMessage } from "../src/understand/parse.ts";

const parsed = (over: Partial<ParsedMessage> = {}): ParsedMessage => ({
  intent: "recommend",
  mentions: [],
  constraints: {},
  residual: "",
  people: [],
  requested: [],
  ...over,
});

describe("critiques of the last list", () => {
  it("reads comparatives of year and length", () => {
    expect(critiqueOf(parsed(), "a bit older maybe")).toEqual({ field: "year", dir: "lower" });
    expect(critiqueOf(parsed(), "anything more recent?")).toEqual({ field: "year", dir: "higher" });
    expect(critiqueOf(parsed(), "quicker ones, it's late")).toEqual({
      field: "runtime",
      dir: "lower",
    });
    expect(critiqueOf(parsed(), "something longer")).toEqual({ field: "runtime", dir: "higher" });
  });

  it("reads less of a word as less of what the model reads it as", () => {
    expect(critiqueOf(parsed(), "hmm, not as bloody please")).toEqual({
      field: "reading",
      dir: "lower",
      word: "bloody",
    });
    expect(critiqueOf(parsed(), "a bit less intense")).toMatchObject({ word: "intense" });
  });

  it("leaves year bounds, titles and long sentences to the rest of the parser", () => {
    expect(critiqueOf(parsed(), "older than 1985")).toBeUndefined();
    expect(
      critiqueOf(parsed({ constraints: { maxYear: 1990 } }), "older, pre 1990"),
    ).toBeUndefined();
    const heat = { itemId: "1", matched: "Heat", polarity: "like" as const };
    expect(critiqueOf(parsed({ mentions: [heat] }), "older stuff like Heat")).toBeUndefined();
    expect(
      critiqueOf(parsed(), "my dad and i watched something older last weekend at the cabin"),
    ).toBeUndefined();
    expect(critiqueOf(parsed({ intent: "feedback" }), "older")).toBeUndefined();
  });
});
