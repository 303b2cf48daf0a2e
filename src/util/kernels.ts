// The ranker's hot loops as WebAssembly SIMD kernels (kernels.wat, built into kernels.wasm): the linear
// stage's dot products, the re-scorer's features' dot products and its hidden layer. A kernel reads only
// its own memory, so the arrays it reads live there: the catalog's item arrays in an ItemArrays, the
// re-scorer's weights in an MlpKernel. The memories are shared ones, so turn workers read the main
// thread's item arrays instead of holding copies.
import { readFileSync } from "node:fs";
import { ChatrecError } from "../errors.ts";
import { dot } from "./vec.ts";

const kernels = new WebAssembly.Module(readFileSync(new URL("./kernels.wasm", import.meta.url)));

export interface KernelExports {
  linear(
    count: number,
    rows: number,
    out: number,
    vec: number,
    dim: number,
    ints: number,
    masks: number,
    zeros: number,
    labels: number,
    qv: number,
    qig: number,
  ): void;
  dots(
    count: number,
    rows: number,
    out: number,
    stride: number,
    base: number,
    width: number,
    queries: number,
    k: number,
  ): void;
  bytedots(
    count: number,
    positions: number,
    codes: number,
    stride: number,
    query: number,
    out: number,
  ): void;
  mlp(
    count: number,
    x: number,
    features: number,
    hidden: number,
    w: number,
    b: number,
    lin: number,
    bias: number,
    outw: number,
    res: number,
    nonzero: number,
  ): void;
}

const PAGE = 65_536;
const MAX_PAGES = 65_536; // 4 GiB: a 32-bit memory's limit

/** Byte offsets of arrays laid out one after another, each 16-byte aligned (the kernels load 16 bytes at once). */
export class Layout {
  bytes = 0;
  take(count: number, bytesEach: number): number {
    const at = this.bytes;
    this.bytes = Math.ceil((at + count * bytesEach) / 16) * 16;
    return at;
  }
}

/** A shared memory of a fixed size: growing one would move it, and every view of it with it. */
export function sharedMemory(bytes: number, what: string): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES)
    throw new ChatrecError(
      "CATALOG_FORMAT",
      `${what} needs ${(bytes / 2 ** 30).toFixed(1)} GiB of scoring memory; at most 4 GiB fit`,
    );
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

export function kernelsOver(memory: WebAssembly.Memory): KernelExports {
  return new WebAssembly.Instance(kernels, { env: { memory } }).exports as unknown as KernelExports;
}

/** The item arrays a dot product can run over. */
export type ItemArrayName = "vectors" | "interests" | "genreHits";
type KernelArrayName = "vectors" | "interests" | "genreMasks" | "zeros";
/** dots(): at most this many queries per array, and columns in all. */
const MAX_QUERIES = 8;
const MAX_COLUMNS = 16;
/** dots() takes rows this many at a time. */
const DOTS_BATCH = 1024;
/** linear() takes rows this many at a time: its scratch is per thread, and a catalog's rows can be millions. */
const LINEAR_BATCH = 4096;

type ScratchName = "rows" | "sums" | "products" | "qv" | "qig" | "queries";

/** A row's genre mask: a bit per label. */
const maskWords = (labels: number) => (labels + 31) >>> 5;

/**
 * Where everything is in a catalog's kernel memory: the item arrays once, then a scratch area for each
 * thread that scores (the main thread's first, then one per turn worker).
 */
function itemLayout(size: number, dim: number, labels: number, threads: number) {
  const batch = Math.min(size, DOTS_BATCH);
  const linearBatch = Math.max(batch, Math.min(size, LINEAR_BATCH));
  const layout = new Layout();
  const items: Record<KernelArrayName, number> = {
    vectors: layout.take(size * dim, 4),
    interests: layout.take(size * labels, 4),
    genreMasks: layout.take(size * maskWords(labels), 4),
    zeros: layout.take(labels, 4),
  };
  const scratch = Array.from({ length: threads }, (): Record<ScratchName, number> => ({
    rows: layout.take(linearBatch, 4),
    sums: layout.take(linearBatch * 2, 8),
    products: layout.take(batch * MAX_COLUMNS, 8),
    qv: layout.take(dim, 8),
    qig: layout.take(labels * 2, 8),
    queries: layout.take(MAX_QUERIES * Math.max(dim, labels), 8),
  }));
  return { batch, linearBatch, items, scratch, bytes: layout.bytes };
}

