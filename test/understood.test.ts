// Whether a message was understood at all, and the bot's honest answer when it was not.
import { beforeAll, describe, expect, it } from "vitest";
import { commonWords } from "../src/catalog/common-words.ts";
import { loadCatalogFile } from "../src/catalog/load.ts";
import { PeopleIndex } from "../src/catalog/people.ts";
import { TitleIndex } from "../src/catalog/titles.ts";
import { otherLanguage } from "../src/understand/language.ts";
import { parseMessage } from "../src/understand/parse.ts";
import { understanding } from "../src/understand/understood.ts";
import type { Item } from "../src/types.ts";

let items: Item[];
let titles: TitleIndex;
let people: PeopleIndex;
const categories = new Set([
  ...[
    "horror",
    "comedy",
    "drama",
    "sci-fi",
    "family",
    "animation",
    "action",
    "thriller",
    "romance",
  ],
]);

beforeAll(() => {
  items = loadCatalogFile("data/catalog/movies.jsonl").items;
  const common = commonWords();
  const pop = new Map(items.map((i) => [i.id, Number(i.extra.popularity ?? 0)]));
  titles = new TitleIndex(items, common, (id) => pop.get(id) ?? 0);
  people = new PeopleIndex(items);
});

const read = (text: string, referenced?: string) => {
  const parsed = parseMessage(text, { titles, people, categories, lastListLength: 0 });
  return understanding(parsed, text, titles, referenced);
};

describe("understanding a message", () => {
  it("understands titles, people, categories, constraints, moods and plain requests", () => {
    for (const text of [
      "I really enjoyed Toy Story",
      "anything with Tom Cruise",
      "a good thriller",
      "only stuff after 1999",
      "something dark and moody",
      "recommend me a film",
      "what should I watch tonight?",
    ])
      expect(read(text), text).toEqual({ understood: true });
  });

  it("says nothing was understood for off-topic questions and gibberish", () => {
    for (const text of ["how tall is the eiffel tower", "book me a taxi to the airport", "qwzrtp"])
      expect(read(text), text).toEqual({ understood: false, why: "nothing" });
  });

  it("names what it does not know when the person compares with it or asks for it", () => {
    expect(read("anything similar to parks and recreation")).toEqual({
      understood: false,
      why: "unknown-name",
      name: "parks and recreation",
    });
    expect(read("do you have flurbington manor 2?")).toMatchObject({
      understood: false,
      why: "unknown-name",
    });
    // Comparing with a category or a film it knows is understood.
    expect(read("something like a romantic comedy")).toEqual({ understood: true });
    expect(read("movies similar to The Terminator")).toEqual({ understood: true });
  });

  it("asks about a title of everyday words written plainly rather than deny knowing it", () => {
    const r = read("a movie like up but for adults");
    expect(r.understood).toBe(false);
    expect(r).toMatchObject({ why: "did-you-mean" });
    const itemId = (r as { itemId: string }).itemId;
    expect(items.find((i) => i.id === itemId)?.title).toBe("Up");
    expect(read("something like breaking bad")).toMatchObject({
      why: "unknown-name",
      name: "breaking bad",
    });
  });

  it("takes words for books and stories as asking for items", () => {
    expect(read("a mystery novel")).toEqual({ understood: true });
    expect(read("a good read for the beach")).toEqual({ understood: true });
  });

  it("needs a film for feedback and 'more like that'", () => {
    expect(read("more like that one please")).toEqual({ understood: false, why: "no-referent" });
    expect(read("more like that one please", "some-item")).toEqual({ understood: true });
  });

  it("notices another language", () => {
    expect(otherLanguage("je voudrais un film drôle pour ce soir")).toBe(true);
    expect(otherLanguage("quiero ver una película de miedo")).toBe(true);
    expect(otherLanguage("ich möchte einen guten Film sehen")).toBe(true);
    expect(otherLanguage("комедию пожалуйста")).toBe(true);
    expect(otherLanguage("I want a French film, something like Amélie")).toBe(false);
    expect(otherLanguage("la la land was great")).toBe(false);
    expect(read("ich möchte einen guten Film sehen")).toEqual({
      understood: false,
      why: "other-language",
    });
    // A short title hiding in its words (the film "MÁG") does not make it English.
    expect(read("Ich mag Actionfilme")).toEqual({ understood: false, why: "other-language" });
  });
});

describe("years and titles in ordinary words", () => {
  const parse = (text: string) =>
    parseMessage(text, { titles, people, categories, lastListLength: 0 });

  it("never links a bare year as a title, and reads the bound it sets", () => {
    const p = parse("a comedy made after 2012");
    expect(p.mentions).toEqual([]);
    expect(p.constraints.minYear).toBe(2013);
    expect(parse("no films before 1995 please").constraints).toMatchObject({ minYear: 1995 });
    expect(parse("any good horror from 1999?").constraints).toMatchObject({
      minYear: 1999,
      maxYear: 1999,
    });
    expect(parse("dramas from 2005 onwards").constraints).toEqual({ minYear: 2005 });
  });

  it("links a title of everyday words said as the object of a liking or comparison", () => {
    const titleOf = (text: string) =>
      parse(text).mentions.map((m) => items.find((i) => i.id === m.itemId)?.title);
    expect(titleOf("we watched gravity, more like that")).toEqual(["Gravity"]);
    expect(titleOf("anything like the terminator")).toEqual(["The Terminator"]);
    // Not a pronoun, not a general liking.
    expect(titleOf("i liked it")).toEqual([]);
    expect(titleOf("my son loves trains and cars")).toEqual([]);
  });
});
