import { beforeAll, describe, expect, it } from "vitest";
import { commonWords } from "../src/catalog/common-words.ts";
import { loadCatalogFile } from "../src/catalog/load.ts";
import { PeopleIndex } from "../src/catalog/people.ts";
import { TitleIndex } from "../src/catalog/titles.ts";
import { parseMessage } from "../src/understand/parse.ts";
import type { Item } from "../src/types.ts";

let items: Item[];
let index: TitleIndex;
const titleOf = (id: string) => items.find((i) => i.id === id)?.title;

beforeAll(() => {
  items = loadCatalogFile("data/catalog/movies.jsonl").items;
  const common = commonWords();
  const pop = new Map(items.map((i) => [i.id, Number(i.extra.popularity ?? 0)]));
  index = new TitleIndex(items, common, (id) => pop.get(id) ?? 0);
});

describe("title linking on the demo catalog", () => {
  it("loads all 6,924 ReDial movies", () => {
    expect(items).toHaveLength(6924);
  });

  it("finds titles regardless of case, punctuation, articles and years", () => {
    const found = index
      .find("I loved inception and the MATRIX!! also Spider-Man: Homecoming (2017)")
      .map((m) => titleOf(m.itemId));
    expect(found).toEqual(["Inception", "The Matrix", "Spider-Man: Homecoming"]);
  });

  it("finds a sequel by its number written either way", () => {
    const first = (text: string) => titleOf(index.find(text)[0]!.itemId);
    expect(first("I liked the godfather part 2")).toBe("The Godfather Part II");
    expect(first("rocky 4 was fun")).toBe("Rocky IV");
  });

  it("reads a word after 'with' or 'about' as a topic, not a film of that name", () => {
    expect(index.find("a sci fi movie with robots")).toEqual([]);
    expect(index.find("movies about sharks")).toEqual([]);
    expect(index.find("I loved robots").map((m) => titleOf(m.itemId))).toEqual(["Robots"]);
  });

  it("does not link everyday words that happen to be titles", () => {
    expect(index.find("what do you think i like? something for her up there")).toEqual([]);
    // A capital that only starts a sentence is no title ("Love" is a film too).
    expect(index.find("I love comedies! Love to laugh!")).toEqual([]);
    expect(index.find("can you suggest a superhero movie or any scary movie?")).toEqual([]);
    expect(index.find("I loved Scary Movie").map((m) => titleOf(m.itemId))).toEqual([
      "Scary Movie",
    ]);
  });

  it("reads likes, dislikes and constraints from a message", () => {
    const parsed = parseMessage(
      "I loved Inception and The Matrix, but hated Titanic. Something like those but no horror, after 2000",
      {
        titles: index,
        categories: new Set(["horror", "sci-fi", "comedy"]),
        lastListLength: 0,
      },
    );
    expect(parsed.mentions.map((m) => [titleOf(m.itemId), m.polarity])).toEqual([
      ["Inception", "like"],
      ["The Matrix", "like"],
      ["Titanic", "dislike"],
    ]);
    expect(parsed.constraints.excludeCategories).toEqual(["horror"]);
    expect(parsed.constraints.minYear).toBe(2001);
    expect(parsed.intent).toBe("recommend");
  });

  it("finds the people a message names, outside titles, but not one-word names", () => {
    const people = new PeopleIndex(items);
    const ctx = { titles: index, people, categories: new Set<string>(), lastListLength: 0 };
    expect(
      parseMessage("Do you know any Will Smith movie? Chevy Chase always makes me laugh", ctx)
        .people,
    ).toEqual(["will smith", "chevy chase"]);
    expect(parseMessage("anything with samuel l. jackson", ctx).people).toEqual([
      "samuel l jackson",
    ]);
    expect(parseMessage("I loved Being John Malkovich", ctx).people).toEqual([]); // a title, not the actor
    expect(people.find("rain and madonna")).toEqual([]);
  });

  it("reads categories asked for by name, not those excluded or meant otherwise", () => {
    const ctx = {
      titles: index,
      categories: new Set(["horror", "comedy", "romance", "sci-fi", "animation", "family"]),
      lastListLength: 0,
    };
    expect(parseMessage("something scary please", ctx).requested).toEqual(["horror"]);
    expect(parseMessage("I love comedies! Love to laugh!", ctx).requested).toEqual(["comedy"]);
    expect(parseMessage("no horror, but a science-fiction movie", ctx).requested).toEqual([
      "sci-fi",
    ]);
    expect(parseMessage("a rom-com for the kids", ctx).requested).toEqual(["romance", "family"]);
    expect(parseMessage("I loved Inception", ctx).requested).toEqual([]);
  });

  it("reads a category turned down as turned down, never as asked for", () => {
    const ctx = {
      titles: index,
      categories: new Set(["horror", "comedy", "family", "action"]),
      lastListLength: 0,
    };
    const read = (text: string) => {
      const p = parseMessage(text, ctx);
      return { requested: p.requested, excluded: p.constraints.excludeCategories ?? [] };
    };
    for (const text of [
      "I don't like horror movies",
      "I'm not a fan of horror",
      "I dislike horror",
      "I can't stand scary movies",
      "I never liked horror",
      "I am looking for anything other than horror.",
      "anything except horror",
      "horror is not my thing",
      "I'm not in the mood for horror tonight",
      "nothing too scary please",
    ]) {
      expect(read(text), text).toEqual({ requested: [], excluded: ["horror"] });
    }
    expect(read("I'm not really into horror, more into comedies")).toEqual({
      requested: ["comedy"],
      excluded: ["horror"],
    });
    expect(read("I like comedies and fantasy movies I am not big on horror movies.")).toEqual({
      requested: ["comedy"],
      excluded: ["horror"],
    });
    // Only the turning-down leaves what the model reads: the rest of the sentence is still the request.
    expect(parseMessage("other than horror I like everything", ctx).residual).toBe(
      "I like everything",
    );
    // Not turned down: no category right after the words between, or a film described, not a taste.
    expect(read("I don't know, maybe a comedy")).toEqual({ requested: ["comedy"], excluded: [] });
    // A part of a category turned down rules out neither the category nor asks for it: not every action film is a superhero film.
    expect(read("Kingsman. I dont care for superhero films")).toEqual({
      requested: [],
      excluded: [],
    });
    expect(read("superhero movies are not for me")).toEqual({ requested: [], excluded: [] });
    expect(read("I love superhero movies").requested).toEqual(["action"]);
    expect(read("my wife doesn't like scary movies")).toEqual({
      requested: [],
      excluded: ["horror"],
    });
    expect(read("It's not very funny though").excluded).toEqual([]);
    expect(read("a date night without the kids").excluded).toEqual([]);
  });

  it("reads years asked for: decades, spans of decades, newer films, but not newer films turned down", () => {
    const ctx = { titles: index, categories: new Set(["comedy"]), lastListLength: 0 };
    const years = (text: string) => {
      const { minYear, maxYear } = parseMessage(text, ctx).constraints;
      return [minYear, maxYear];
    };
    expect(years("any comedies from the 80s?")).toEqual([1980, 1989]);
    expect(years("I am looking for a 80's or 90's comedy please")).toEqual([1980, 1999]);
    expect(years("70s and 80s movies")).toEqual([1970, 1989]);
    expect(years("I grew up in the 60s and 70s. Any comedies from the 90s?")).toEqual([1990, 1999]);
    expect(years("can you recommend any newer action movies")).toEqual([2010, undefined]);
    expect(
      parseMessage("can you recommend any newer action movies", ctx).constraints.minYearLapses,
    ).toBe(true);
    expect(parseMessage("anything after 2000?", ctx).constraints.minYearLapses).toBeUndefined();
    for (const more of [
      "more please",
      "any other ideas?",
      "What else?",
      "ok, more",
      "others?",
      "another one please",
    ])
      expect(parseMessage(more, ctx).asksForMore).toBe(true);
    for (const request of [
      "more comedies please",
      "any other horror movies?",
      "I'd like more action",
      "more like Inception",
    ])
      expect(parseMessage(request, ctx).asksForMore).toBeUndefined();
    expect(years("I like Pulp Fiction I don't tend to watch newer movies")).toEqual([
      undefined,
      undefined,
    ]);
    expect(years("a kid from the 80's")).toEqual([undefined, undefined]);
  });

  it("understands references to the last list", () => {
    const ctx = { titles: index, categories: new Set<string>(), lastListLength: 5 };
    expect(parseMessage("more like the second one", ctx)).toMatchObject({
      intent: "critique",
      reference: 1,
    });
    expect(parseMessage("I've seen it", ctx)).toMatchObject({ intent: "feedback", signal: "seen" });
    expect(parseMessage("No, I haven't seen that one", ctx).signal).toBeUndefined();
    expect(parseMessage("I have never watched it", ctx).signal).toBeUndefined();
    expect(parseMessage("not that one", ctx)).toMatchObject({
      intent: "feedback",
      signal: "dislike",
    });
    expect(parseMessage("why?", ctx).intent).toBe("explain");
    expect(parseMessage("what do you think I like?", ctx).intent).toBe("profile");
  });
});
