// The vector index's year and category filters: each filter's bits agree with testing every row directly.
import { describe, expect, it } from "vitest";
import { CategoryRows } from "../src/recommend/category-rows.ts";
import { admits, bothFilters, RowFilters, type RowFilter } from "../src/recommend/row-filter.ts";

// 1,000 rows (not a multiple of 32): a year from 1950 on, none for every 7th; categories by row number.
const size = 1000;
const year = Float32Array.from({ length: size }, (_, row) =>
  row % 7 === 0 ? NaN : 1950 + (row % 70),
);
const categories = Array.from({ length: size }, (_, row) => [
  ...(row % 2 === 0 ? ["drama"] : []),
  ...(row % 3 === 0 ? ["comedy"] : []),
  ...(row % 50 === 0 ? ["western"] : []),
]);
const filters = new RowFilters(year, new CategoryRows(categories));

function direct(filter: RowFilter, row: number): boolean {
  const y = year[row]!;
  if (filter.fromYear !== undefined && !(y >= filter.fromYear)) return false;
  if (filter.beforeYear !== undefined && !(y < filter.beforeYear)) return false;
  if (!filter.anyOf.every((group) => group.some((c) => categories[row]!.includes(c)))) return false;
  if (filter.among && !filter.among.includes(row)) return false;
  return !filter.noneOf.some((c) => categories[row]!.includes(c));
}

const cases: Array<[string, RowFilter]> = [
  ["nothing", { anyOf: [], noneOf: [] }],
  ["the 90s", { fromYear: 1990, beforeYear: 2000, anyOf: [], noneOf: [] }],
  ["after 2010", { fromYear: 2010, anyOf: [], noneOf: [] }],
  ["comedy or western, no drama", { anyOf: [["comedy", "western"]], noneOf: ["drama"] }],
  [
    "drama and comedy before 1960",
    { beforeYear: 1960, anyOf: [["drama"], ["comedy"]], noneOf: [] },
  ],
  ["a category no item has", { anyOf: [["opera"]], noneOf: [] }],
  ["no drama, no comedy", { anyOf: [], noneOf: ["drama", "comedy", "drama"] }],
  [
    "given rows from the 90s, no comedy",
    {
      fromYear: 1990,
      beforeYear: 2000,
      anyOf: [],
      noneOf: ["comedy"],
      among: Int32Array.of(5, 40, 41, 41, 43, 999),
    },
  ],
];

describe("row filters", () => {
  it.each(cases)("%s admits exactly the rows that pass every test", (_, filter) => {
    const { bits, count } = filters.admitted(filter);
    const expected = Array.from({ length: size }, (_, row) => direct(filter, row));
    expect(Array.from({ length: size }, (_, row) => admits(bits, row))).toEqual(expected);
    expect(count).toBe(expected.filter(Boolean).length);
    for (let row = size; row < bits.length * 32; row++) expect(admits(bits, row)).toBe(false);
  });

  it("tests fractional years as they are", () => {
    const years = Float32Array.of(1989.5, 1990, 1999.5, 2000, NaN, 1995.25);
    const fractional = new RowFilters(years, new CategoryRows(Array.from(years, () => [])));
    const { bits, count } = fractional.admitted({
      fromYear: 1990,
      beforeYear: 2000,
      anyOf: [],
      noneOf: [],
    });
    expect([0, 1, 2, 3, 4, 5].filter((row) => admits(bits, row))).toEqual([1, 2, 5]);
    expect(count).toBe(3);
  });

  it("combines two filters into the tests of both", () => {
    const both = bothFilters(
      { fromYear: 1980, beforeYear: 2000, anyOf: [["drama"]], noneOf: ["western"] },
      { fromYear: 1990, beforeYear: 2010, anyOf: [["comedy"]] },
    );
    expect(both).toEqual({
      fromYear: 1990,
      beforeYear: 2000,
      anyOf: [["drama"], ["comedy"]],
      noneOf: ["western"],
    });
  });

  it("keeps a filter's rows, so the same filter in another order is not worked out again", () => {
    const a = filters.admitted({ anyOf: [["western", "comedy"]], noneOf: ["drama"] });
    const b = filters.admitted({ anyOf: [["comedy", "western"]], noneOf: ["drama"] });
    expect(b).toBe(a);
  });
});
