// The vector index's byte codes: a search's sums by the WebAssembly kernel rank rows as their exact features
// do, whatever the width, another thread reading the same codes gets the same sums, and codes saved are
// read back the same, or not at all.
import { mkdtempSync, rmSync, statSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FeatureCodes } from "../src/recommend/feature-codes.ts";
import type { FeatureSource } from "../src/recommend/partitions.ts";

/** `size` rows of `width` features in [-2, 2), from a fixed generator. */
function rows(size: number, width: number): FeatureSource & { features: Float32Array } {
  let state = 7;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  const features = Float32Array.from({ length: size * width }, () => 4 * next() - 2);
  return {
    catalog: { size },
    featureWidth: width,
    features,
    linearFeatures: (from, to) => features.slice(from * width, to * width),
    featureDots: () => {
      throw new Error("not used by the codes");
    },
  };
}

describe("feature codes", () => {
  for (const width of [16, 20, 112]) {
    it(`rank ${width}-wide rows as their exact features do`, () => {
      const source = rows(500, width);
      // Partition order: the rows backwards.
      const members = Int32Array.from({ length: 500 }, (_, k) => 499 - k);
      const codes = FeatureCodes.build(source, members, 2);
      const query = Float32Array.from({ length: width }, (_, d) => Math.sin(d + 1));
      codes.setQuery(query);
      for (let k = 0; k < 500; k++) codes.positions[k] = k;
      const sums = Array.from(codes.score(500).subarray(0, 500));
      const exact = Array.from(members, (row) => {
        let s = 0;
        for (let d = 0; d < width; d++) s += query[d]! * source.features[row * width + d]!;
        return s;
      });
      // The sums are the exact dot products times one positive factor, up to the bytes' rounding.
      const factor =
        sums.reduce((a, s, k) => a + s * exact[k]!, 0) / exact.reduce((a, e) => a + e * e, 0);
      expect(factor).toBeGreaterThan(0);
      const spread = Math.max(...exact) - Math.min(...exact);
      for (let k = 0; k < 500; k++)
        expect(Math.abs(sums[k]! / factor - exact[k]!)).toBeLessThan(0.02 * spread);
      const best = (xs: number[]) =>
        xs.map((x, k) => [x, k] as const).sort((a, b) => b[0] - a[0])[0]![1];
      expect(best(sums)).toBe(best(exact));

      const other = FeatureCodes.attach(codes.share(), 1);
      other.setQuery(query);
      other.positions.set(codes.positions.subarray(0, 500));
      expect(Array.from(other.score(500).subarray(0, 500))).toEqual(sums);
    });
  }

  it("are read back from their file as saved, and not from one of another key or shape, or cut short", () => {
    const dir = mkdtempSync(join(tmpdir(), "chatrec-codes-"));
    try {
      const width = 20;
      const source = rows(300, width);
      const members = Int32Array.from({ length: 300 }, (_, k) => (k * 7) % 300);
      const built = FeatureCodes.build(source, members, 1);
      const file = join(dir, "codes.bin");
      built.save(file, "key-1");
      const sumsOf = (codes: FeatureCodes) => {
        codes.setQuery(Float32Array.from({ length: width }, (_, d) => Math.cos(d)));
        for (let k = 0; k < 300; k++) codes.positions[k] = k;
        return Array.from(codes.score(300).subarray(0, 300));
      };
      const read = FeatureCodes.read(file, "key-1", 300, width, 2);
      expect(read).toBeDefined();
      const sums = sumsOf(built);
      expect(new Set(sums).size).toBeGreaterThan(100);
      expect(sumsOf(read!)).toEqual(sums);
      expect(FeatureCodes.attach(read!.share(), 1)).toBeDefined(); // the threads asked for
      expect(FeatureCodes.read(file, "key-2", 300, width, 1)).toBeUndefined();
      expect(FeatureCodes.read(file, "key-1", 301, width, 1)).toBeUndefined();
      expect(FeatureCodes.read(file, "key-1", 300, 16, 1)).toBeUndefined();
      expect(FeatureCodes.read(join(dir, "missing.bin"), "key-1", 300, width, 1)).toBeUndefined();
      truncateSync(file, statSync(file).size - 1);
      expect(FeatureCodes.read(file, "key-1", 300, width, 1)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
