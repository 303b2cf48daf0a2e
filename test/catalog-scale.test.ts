// A catalog far larger than the demo must open: a per-item spread into Math.max overflowed the stack at
// 200,000 items (npm start died with "Maximum call stack size exceeded").
import { expect, it } from "vitest";
import { popularityPrior } from "../src/catalog/catalog.ts";
import type { Item } from "../src/types.ts";

it("scales popularity over a million items without overflowing the stack", () => {
  const items: Item[] = Array.from({ length: 1_000_000 }, (_, i) => ({
    id: String(i),
    title: `t${i}`,
    text: "",
    categories: [],
    extra: { popularity: i % 1000 },
  }));
  const prior = popularityPrior(items);
  expect(prior).toHaveLength(1_000_000);
  expect(Math.max(...prior.subarray(0, 1000))).toBeCloseTo(1, 6);
  expect(prior[0]).toBe(0);
});