/** A catalog's item arrays as a turn worker receives them: the memory, its shape, and what is filled. */
export interface SharedItemArrays {
  memory: WebAssembly.Memory;
  size: number;
  dim: number;
  labels: number;
  threads: number;
  genreHitsFilled: boolean;
}

const arraysOfVectors = new WeakMap<Float32Array, ItemArrays>();

/**
 * A catalog's per-item arrays in the kernels' memory: vectors (n x dim), interests and genre hits (n x labels),
 * and this thread's scratch (candidate rows, sums, products, the queries).
 */
export class ItemArrays {
  readonly vectors: Float32Array;
  readonly interests: Float32Array;
  /**
   * Each row's genre hits as a bit per label (1 there, 0 elsewhere), or none for a row whose hits are its
   * interests: four bytes a row where float hits took four a label. Set once by the ranker
   * (src/recommend/rank.ts fillGenreHits), then marked so.
   */
  private readonly genreMasks: Uint32Array;
  private readonly maskWords: number;
  /** One row's genre hits as floats, for genreDots. */
  private readonly genreRow: Float32Array;
  genreHitsFilled: boolean;
  /** Where a caller writes the rows for linear() and dots(). */
  readonly rows: Int32Array;
  /** How many rows dots() takes at once. */
  readonly batch: number;
  /** How many rows linear() takes at once. */
  readonly linearBatch: number;
  private readonly sums: Float64Array;
  private readonly products: Float64Array;
  private readonly qv: Float64Array;
  private readonly qig: Float64Array;
  private readonly queries: Float64Array;
  private readonly at: Record<KernelArrayName | ScratchName, number>;
  private readonly run: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly threads: number;

  private constructor(
    readonly size: number,
    readonly dim: number,
    readonly labels: number,
    place: { threads: number } | { shared: SharedItemArrays; thread: number },
  ) {
    const threads = "shared" in place ? place.shared.threads : place.threads;
    const thread = "shared" in place ? place.thread : 0;
    if (!Number.isInteger(thread) || thread < 0 || thread >= threads)
      throw new Error(`no scratch area ${thread} among ${threads}`);
    const { batch, linearBatch, items, scratch, bytes } = itemLayout(size, dim, labels, threads);
    this.memory =
      "shared" in place ? place.shared.memory : sharedMemory(bytes, `a catalog of ${size} items`);
    if (this.memory.buffer.byteLength < bytes)
      throw new Error("the shared item arrays are too small");
    this.run = kernelsOver(this.memory);
    this.threads = threads;
    this.batch = batch;
    this.linearBatch = linearBatch;
    this.at = { ...items, ...scratch[thread]! };
    this.genreHitsFilled = "shared" in place && place.shared.genreHitsFilled;
    const buffer = this.memory.buffer;
    this.vectors = new Float32Array(buffer, this.at.vectors, size * dim);
    this.interests = new Float32Array(buffer, this.at.interests, size * labels);
    this.maskWords = maskWords(labels);
    this.genreRow = new Float32Array(labels);
    this.genreMasks = new Uint32Array(buffer, this.at.genreMasks, size * this.maskWords);
    this.rows = new Int32Array(buffer, this.at.rows, linearBatch);
    this.sums = new Float64Array(buffer, this.at.sums, linearBatch * 2);
    this.products = new Float64Array(buffer, this.at.products, batch * MAX_COLUMNS);
    this.queries = new Float64Array(buffer, this.at.queries, MAX_QUERIES * Math.max(dim, labels));
    this.qv = new Float64Array(buffer, this.at.qv, dim);
    this.qig = new Float64Array(buffer, this.at.qig, labels * 2);
    arraysOfVectors.set(this.vectors, this);
  }

  /** New, empty arrays with a scratch area for each of `threads` threads (this one uses the first). */
  static create(size: number, dim: number, labels: number, threads = 1): ItemArrays {
    return new ItemArrays(size, dim, labels, { threads });
  }

  /** Another thread's arrays (share()), read in place, with scratch area `thread` of its own. */
  static attach(shared: SharedItemArrays, thread: number): ItemArrays {
    return new ItemArrays(shared.size, shared.dim, shared.labels, { shared, thread });
  }

