import { describe, expect, it } from "vitest";
import { CategoryRows } from "../src/recommend/category-rows.ts";

describe("CategoryRows", () => {
  // 3,000 rows over 100 categories of falling size: the commonest 64 have bits (both words, and bit 31),
  // the rest are searched through their rows.
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const categoriesOfRow = Array.from({ length: 3000 }, () =>
    Array.from(
      { length: 1 + Math.floor(random() * 4) },
      () => `c${Math.floor(random() ** 2 * 100)}`,
    ),
  );
  const rows = new CategoryRows(categoriesOfRow);
  const expected = (categories: string[], scope?: Int32Array) =>
    [...(scope ?? categoriesOfRow.keys())].filter((row) =>
      categoriesOfRow[row]!.some((c) => categories.includes(c)),
    );
  const visited = (categories: string[], scope?: Int32Array) => {
    const out: number[] = [];
    rows.forEachRowOf(categories, (row) => out.push(row), scope);
    return scope ? out : out.sort((a, b) => a - b);
  };
  const scope = Int32Array.from({ length: 3000 }, (_, row) => row).filter(() => random() < 0.3);

  it("visits each row of the categories once, among every row or a scope's", () => {
    for (const categories of [
      ["c0"],
      ["c31", "c32"],
      ["c0", "c5", "c63", "c64"],
      ["c90", "c99"],
      ["c1", "c1", "c97"],
      ["nothing"],
      [],
    ]) {
      expect(visited(categories), categories.join()).toEqual(expected(categories));
      expect(visited(categories, scope), categories.join()).toEqual(expected(categories, scope));
    }
  });
});
