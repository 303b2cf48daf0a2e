// The typo search's candidates: only titles holding a word near the slip, those holding more of the words
// around it first, each once, at most the limit asked for.
import { describe, expect, it } from "vitest";
import { TitleWords } from "../src/catalog/title-words.ts";

const keys = [
  "shining", // 0
  "forrest gump", // 1
  "forrest", // 2
  "the forest of dreams", // 3
  "gump forrest forrest", // 4: two words near "forest", ranked once
  "jurassic park", // 5
];

describe("TitleWords", () => {
  const words = TitleWords.of(keys);

  it("finds only titles with a word near the slip, those sharing the words around it first", () => {
    const found = words.candidates("forest", ["forest", "gump"], 10);
    expect(found).not.toContain(0);
    expect(found).not.toContain(5);
    // "forrest gump" and "gump forrest forrest" hold both words (one with a slip), the others one.
    expect(found.slice(0, 2)).toEqual([1, 4]);
    // "forest" exactly (in "the forest of dreams") counts more than "forrest" with a slip.
    expect(found.slice(2)).toEqual([3, 2]);
    expect(new Set(found).size).toBe(found.length);
  });

  it("keeps at most the limit, the best of them", () => {
    expect(words.candidates("forest", ["forest", "gump"], 2)).toEqual([1, 4]);
  });

  it("finds nothing for a word near no title word", () => {
    expect(words.candidates("zzzzzz", ["zzzzzz"], 10)).toEqual([]);
  });

  it("allows more slips in longer words", () => {
    expect(words.candidates("jurasik", ["jurasik", "park"], 10)).toEqual([5]);
    expect(words.candidates("shinnig", ["shinnig"], 10)).toEqual([0]);
  });
});