  /** The ItemArrays these two arrays already are, or new ones holding a copy. */
  static of(
    vectors: Float32Array,
    interests: Float32Array,
    dim: number,
    labels: number,
  ): ItemArrays {
    const own = arraysOfVectors.get(vectors);
    if (own && own.interests === interests) return own;
    const size = dim > 0 ? vectors.length / dim : interests.length / Math.max(1, labels);
    const out = ItemArrays.create(size, dim, labels);
    out.vectors.set(vectors);
    out.interests.set(interests);
    return out;
  }

  /** These arrays for a turn worker to attach(): nothing is copied. */
  share(): SharedItemArrays {
    const { memory, size, dim, labels, threads, genreHitsFilled } = this;
    return { memory, size, dim, labels, threads, genreHitsFilled };
  }

  /**
   * For rows[0 .. count): s0 + s1 and s2 + s3 at 2 i and 2 i + 1 of the result, where s0..s3 are the four
   * running sums of vector · qv (dimension d into s(d mod 4)), then s1 += qi · interests and
   * s2 += qg · genreHits, label by label. `count` is at most `linearBatch`. The view is valid until the
   * next call.
   */
  linear(count: number, qv: Float32Array, qi: Float32Array, qg: Float32Array): Float64Array {
    if (count > this.linearBatch)
      throw new Error(`linear() takes at most ${this.linearBatch} rows`);
    this.qv.set(qv);
    for (let l = 0; l < this.labels; l++) {
      this.qig[2 * l] = qi[l]!;
      this.qig[2 * l + 1] = qg[l]!;
    }
    const { at } = this;
    this.run.linear(
      count,
      at.rows,
      at.sums,
      at.vectors,
      this.dim,
      at.interests,
      at.genreMasks,
      at.zeros,
      this.labels,
      at.qv,
      at.qig,
    );
    return this.sums;
  }

  /**
   * vec.ts dot() of each of rows[0 .. count) (count at most `batch`) with each query of each group, over the
   * group's array: row i's products at i * columns, the groups' queries in order, where columns is the
   * number of queries in all. An absent query's product is 0. The view is valid until the next call.
   */
  dots(
    count: number,
    groups: ReadonlyArray<readonly [ItemArrayName, ReadonlyArray<Float32Array | undefined>]>,
  ): Float64Array {
    if (count > this.batch) throw new Error(`dots() takes at most ${this.batch} rows`);
    const columns = groups.reduce((n, [, queries]) => n + queries.length, 0);
    if (columns > MAX_COLUMNS) throw new Error(`dots() takes at most ${MAX_COLUMNS} queries`);
    const { at } = this;
    let column = 0;
    for (const [name, queries] of groups) {
      if (queries.length > MAX_QUERIES)
        throw new Error(`dots() takes at most ${MAX_QUERIES} queries per array`);
      if (name === "genreHits") {
        this.genreDots(count, queries, columns, column);
        column += queries.length;
        continue;
      }
      const width = name === "vectors" ? this.dim : this.labels;
      queries.forEach((u, j) => {
        const q = this.queries.subarray(j * width, (j + 1) * width);
        if (u) q.set(u);
        else q.fill(0);
      });
      this.run.dots(
        count,
        at.rows,
        at.products + column * 8,
        columns,
        at[name === "vectors" ? "vectors" : "interests"],
        width,
        at.queries,
        queries.length,
      );
      queries.forEach((u, j) => {
        if (!u) for (let i = 0; i < count; i++) this.products[i * columns + column + j] = 0;
      });
      column += queries.length;
    }
    return this.products;
  }

  /**
   * dots() over the genre hits: vec.ts dot() over each row's hits spelled out as floats (a masked row's zero
   * terms add nothing, so the sums are those of the float rows the masks stand for).
   */
  private genreDots(
    count: number,
    queries: ReadonlyArray<Float32Array | undefined>,
    columns: number,
    column: number,
  ): void {
    const { labels, products, rows, genreRow } = this;
    for (let i = 0; i < count; i++) {
      this.genreHitsOf(rows[i]!, genreRow);
      for (let j = 0; j < queries.length; j++) {
        const u = queries[j];
        products[i * columns + column + j] = u ? dot(u, genreRow, 0, labels) : 0;
      }
    }
  }

