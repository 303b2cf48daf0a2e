import { describe, expect, it } from "vitest";
import { TitleIndex } from "../src/catalog/titles.ts";
import { critiqueOf } from "../src/understand/critique.ts";
import { parseMessage, type ParsedMessage } from "../src/understand/parse.ts";
import { understanding } from "../src/understand/understood.ts";

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

  it("reads 'too X' as the other way: too scary, too long, too old, too much violence", () => {
    expect(critiqueOf(parsed(), "that's too scary")).toEqual({
      field: "reading",
      dir: "lower",
      word: "scary",
    });
    expect(critiqueOf(parsed(), "that was too long")).toEqual({ field: "runtime", dir: "lower" });
    expect(critiqueOf(parsed(), "these are too old")).toEqual({ field: "year", dir: "higher" });
    expect(critiqueOf(parsed(), "too much violence")).toEqual({
      field: "reading",
      dir: "lower",
      word: "violence",
    });
    // "not too long" bounds the runtime (maxRuntimeOf); it is no critique of the last list.
    expect(critiqueOf(parsed(), "something not too long")).toBeUndefined();
  });

  it("reads less of a word as less of what the model reads it as", () => {
    expect(critiqueOf(parsed(), "hmm, not as bloody please")).toEqual({
      field: "reading",
      dir: "lower",
      word: "bloody",
    });
    expect(critiqueOf(parsed(), "a bit less intense")).toMatchObject({ word: "intense" });
  });

  it("reads more or less of a topic on any catalog: 'less about tennis, more business'", () => {
    // "about"/"on"/"of" stand between the word and the topic; the topic is what the model reads.
    expect(critiqueOf(parsed(), "less about tennis")).toEqual({
      field: "reading",
      dir: "lower",
      word: "tennis",
      said: "less about tennis",
    });
    expect(critiqueOf(parsed(), "fewer celebrity stories")).toEqual({
      field: "reading",
      dir: "lower",
      word: "celebrity",
    });
    // A category asked for by name is a request of its own: the critique turns the other topic down.
    expect(
      critiqueOf(parsed({ requested: ["business"] }), "less about tennis, more business"),
    ).toMatchObject({ dir: "lower", word: "tennis" });
    // A topic asked for that is no category leads: the turned-down one is left to its words.
    expect(critiqueOf(parsed(), "less tennis, more about the economy")).toEqual({
      field: "reading",
      dir: "higher",
      word: "economy",
      said: "more about the economy",
    });
    expect(critiqueOf(parsed(), "less than two hours")).toBeUndefined();
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

describe("more or less of a topic: understood, and the categories it names", () => {
  const NEWS = new Set(["sport", "business", "politics", "tech", "entertainment"]);
  const titles = new TitleIndex([], new Map(), () => 0);
  const context = { titles, categories: NEWS, lastListLength: 5 };
  const words = { knows: (w: string) => !/^(?:xqzv|blorp)$/.test(w) };
  const read = (text: string) => parseMessage(text, context);

  it("asks for a catalog's own category named by itself, not for the one turned down", () => {
    expect(read("less about tennis, more business").requested).toEqual(["business"]);
    expect(read("more politics please").requested).toEqual(["politics"]);
    expect(read("less business, more tech").requested).toEqual(["tech"]);
    expect(read("fewer of the entertainment stories").requested).toEqual([]);
    // The movie genres are read by their synonyms as before: "short" is a length, not a genre.
    const movies = new Set(["comedy", "short", "music"]);
    expect(parseMessage("something short", { ...context, categories: movies }).requested).toEqual(
      [],
    );
    expect(
      parseMessage("less comedy, more drama", { ...context, categories: movies }).requested,
    ).toEqual([]);
  });

  it("understands a short 'less X' or 'more about X' of words it knows", () => {
    for (const text of [
      "less about tennis, more business",
      "more about the economy",
      "less football please",
      "fewer celebrity stories",
    ])
      expect(understanding(read(text), text, words, undefined), text).toEqual({
        understood: true,
      });
    for (const text of ["less xqzv", "more of the same", "tell me more about yourself"])
      expect(understanding(read(text), text, words, undefined).understood, text).toBe(false);
  });
});
