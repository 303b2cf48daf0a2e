// float16 bits: known values, rounding, and every conversion read back within half precision.
import { describe, expect, it } from "vitest";
import { toHalf, toHalves } from "../src/util/half.ts";

/** The number float16 `h` holds. */
function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

describe("toHalf", () => {
  it("gives the known bits", () => {
    expect(toHalf(0)).toBe(0);
    expect(toHalf(-0)).toBe(0x8000);
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(0.1)).toBe(0x2e66);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(2 ** -24)).toBe(1);
    expect(toHalf(1e-9)).toBe(0);
  });

  it("never gives infinity: past the largest half it gives that half", () => {
    expect(toHalf(1e6)).toBe(0x7bff);
    expect(toHalf(-1e6)).toBe(0xfbff);
    expect(toHalf(65519)).toBe(0x7bff);
  });

  it("reads back within half a unit in the last place", () => {
    let seed = 5;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const values = Float32Array.from(
      { length: 20000 },
      (_, i) => (random() - 0.5) * 10 ** ((i % 12) - 7),
    );
    toHalves(values).forEach((h, i) => {
      const v = values[i]!;
      const back = fromHalf(h);
      const ulp =
        Math.abs(v) < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 10);
      expect(Math.abs(back - v)).toBeLessThanOrEqual(ulp / 2 + 1e-12);
    });
  });
});
