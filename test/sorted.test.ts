import { describe, expect, it } from "vitest";
import { firstAtLeast, indexOfSorted, sortedUnion } from "../src/util/sorted.ts";

describe("sorted lists", () => {
  const values = [1, 3, 3, 7, 10, 15, 40, 41, 90];
  // The plain answer: the first index from `from` whose value is at least `v`.
  const plain = (v: number, from: number) => {
    for (let i = from; i < values.length; i++) if (values[i]! >= v) return i;
    return values.length;
  };

  it("finds the first value at least a value, from any start", () => {
    for (let from = 0; from <= values.length; from++)
      for (let v = -1; v <= 92; v++)
        if (from === 0 || values[from - 1]! < v)
          expect(firstAtLeast(values, v, from), `${v} from ${from}`).toBe(plain(v, from));
  });

  it("finds a value's index or -1", () => {
    expect(indexOfSorted(Int32Array.from(values), 7)).toBe(3);
    expect(indexOfSorted(values, 3)).toBe(1);
    expect(indexOfSorted(values, 8)).toBe(-1);
    expect(indexOfSorted(values, 91)).toBe(-1);
    expect(indexOfSorted([], 1)).toBe(-1);
  });

  it("merges ascending lists, each value once", () => {
    const union = sortedUnion([Int32Array.of(1, 4, 9), Int32Array.of(2, 4, 10), Int32Array.of()]);
    expect([...union]).toEqual([1, 2, 4, 9, 10]);
    expect([...sortedUnion([Int32Array.of(9, 1, 9), Int32Array.of(4, 2)])]).toEqual([1, 2, 4, 9]);
  });
});
