// The partitions of a large catalog's inverted-file index (src/recommend/item-index.ts): rows grouped by
// k-means over their linear features, so a search scores the few groups whose centres best match a query.
// A row joins the centre it has the largest dot product with, the measure the search ranks by; two levels
// (a few groups, then groups within each) keep the build to a few passes over the rows.
import { seeded } from "../util/random.ts";

/** The rows' features as the index sees them (Ranker.linearFeatures and featureDots). */
export interface FeatureSource {
  readonly catalog: { readonly size: number };
  readonly featureWidth: number;
  /** Rows [from, to)'s features, row-major; written into `into` (long enough) when given. */
  linearFeatures(from: number, to: number, into?: Float32Array): Float32Array;
  /** out[i] = rows[i]'s features · query, for i < count. */
  featureDots(query: Float32Array, rows: Int32Array, count: number, out: Float32Array): void;
}

/** Partition p holds members[starts[p] .. starts[p + 1]) (ascending), with its centre at centroids[p * width]. */
export interface Partitions {
  readonly width: number;
  readonly centroids: Float32Array;
  readonly starts: Int32Array;
  readonly members: Int32Array;
}

/** Rows k-means learns from, per centre: more give steadier centres and a longer build. */
const SAMPLE_PER_CENTRE = 128;
const ITERATIONS = 10;

/** About `count` partitions of every row of `source` (empty ones are left out); the same for the same rows. */
export function trainPartitions(source: FeatureSource, count: number): Partitions {
  const random = seeded(0x5eed);
  const all = Int32Array.from({ length: source.catalog.size }, (_, row) => row);
  const top = Math.max(1, Math.ceil(Math.sqrt(count)));
  const { groups } = cluster(source, all, top, random);
  const centroids: Float32Array[] = [];
  const memberLists: Int32Array[] = [];
  for (const members of groups) {
    if (members.length === 0) continue;
    const k = Math.max(1, Math.round((count * members.length) / source.catalog.size));
    const { centres, groups: partitions } = cluster(source, members, k, random);
    partitions.forEach((rows, c) => {
      if (rows.length === 0) return;
      centroids.push(centres.subarray(c * source.featureWidth, (c + 1) * source.featureWidth));
      memberLists.push(rows);
    });
  }
  const starts = new Int32Array(memberLists.length + 1);
  memberLists.forEach((rows, p) => (starts[p + 1] = starts[p]! + rows.length));
  const members = new Int32Array(source.catalog.size);
  memberLists.forEach((rows, p) => members.set(rows, starts[p]!));
  const flat = new Float32Array(centroids.length * source.featureWidth);
  centroids.forEach((c, p) => flat.set(c, p * source.featureWidth));
  return { width: source.featureWidth, centroids: flat, starts, members };
}

/** `k` centres trained on a sample of `rows`, and the rows that join each (some groups may be empty). */
function cluster(
  source: FeatureSource,
  rows: Int32Array,
  k: number,
  random: () => number,
): { centres: Float32Array; groups: Int32Array[] } {
  const centres = train(source, rows, k, random);
  return { centres, groups: groupBy(rows, assign(source, rows, centres, k), k) };
}

/** `k` centres by k-means on a sample of `rows`, each a mean of the rows that joined it. */
function train(
  source: FeatureSource,
  rows: Int32Array,
  k: number,
  random: () => number,
): Float32Array {
  const width = source.featureWidth;
  const sample = shuffled(rows, random).subarray(0, Math.min(rows.length, SAMPLE_PER_CENTRE * k));
  const features = new Float32Array(sample.length * width);
  sample.forEach((row, i) => features.set(source.linearFeatures(row, row + 1), i * width));
  const centres = new Float32Array(k * width);
  for (let c = 0; c < k; c++) {
    const i = c % sample.length;
    centres.set(features.subarray(i * width, (i + 1) * width), c * width);
  }
  const sums = new Float64Array(k * width);
  const counts = new Int32Array(k);
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    const joined = assign(source, sample, centres, k);
    sums.fill(0);
    counts.fill(0);
    joined.forEach((c, i) => {
      counts[c]!++;
      for (let d = 0; d < width; d++) sums[c * width + d]! += features[i * width + d]!;
    });
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty centre starts again at a random row of the sample.
        const i = Math.floor(random() * sample.length);
        centres.set(features.subarray(i * width, (i + 1) * width), c * width);
      } else
        for (let d = 0; d < width; d++) centres[c * width + d] = sums[c * width + d]! / counts[c]!;
    }
  }
  return centres;
}

/** For each of `rows`, the centre it has the largest dot product with. */
function assign(
  source: FeatureSource,
  rows: Int32Array,
  centres: Float32Array,
  k: number,
): Int32Array {
  const width = source.featureWidth;
  const best = new Float32Array(rows.length).fill(-Infinity);
  const joined = new Int32Array(rows.length);
  const dots = new Float32Array(rows.length);
  for (let c = 0; c < k; c++) {
    source.featureDots(centres.subarray(c * width, (c + 1) * width), rows, rows.length, dots);
    for (let i = 0; i < rows.length; i++)
      if (dots[i]! > best[i]!) {
        best[i] = dots[i]!;
        joined[i] = c;
      }
  }
  return joined;
}

/** rows grouped by their label (0 .. k - 1), each group in the rows' order. */
function groupBy(rows: Int32Array, labels: Int32Array, k: number): Int32Array[] {
  const counts = new Int32Array(k);
  for (const label of labels) counts[label]!++;
  const groups = Array.from(counts, (n) => new Int32Array(n));
  const filled = new Int32Array(k);
  rows.forEach((row, i) => (groups[labels[i]!]![filled[labels[i]!]!++] = row));
  return groups;
}

function shuffled(rows: Int32Array, random: () => number): Int32Array {
  const out = rows.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
