// Requests that combine things: year bounds in every common phrasing, corrections inside one message,
// several references to the last list, people named by one word.
import { beforeAll, describe, expect, it } from "vitest";
import { commonWords } from "../src/catalog/common-words.ts";
import { loadCatalogFile } from "../src/catalog/load.ts";
import { PeopleIndex } from "../src/catalog/people.ts";
import { TitleIndex } from "../src/catalog/titles.ts";
import type { Item } from "../src/types.ts";
import { parseMessage, type ParseContext } from "../src/understand/parse.ts";
import { understanding } from "../src/understand/understood.ts";

let ctx: ParseContext;
let items: Item[];
const CATEGORIES = new Set([
  "horror",
  "comedy",
  "thriller",
  "action",
  "sci-fi",
  "fantasy",
  "drama",
  "animation",
  "war",
]);

beforeAll(() => {
  items = loadCatalogFile("data/catalog/movies.jsonl").items;
  const common = commonWords();
  const pop = new Map(items.map((i) => [i.id, Number(i.extra.popularity ?? 0)]));
  ctx = {
    titles: new TitleIndex(items, common, (id) => pop.get(id) ?? 0),
    people: new PeopleIndex(items, common),
    categories: CATEGORIES,
    lastListLength: 5,
  };
});

const years = (text: string) => {
  const { minYear, maxYear } = parseMessage(text, ctx).constraints;
  return [minYear, maxYear];
};

describe("year bounds", () => {
  it("reads a turned-around bound the right way round", () => {
    expect(years("comedies, no older than 2005")).toEqual([2005, undefined]);
    expect(years("nothing older than 1999 please")).toEqual([1999, undefined]);
    expect(years("a crime film but nothing after 1995")).toEqual([undefined, 1995]);
    expect(years("no later than 2001, some drama")).toEqual([undefined, 2001]);
    expect(years("dramas older than 1980")).toEqual([undefined, 1979]);
  });

  it("reads open bounds written after the year", () => {
    expect(years("horror, 2012 or later")).toEqual([2012, undefined]);
    expect(years("westerns 1970 or earlier")).toEqual([undefined, 1970]);
    expect(years("anything 2008 onwards")).toEqual([2008, undefined]);
    expect(years("space movies made after 2010")).toEqual([2011, undefined]);
    expect(years("from 2003 or later")).toEqual([2003, undefined]);
  });

  it("reads decades, their parts and spans of them", () => {
    expect(years("crime from the 2000s")).toEqual([2000, 2009]);
    expect(years("some drama, from the 70s")).toEqual([1970, 1979]);
    expect(years("a scary sci-fi from the 80s")).toEqual([1980, 1989]);
    expect(years("late 70s or 80s horror")).toEqual([1975, 1989]);
    expect(years("early 2000s comedies")).toEqual([2000, 2004]);
    expect(years("a kid from the 80s")).toEqual([undefined, undefined]);
  });

  it("finds a person named with a slip after the first name", () => {
    const people = (text: string) => parseMessage(text, ctx).people;
    expect(people("comedies with jim carey")).toEqual(["jim carrey"]);
    expect(people("something with tom hnaks")).toEqual(["tom hanks"]);
    expect(people("tom and jerry")).toEqual([]);
  });

  it("reads 'movies of 2019' and '2016 films' as that year", () => {
    expect(years("the best movies of 2019")).toEqual([2019, 2019]);
    expect(years("2016 films")).toEqual([2016, 2016]);
  });

  it("reads a decade in words, never as a title (Seventeen)", () => {
    expect(years("anything from the seventies")).toEqual([1970, 1979]);
    expect(years("a comedy from the late eighties")).toEqual([1985, 1989]);
    const p = parseMessage("anything from the seventies", ctx);
    expect(p.mentions).toEqual([]);
    expect(p.residual).toContain("seventies"); // a quote of the request keeps the person's words
  });
});

