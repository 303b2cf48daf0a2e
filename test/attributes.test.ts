import { describe, expect, it } from "vitest";
import { Attributes, sameStem, splitNegated } from "../src/recommend/attributes.ts";
import type { Replay } from "../src/replay.ts";
import { useDemoBot } from "./support/demo-bot.ts";
import type { Item } from "../src/types.ts";

const item = (id: string, categories: string[]): Item =>
  ({ id, title: `Film ${id}`, text: "", categories, extra: {} }) as unknown as Item;

describe("attribute words learnt from tags and keywords", () => {
  // 200 films: 0-5 thrillers tagged with twists, the rest comedies; "movie" is on every film.
  const items = [
    ...Array.from({ length: 6 }, (_, i) => item(`t${i}`, ["thriller", "mystery"])),
    ...Array.from({ length: 194 }, (_, i) => item(`c${i}`, ["comedy"])),
  ];
  const attrs = new Map(
    items.map((it, row) => [
      it.id,
      row < 6
        ? { tags: ["twist ending"], keywords: ["bloody violence", "movie"] }
        : { keywords: [row === 6 ? "feel-good" : "friendship", "movie"] },
    ]),
  );
  const common = new Map([
    ["movie", 300],
    ["something", 100],
    ["love", 700],
  ]);
  const a = new Attributes(items, attrs, common);

  it("matches a word to the tags and keywords sharing its stem, naming them", () => {
    const m = a.match("something twisty please");
    expect([...m.rows]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(m.get(0)).toEqual({ tags: ["twist ending"], keywords: [] });
    expect(a.match("a feel-good one").get(6)).toEqual({ tags: [], keywords: ["feel-good"] });
  });

  it("ignores common words, words on most films and category names", () => {
    expect(a.match("i love a movie").size).toBe(0);
    expect(a.match("a comedy").size).toBe(0);
  });

  it("finds the category the matched films characterise", () => {
    expect(a.characteristicOf("twisty").sort()).toEqual(["mystery", "thriller"]);
    expect(a.characteristicOf("friendship")).toEqual([]); // comedy: most of the films, no lift
  });

  it("stems words of one family only", () => {
    expect(sameStem("twisty", "twist")).toBe(true);
    expect(sameStem("violent", "violence")).toBe(true);
    expect(sameStem("bloody", "blood")).toBe(true);
    expect(sameStem("dark", "darkness")).toBe(false);
    expect(sameStem("violent", "violinist")).toBe(false);
  });

  it("splits what a message turns down from what it asks for", () => {
    expect(splitNegated("i'm squeamish, nothing bloody or violent")).toEqual({
      wanted: "i'm squeamish,  ",
      avoided: "bloody or violent",
    });
    expect(splitNegated("something twisty").avoided).toBe("");
    expect(splitNegated("like the godfather but less violent").avoided).toBe("violent");
    expect(splitNegated("a horror movie that isn't too scary").avoided).toBe("too scary");
    expect(splitNegated("i don't want anything gory, thanks").avoided).toBe("anything gory");
  });
});

let bot: Replay;
useDemoBot("attributes", (b) => (bot = b));

describe("moods and suitability on the demo catalog (real model, real LanceDB)", () => {
  it("leads with films tagged as the mood asked for, naming the tags", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "twisty" },
      text: "something twisty",
    });
    const tagged = r.recommendations.filter((x) =>
      x.reasons.some((y) => y.code === "attributes" && /twist/.test(y.text)),
    );
    expect(tagged.length).toBeGreaterThanOrEqual(3);
  });

  it("offers nothing tagged or of the category the turned-down words characterise", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "squeamish" },
      text: "a film for tonight, nothing bloody",
      limit: 10,
    });
    expect(r.recommendations.length).toBe(10);
    expect(r.recommendations.filter((x) => x.categories.includes("horror"))).toEqual([]);
  });
});