  private hasMask(row: number): boolean {
    for (let w = 0; w < this.maskWords; w++)
      if (this.genreMasks[row * this.maskWords + w] !== 0) return true;
    return false;
  }

  /** Sets row's genre hits: 1 at each of `labels` (label indexes), or, with none, the row's interests. */
  setGenreHits(row: number, labels: readonly number[]): void {
    const words = this.maskWords;
    this.genreMasks.fill(0, row * words, (row + 1) * words);
    for (const l of labels) this.genreMasks[row * words + (l >>> 5)]! |= 1 << (l & 31);
  }

  /** Row's genre hits, one a label, into out[at ..]. */
  genreHitsOf(row: number, out: Float32Array, at = 0): void {
    const { labels, interests } = this;
    if (!this.hasMask(row)) {
      for (let l = 0, i = row * labels; l < labels; l++) out[at + l] = interests[i + l]!;
      return;
    }
    out.fill(0, at, at + labels);
    const words = this.maskWords;
    for (let w = 0; w < words; w++)
      for (let bits = this.genreMasks[row * words + w]!; bits !== 0; bits &= bits - 1)
        out[at + ((w << 5) | (31 - Math.clz32(bits & -bits)))] = 1;
  }
}

/** The mlp kernel's units at once, in eight registers of two. */
const UNITS_AT_ONCE = 16;

/** The re-scorer's network as compileMlp lays it out: feature-major hidden weights. */
export interface MlpWeights {
  features: number;
  hidden: number;
  /** features x hidden */
  w: Float64Array;
  b: Float64Array;
  lin: Float64Array;
  bias: number;
  out: Float64Array;
}

/** The re-scorer over a batch of candidates' features, in a memory of its own that grows with the batch. */
export class MlpKernel {
  private capacity = 0;
  private buffer!: ArrayBufferLike;
  private run!: KernelExports;
  private at!: Record<"w" | "b" | "lin" | "out" | "x" | "res" | "nonzero", number>;
  /** The hidden units padded to a multiple of 16 with zero weights (a padded unit adds nothing). */
  private readonly units: number;

  constructor(private readonly weights: MlpWeights) {
    this.units = Math.ceil(weights.hidden / UNITS_AT_ONCE) * UNITS_AT_ONCE;
    this.reserve(1);
  }

  /** One candidate's score. */
  score(x: Float32Array): number {
    this.inputs(1).set(x);
    return this.scores(1)[0]!;
  }

  /** Where the features of `count` candidates go, `features` each; valid until the next inputs(). */
  inputs(count: number): Float32Array {
    this.reserve(count);
    return new Float32Array(this.buffer, this.at.x, count * this.weights.features);
  }

  /** The scores of the `count` candidates last written to inputs(); valid until the next inputs(). */
  scores(count: number): Float64Array {
    const { features, bias } = this.weights;
    const { at } = this;
    this.run.mlp(
      count,
      at.x,
      features,
      this.units,
      at.w,
      at.b,
      at.lin,
      bias,
      at.out,
      at.res,
      at.nonzero,
    );
    return new Float64Array(this.buffer, at.res, count);
  }

  private reserve(count: number): void {
    if (count <= this.capacity) return;
    const capacity = Math.max(count, this.capacity * 2, 256);
    const { features, hidden, w, b, lin, out } = this.weights;
    const { units } = this;
    const layout = new Layout();
    this.at = {
      w: layout.take(features * units, 8),
      b: layout.take(units, 8),
      lin: layout.take(features, 8),
      out: layout.take(units, 8),
      x: layout.take(capacity * features, 4),
      res: layout.take(capacity, 8),
      nonzero: layout.take(features, 16),
    };
    const memory = sharedMemory(layout.bytes, "the re-scorer");
    this.buffer = memory.buffer;
    this.run = kernelsOver(memory);
    const padded = new Float64Array(this.buffer, this.at.w, features * units);
    for (let f = 0; f < features; f++)
      padded.set(w.subarray(f * hidden, (f + 1) * hidden), f * units);
    new Float64Array(this.buffer, this.at.b, b.length).set(b);
    new Float64Array(this.buffer, this.at.lin, lin.length).set(lin);
    new Float64Array(this.buffer, this.at.out, out.length).set(out);
    this.capacity = capacity;
  }
}