describe("several items of the last list at once", () => {
  const refs = (text: string) => {
    const p = parseMessage(text, ctx);
    return { intent: p.intent, refs: p.references?.map((r) => `${r.index}:${r.signal ?? "-"}`) };
  };

  it("reads all of them, the first or last few, and lists of positions", () => {
    expect(refs("already watched every one of those")).toEqual({
      intent: "feedback",
      refs: ["0:seen", "1:seen", "2:seen", "3:seen", "4:seen"],
    });
    expect(refs("saw the top two already")).toEqual({
      intent: "feedback",
      refs: ["0:seen", "1:seen"],
    });
    expect(refs("i enjoyed the last 2")).toEqual({
      intent: "feedback",
      refs: ["3:like", "4:like"],
    });
    expect(refs("the 2nd and the 4th look great")).toEqual({
      intent: "feedback",
      refs: ["1:like", "3:like"],
    });
  });

  it("gives each clause its own feedback", () => {
    expect(refs("the third was boring but I adored the fifth")).toEqual({
      intent: "feedback",
      refs: ["2:dislike", "4:like"],
    });
  });

  it("asks for more like several without feedback on them", () => {
    expect(refs("something similar to the first two")).toEqual({
      intent: "critique",
      refs: ["0:-", "1:-"],
    });
  });

  it("leaves one reference to the single-item reading", () => {
    expect(refs("i've seen the second one").refs).toBeUndefined();
  });
});

describe("people named by one word", () => {
  const people = (text: string) => parseMessage(text, ctx).people;

  it("takes a surname or first name that stands for one person in the catalog", () => {
    expect(people("got anything by kubrick?")).toEqual(["stanley kubrick"]);
    expect(people("a spielberg adventure")).toEqual(["steven spielberg"]);
    expect(people("i want nolan films")).toEqual(["christopher nolan"]); // 19 credits against 5
    expect(people("carrey's comedies")).toEqual(["jim carrey"]);
  });

  it("takes a family by its surname", () => {
    expect(people("something from the coen bros").sort()).toEqual(["ethan coen", "joel coen"]);
    expect(people("a movie by the wachowskis").sort()).toEqual([
      "lana wachowski",
      "lilly wachowski",
    ]);
    expect(people("the coens, please").sort()).toEqual(["ethan coen", "joel coen"]);
  });

  it("leaves a word two people share, and ordinary words, alone", () => {
    expect(people("anything with mann")).toEqual([]); // Michael Mann 16, Leslie Mann 10
    expect(people("a film set in washington")).toEqual([]);
    expect(people("a coen film")).toEqual([]);
  });
});

describe("corrections inside one message", () => {
  it("allows a category turned down before the correction and named after it", () => {
    const p = parseMessage("no comedies. hmm, actually a comedy is ok", ctx);
    expect(p.constraints.excludeCategories).toBeUndefined();
    expect(p.requested).toContain("comedy");
  });

  it("replaces the categories asked for before a replacing marker", () => {
    const p = parseMessage("some horror, scratch that, a war film", ctx);
    expect(p.requested).toEqual(["war"]);
  });

  it("adds to them after 'actually'", () => {
    expect(parseMessage("a drama, actually action too", ctx).requested).toEqual([
      "drama",
      "action",
    ]);
  });

  it("replaces the years asked for", () => {
    expect(years("thrillers from the 70s, no wait, make that the 90s")).toEqual([1990, 1999]);
    expect(years("action after 1990, i mean after 2000")).toEqual([2001, undefined]);
  });

  it("keeps several constraints of one message together", () => {
    const p = parseMessage("a kubrick film, no horror, made before 1980", ctx);
    expect(p.people).toEqual(["stanley kubrick"]);
    expect(p.constraints).toMatchObject({ excludeCategories: ["horror"], maxYear: 1979 });
  });
});

