import { describe, expect, it } from "vitest";
import { Collections, type ItemExtras } from "../src/recommend/collections.ts";
import type { Item } from "../src/types.ts";

const film = (id: string, title: string, categories: string[], directors: string[] = []): Item => ({
  id,
  title,
  text: `${title}: a film. ${title} is a title.`,
  categories,
  extra: { directors },
});

const items: Item[] = [
  film("1", "Moonfish Odyssey", ["animation", "family"]),
  film("2", "Moonfish Odyssey 2", ["animation", "family"]),
  film("3", "Moonfish Odyssey: The Return", ["animation", "family"]),
  film("4", "Quiet Harbour", ["drama"], ["Ada Vell"]),
  film("5", "Lantern Valley", ["animation", "fantasy", "family"], ["Ada Vell"]),
  film("6", "Paper Kites", ["animation", "fantasy"], ["Ada Vell"]),
  film("7", "Night Train", ["thriller"]),
  film("8", "Night Train 2", ["thriller"]),
  film("9", "Night Train 3", ["thriller"]),
  film("10", "Kettlewick", ["comedy"]),
  film("11", "Kettlewick Returns", ["comedy"]),
  film("12", "Kettlewick Forever", ["comedy"]),
];
const extras = new Map<string, ItemExtras>([
  ["1", { studios: ["Brasswork Animation Studios"] }],
  ["2", { studios: ["Brasswork Animation Studios"] }],
  ["10", { studios: ["Brasswork Animation Studios"] }],
  ["11", { studios: ["Brasswork Animation Studios"] }],
  ["12", { studios: ["Brasswork Animation Studios"] }],
  ["5", { studios: ["Studio Lumen"] }],
]);
// "night" and "train" are frequent English words; the invented names are not.
const common = new Map(["night", "train", "the", "film", "films"].map((w, i) => [w, i]));
const collections = new Collections(items, extras, common);
const names = (text: string) => collections.in(text).map((c) => c.name);
const titles = (text: string) =>
  collections.in(text).flatMap((c) => c.rows.map((r) => items[r]!.title));

describe("studios and series named in a message", () => {
  it("finds a studio by its full name and by its name without company words", () => {
    expect(names("anything by brasswork animation studios?")).toEqual([
      "Brasswork Animation Studios",
    ]);
    expect(names("what has brasswork made")).toEqual(["Brasswork Animation Studios"]);
  });

  it("lets the directors of a studio's only known film stand in for its other films, same kind only", () => {
    expect(titles("studio lumen please").sort()).toEqual(["Lantern Valley", "Paper Kites"]);
  });

  it("finds a series by the title words its films share, joiners aside", () => {
    expect(names("all the moonfish odyssey ones")).toEqual(["Moonfish Odyssey"]);
    expect(titles("moonfish odyssey").length).toBe(3);
  });

  it("does not take two ordinary words for a series, nor one ordinary word", () => {
    expect(names("a night train kind of evening")).toEqual([]);
    expect(names("a film for the night")).toEqual([]);
  });

  it("reads a one-word name as the series only when films are asked for", () => {
    expect(names("kettlewick films")).toEqual(["Kettlewick"]);
    expect(names("i watched kettlewick yesterday")).toEqual([]);
  });
});
