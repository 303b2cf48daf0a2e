import { setImmediate as idle } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { RowArrayPool } from "../src/recommend/row-arrays.ts";

describe("RowArrayPool", () => {
  it("hands out zeroed arrays, whether the idle zeroing has run or not", async () => {
    const pool = new RowArrayPool(1000);
    const first = pool.lease();
    const a = first.float32();
    const b = first.float64();
    const c = first.bytes();
    a.fill(3);
    b.fill(4);
    c.fill(5);
    first.release();
    // Taken again at once: the same arrays come back, zeroed on the spot.
    const second = pool.lease();
    const a2 = second.float32();
    expect(a2).toBe(a);
    expect(a2.every((x) => x === 0)).toBe(true);
    a2.fill(7);
    second.release();
    await idle();
    await idle();
    await idle();
    // After the thread was idle, each given back is clean before it is taken.
    const third = pool.lease();
    const got = [third.float32(), third.float64(), third.bytes()];
    expect(got).toEqual([a, b, c]);
    for (const array of got) expect(array.every((x) => x === 0)).toBe(true);
    third.release();
  });

  it("keeps at most sixteen arrays of a kind", () => {
    const pool = new RowArrayPool(10);
    const lease = pool.lease();
    const taken = Array.from({ length: 20 }, () => lease.float32());
    lease.release();
    const again = pool.lease();
    const reused = Array.from({ length: 20 }, () => again.float32()).filter((x) =>
      taken.includes(x),
    );
    expect(reused).toHaveLength(16);
  });
});
