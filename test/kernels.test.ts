// The WebAssembly SIMD kernels against the plain JavaScript loops they stand for: the same sums to the bit,
// at sizes that are and are not multiples of the kernels' widths; and the shipped binary is its text's.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assembleKernels, KERNELS_WASM, KERNELS_WAT } from "../research/scripts/assemble-wasm.ts";
import { Rng } from "../research/train/rng.ts";
import { ItemArrays, MlpKernel } from "../src/util/kernels.ts";
import { dot } from "../src/util/vec.ts";

const randomFloats = (rng: Rng, n: number, zeros = 0) =>
  Float32Array.from({ length: n }, () => (rng.next() < zeros ? 0 : rng.next() * 2 - 1));

/** Item arrays of random values; a row's genre hits are a few labels, or (one row in four) its interests. */
function randomArrays(rng: Rng, size: number, dim: number, labels: number): ItemArrays {
  const arrays = ItemArrays.of(
    randomFloats(rng, size * dim),
    randomFloats(rng, size * labels),
    dim,
    labels,
  );
  for (let row = 0; row < size; row++)
    arrays.setGenreHits(
      row,
      rng.next() < 0.25
        ? []
        : Array.from({ length: 3 }, () => Math.floor(rng.next() * labels)).filter(
            (l) => l < labels,
          ),
    );
  return arrays;
}

/** A row's genre hits as floats, one a label. */
function genreRow(a: ItemArrays, row: number): Float32Array {
  const out = new Float32Array(a.labels);
  a.genreHitsOf(row, out);
  return out;
}

/** The linear stage's sums as rank.ts computed them in JavaScript, row by row. */
function plainLinear(
  a: ItemArrays,
  row: number,
  qv: Float32Array,
  qi: Float32Array,
  qg: Float32Array,
): [number, number] {
  const { dim, labels: L } = a;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    d = 0;
  for (; d + 3 < dim; d += 4) {
    s0 += qv[d]! * a.vectors[row * dim + d]!;
    s1 += qv[d + 1]! * a.vectors[row * dim + d + 1]!;
    s2 += qv[d + 2]! * a.vectors[row * dim + d + 2]!;
    s3 += qv[d + 3]! * a.vectors[row * dim + d + 3]!;
  }
  for (; d < dim; d++) s0 += qv[d]! * a.vectors[row * dim + d]!;
  const hits = genreRow(a, row);
  for (let l = 0; l < L; l++) {
    s1 += qi[l]! * a.interests[row * L + l]!;
    s2 += qg[l]! * hits[l]!;
  }
  return [s0 + s1, s2 + s3];
}

describe("the linear kernel", () => {
  for (const [dim, labels] of [
    [64, 46],
    [7, 5],
    [4, 3],
    [1, 0],
  ] as const) {
    it(`gives the JavaScript loop's sums to the bit (${dim} dimensions, ${labels} labels)`, () => {
      const rng = new Rng(dim * 100 + labels);
      const size = 300;
      const arrays = randomArrays(rng, size, dim, labels);
      const [qv, qi, qg] = [dim, labels, labels].map((n) => randomFloats(rng, n));
      // Every third row, in an order of its own.
      const rows = Array.from({ length: size / 3 }, (_, i) => (i * 7) % size);
      arrays.rows.set(rows);
      const sums = Array.from(
        arrays.linear(rows.length, qv!, qi!, qg!).subarray(0, rows.length * 2),
      );
      expect(sums).toEqual(rows.flatMap((row) => plainLinear(arrays, row, qv!, qi!, qg!)));
      expect(new Set(sums).size).toBeGreaterThan(rows.length); // real, distinct sums
    });
  }

  it("refuses a catalog whose arrays do not fit a 32-bit memory, with the reason", () => {
    expect(() => ItemArrays.create(10_000_000, 64, 46)).toThrow(
      /GiB of scoring memory; at most 4 GiB fit/,
    );
  });

  it("reads the arrays in place when they are already its own, and copies others", () => {
    const rng = new Rng(3);
    const vectors = randomFloats(rng, 40);
    const interests = randomFloats(rng, 30);
    const copied = ItemArrays.of(vectors, interests, 4, 3);
    expect(copied.vectors).not.toBe(vectors);
    expect(Array.from(copied.vectors)).toEqual(Array.from(vectors));
    expect(Array.from(copied.interests)).toEqual(Array.from(interests));
    expect(ItemArrays.of(copied.vectors, copied.interests, 4, 3)).toBe(copied);
  });
});