describe("a title several films share", () => {
  const linked = (text: string) =>
    ctx.titles.find(text).map((m) => {
      const i = items.find((x) => x.id === m.itemId)!;
      return `${i.title} ${i.year}`;
    });

  it("is the film written the same way, article and all, when it is about as likely", () => {
    expect(linked("what about Heat with pacino")).toEqual(["Heat 1995"]);
    expect(linked("The Heat made me laugh")).toEqual(["The Heat 2013"]);
    expect(linked("godfather is my favourite")).toEqual(["The Godfather 1972"]);
  });

  it("is not a plural of a word of a title", () => {
    expect(linked("any thrillers for tonight")).toEqual([]);
  });
});

describe("ranges, spans back from now, audiences and titles turned down", () => {
  it("reads a year range and a span counted back from this year", () => {
    expect(years("something between 1995 and 2005")).toEqual([1995, 2005]);
    expect(years("thrillers from 2000 to 2009")).toEqual([2000, 2009]);
    expect(years("comedies 1985-1990")).toEqual([1985, 1990]);
    const now = new Date().getUTCFullYear();
    expect(years("a good thriller from the last 10 years")).toEqual([now - 10, undefined]);
    expect(years("anything from the past decade")).toEqual([now - 10, undefined]);
  });

  it("takes 'for grown-ups' as an audience, not as the film Grown Ups", () => {
    const p = parseMessage("something for grown-ups", { ...ctx, categories: new Set(["family"]) });
    expect(p.mentions).toEqual([]);
    expect(p.constraints.excludeCategories).toEqual(["family"]);
    expect(parseMessage("a young adult drama", ctx).constraints.excludeCategories).toBeUndefined();
    const animation = parseMessage("something for my wife and me, grown-up animation", {
      ...ctx,
      categories: new Set(["family", "animation"]),
    });
    expect(animation.constraints.excludeCategories).toEqual(["family"]);
  });

  it("turns down a title said with not, except or other than", () => {
    const polarity = (text: string) => parseMessage(text, ctx).mentions.map((m) => m.polarity);
    expect(polarity("christopher nolan movies but not batman")).toEqual(["dislike"]);
    expect(polarity("something with keanu reeves, not john wick though")).toEqual(["dislike"]);
    expect(polarity("anything except Titanic")).toEqual(["dislike"]);
    expect(polarity("i loved the matrix")).toEqual(["like"]);
  });

  it("reads 'I didn't like the last one' as a dislike of it, not a wish for more like it", () => {
    const withList = { ...ctx, lastListLength: 5 };
    const p = parseMessage("I didn't like the last one", withList);
    expect([p.intent, p.signal]).toEqual(["feedback", "dislike"]);
    expect(p.reference).toBeDefined();
    expect(parseMessage("more like the last one", withList).intent).toBe("critique");
  });

  it("reads '#2' as the second of the last list, and understands it", () => {
    const withList = { ...ctx, lastListLength: 5 };
    const p = parseMessage("more like #2", withList);
    expect([p.intent, p.reference]).toEqual(["critique", 1]);
    expect(understanding(p, "more like #2", ctx.titles, "some-id")).toEqual({ understood: true });
  });

  it("knows a message about television from one about films", () => {
    const tv = (text: string) => parseMessage(text, ctx).aboutTv === true;
    expect(tv("my favourite show is the office, anything like it?")).toBe(true);
    expect(tv("any good tv series like breaking bad?")).toBe(true);
    expect(tv("show me some comedies")).toBe(false);
    expect(tv("the harry potter series")).toBe(false);
  });

  it("marks a title turned down because it was seen as seen, not disliked", () => {
    const polarity = (text: string) => parseMessage(text, ctx).mentions.map((m) => m.polarity);
    expect(polarity("not inception, i've seen that")).toEqual(["seen"]);
    expect(polarity("anything except Titanic, already watched it")).toEqual(["seen"]);
    expect(polarity("not inception, i haven't seen it but it looks dull")).toEqual(["dislike"]);
  });
});
