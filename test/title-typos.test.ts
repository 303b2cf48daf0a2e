// Titles written with typos: linked when the words are a title's but for a slip, asked about when unsure,
// never made out of ordinary words or years.
import { beforeAll, describe, expect, it } from "vitest";
import { commonWords } from "../src/catalog/common-words.ts";
import { loadCatalogFile } from "../src/catalog/load.ts";
import { editDistance, TitleIndex } from "../src/catalog/titles.ts";
import { parseMessage } from "../src/understand/parse.ts";
import type { Item } from "../src/types.ts";

let items: Item[];
let index: TitleIndex;
const titleOf = (id: string | undefined) => items.find((i) => i.id === id)?.title;
const found = (text: string) =>
  index.find(text).map((m) => [titleOf(m.itemId), m.typo ?? "exact"] as const);

beforeAll(() => {
  items = loadCatalogFile("data/catalog/movies.jsonl").items;
  const common = commonWords();
  const pop = new Map(items.map((i) => [i.id, Number(i.extra.popularity ?? 0)]));
  index = new TitleIndex(items, common, (id) => pop.get(id) ?? 0);
});

describe("titles with typos", () => {
  it("counts a swap of two letters as one edit", () => {
    expect(editDistance("hotle", "hotel")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });

  it("links a title written with a slip or two", () => {
    expect(found("the termnator was great")).toEqual([["The Terminator", "confident"]]);
    expect(found("we rewatched ghostbustrs")).toEqual([["Ghostbusters", "confident"]]);
    expect(found("back to the futur is a classic")).toEqual([["Back to the Future", "confident"]]);
    expect(found("the incredibels with my kids")).toEqual([["The Incredibles", "confident"]]);
  });

  it("reads an everyday word a doubled letter away beside a rare word spelt right", () => {
    expect(found("forest gump")).toEqual([["Forrest Gump", "confident"]]);
  });

  it("links a short title whose only slip is a doubled letter in a non-word", () => {
    expect(found("the hobit was great")).toEqual([["The Hobbit", "confident"]]);
  });

  it("takes everyday words written with a capital after a liking as a title", () => {
    expect(found("I loved Up")).toEqual([["Up", "exact"]]);
    expect(found("we watched Big last night")).toEqual([["Big", "exact"]]);
    expect(found("i loved up")).toEqual([]);
    expect(found("I loved her")).toEqual([]);
  });

  it("lets a long word of the title have two slips", () => {
    expect(found("pride and prejudis was wonderful")).toEqual([
      ["Pride and Prejudice", "confident"],
    ]);
  });

  it("lets a longer title with a typo take in a shorter one spelt right", () => {
    expect(found("avengers infinty war")).toEqual([["Avengers: Infinity War", "confident"]]);
  });

  it("asks rather than links when the title is short", () => {
    expect(found("have you seen the matrx")).toEqual([["The Matrix", "unsure"]]);
    const parsed = parseMessage("have you seen the matrx", {
      titles: index,
      categories: new Set(),
      lastListLength: 0,
    });
    expect(parsed.mentions).toEqual([]);
    expect(titleOf(parsed.didYouMean)).toBe("The Matrix");
  });

  it("never makes a title of ordinary words or years", () => {
    for (const text of [
      "a heist movie",
      "a film about the moon",
      "nothing before 2012",
      "something not gory",
      "anything with a twist",
      "we rewatched it twice",
    ])
      expect(found(text), text).toEqual([]);
  });

  it("takes a lower-case title of everyday words when a comparison calls for it", () => {
    expect(found("movies like la la land")).toEqual([["La La Land", "exact"]]);
    expect(found("something like la la land please")).toEqual([["La La Land", "exact"]]);
    expect(found("la la land")).toEqual([]);
    for (const text of ["i loved her", "something like it please", "i liked that one too"])
      expect(found(text), text).toEqual([]);
  });
});
