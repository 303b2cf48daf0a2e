// The packed word set: exact lookups and the typo search, checked against a plain Levenshtein distance over
// every word, so the search's shared rows and skipped prefixes must give exactly what a scan gives.
import { describe, expect, it } from "vitest";
import { SortedWords } from "../src/catalog/sorted-words.ts";

/** Levenshtein distance, the textbook way. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
        prev[j]! + 1,
        row[j - 1]! + 1,
      );
    prev = row;
  }
  return prev[b.length]!;
}

let seed = 11;
const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const letters = "abcdeé";
const randomWord = () =>
  Array.from(
    { length: 1 + Math.floor(random() * 7) },
    () => letters[Math.floor(random() * letters.length)],
  ).join("");

describe("SortedWords", () => {
  const list = [
    ...Array.from({ length: 3000 }, randomWord),
    "",
    "shining",
    "shinning",
    "jurassic",
    "ab",
  ];
  const words = SortedWords.of(list);
  const distinct = [...new Set(list)];

  it("holds each distinct word once, found by its id", () => {
    expect(words.size).toBe(distinct.length);
    for (const w of distinct) expect(words.word(words.indexOf(w))).toBe(w);
    expect(words.indexOf("zzz")).toBe(-1);
    expect(words.has("shining")).toBe(true);
    expect(words.has("shinin")).toBe(false);
  });

  it("finds exactly the words within the edits a plain scan finds, with their edits", () => {
    const queries = [
      ...Array.from({ length: 300 }, randomWord),
      "",
      "shinig",
      "jurasic",
      "x".repeat(40),
    ];
    for (const query of queries)
      for (const maxEdits of [0, 1, 2, 3]) {
        const found = new Map<string, number>();
        words.near(query, maxEdits, (w, edits) => found.set(words.word(w), edits));
        const expected = new Map(
          distinct.map((w) => [w, distance(query, w)] as const).filter(([, d]) => d <= maxEdits),
        );
        expect(found).toEqual(expected);
      }
  });

  it("takes a byte a letter when every letter fits in one, two otherwise", () => {
    expect(words.snapshot().chars.BYTES_PER_ELEMENT).toBe(1);
    const wide = SortedWords.of(["ёлка", "東京", "tokyo", "été"]);
    expect(wide.snapshot().chars.BYTES_PER_ELEMENT).toBe(2);
    for (const w of ["ёлка", "東京", "tokyo", "été"]) expect(wide.word(wide.indexOf(w))).toBe(w);
    const found: string[] = [];
    wide.near("ёлкa", 1, (w) => found.push(wide.word(w)));
    expect(found).toEqual(["ёлка"]);
  });

  it("reads back what it saved", () => {
    const again = SortedWords.restore(words.snapshot());
    const found: number[] = [];
    again.near("shinig", 1, (w) => found.push(w));
    expect(found.map((w) => again.word(w))).toEqual(["shining"]);
  });
});