describe("the features' dot products", () => {
  it("are vec.ts dot()'s to the bit, over each array, with an absent query's as 0", () => {
    const rng = new Rng(29);
    const [size, dim, labels] = [200, 66, 45];
    const arrays = randomArrays(rng, size, dim, labels);
    const [v1, v2] = [randomFloats(rng, dim), randomFloats(rng, dim)];
    const [l1, l2] = [randomFloats(rng, labels), randomFloats(rng, labels)];
    const rows = [5, 199, 0, 5, 77];
    arrays.rows.set(rows);
    const products = Array.from(
      arrays
        .dots(rows.length, [
          ["vectors", [v1, undefined, v2]],
          ["interests", [l1]],
          ["genreHits", [l2, l1]],
        ])
        .subarray(0, rows.length * 6),
    );
    expect(products).toEqual(
      rows.flatMap((row) => [
        dot(v1, arrays.vectors, row * dim, dim),
        0,
        dot(v2, arrays.vectors, row * dim, dim),
        dot(l1, arrays.interests, row * labels, labels),
        dot(l2, genreRow(arrays, row)),
        dot(l1, genreRow(arrays, row)),
      ]),
    );
    expect(products.filter((p) => p !== 0)).toHaveLength(rows.length * 5);
  });
});

describe("the re-scorer kernel", () => {
  const features = 24;
  const hidden = 37; // three blocks of 16 units, the last padded
  const rng = new Rng(17);
  const weights = {
    features,
    hidden,
    w: Float64Array.from({ length: features * hidden }, () => rng.next() - 0.5),
    b: Float64Array.from({ length: hidden }, () => rng.next() - 0.5),
    lin: Float64Array.from({ length: features }, () => rng.next() - 0.5),
    bias: 0.25,
    out: Float64Array.from({ length: hidden }, () => rng.next() - 0.5),
  };
  /** compileMlp's loop as it was in JavaScript: zero features skipped, ReLU units summed in order. */
  const plain = (x: Float32Array) => {
    let s = weights.bias;
    const pre = Float64Array.from(weights.b);
    for (let f = 0; f < features; f++) {
      const v = x[f]!;
      if (v === 0) continue;
      s += weights.lin[f]! * v;
      for (let h = 0; h < hidden; h++) pre[h]! += weights.w[f * hidden + h]! * v;
    }
    for (let h = 0; h < hidden; h++) if (pre[h]! > 0) s += weights.out[h]! * pre[h]!;
    return s;
  };

  it("scores a batch, growing past its first capacity, as the JavaScript loop does to the bit", () => {
    const kernel = new MlpKernel(weights);
    const count = 1000;
    const x = randomFloats(rng, count * features, 0.4);
    kernel.inputs(count).set(x);
    const scores = Array.from(kernel.scores(count));
    expect(scores).toEqual(
      Array.from({ length: count }, (_, c) => plain(x.subarray(c * features, (c + 1) * features))),
    );
    expect(new Set(scores).size).toBe(count);
    expect(kernel.score(x.subarray(0, features))).toBe(scores[0]);
  });
});

describe("the shipped kernels.wasm", () => {
  it("is what `npm run build:wasm` assembles from kernels.wat", async () => {
    const built = await assembleKernels(readFileSync(KERNELS_WAT, "utf8"));
    expect(Buffer.from(built).equals(readFileSync(KERNELS_WASM))).toBe(true);
  });
});
