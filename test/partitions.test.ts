// The vector index's partitions: every row in exactly one, the same partitions from the same rows, and rows
// of one group of like features kept together.
import { describe, expect, it } from "vitest";
import { trainPartitions, type FeatureSource } from "../src/recommend/partitions.ts";

/** Rows around `groups` directions of a 6-wide space, a little noise each, in a fixed order. */
function rowsAround(groups: number, size: number): FeatureSource & { group: Int32Array } {
  const width = 6;
  const features = new Float32Array(size * width);
  const group = new Int32Array(size);
  let state = 1;
  const noise = () => ((state = (state * 48271) % 2147483647) / 2147483647 - 0.5) * 0.1;
  for (let row = 0; row < size; row++) {
    group[row] = (row * 7) % groups;
    for (let d = 0; d < width; d++)
      features[row * width + d] = (d === group[row]! ? 1 : 0) + noise();
  }
  return {
    catalog: { size },
    featureWidth: width,
    group,
    linearFeatures: (from, to) => features.slice(from * width, to * width),
    featureDots(query, rows, count, out) {
      for (let i = 0; i < count; i++) {
        let s = 0;
        for (let d = 0; d < width; d++) s += query[d]! * features[rows[i]! * width + d]!;
        out[i] = s;
      }
    },
  };
}

describe("the vector index's partitions", () => {
  const source = rowsAround(6, 3000);
  const partitions = trainPartitions(source, 12);

  it("hold every row once, ascending within each partition", () => {
    const { starts, members } = partitions;
    expect(starts[0]).toBe(0);
    expect(starts.at(-1)).toBe(3000);
    expect([...members].sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, r) => r));
    for (let p = 0; p + 1 < starts.length; p++) {
      expect(starts[p + 1]!).toBeGreaterThan(starts[p]!);
      const rows = members.subarray(starts[p]!, starts[p + 1]!);
      expect([...rows]).toEqual([...rows].sort((a, b) => a - b));
    }
  });

  it("are the same when learnt again from the same rows", () => {
    const again = trainPartitions(source, 12);
    expect(again.starts).toEqual(partitions.starts);
    expect(again.members).toEqual(partitions.members);
    expect(again.centroids).toEqual(partitions.centroids);
  });

  it("keep rows of like features together", () => {
    const { starts, members } = partitions;
    for (let p = 0; p + 1 < starts.length; p++) {
      const groups = new Set(
        members.subarray(starts[p]!, starts[p + 1]!).map((r) => source.group[r]!),
      );
      expect(groups.size).toBe(1);
    }
  });
});
