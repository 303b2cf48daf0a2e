// The vector index's copy of each row's features, one signed byte per feature (a scale per feature), in
// partition order: a search reads its partitions' rows one after another, where the ranker's own arrays
// would be read a row here and a row there, and at a quarter of their size. The search ranks by these; the
// ranker scores the rows it returns with the exact features. A shared kernel memory holds the bytes once
// for every thread.
import { closeSync, readSync, writeFileSync } from "node:fs";
import { openWithHeader, writeWhole } from "../util/headed-file.ts";
import { kernelsOver, Layout, sharedMemory, type KernelExports } from "../util/kernels.ts";
import type { FeatureSource } from "./partitions.ts";

/** Positions scored at once. */
export const CODE_BATCH = 4096;
/** Rows turned into bytes this many at a time at the build. */
const BUILD_CHUNK = 65_536;
/** A saved file's first line (its key and shape), padded to this many bytes; the scales and codes follow. */
const FILE_HEADER = 256;
const FILE_FORMAT = "chatrec feature codes 1";

/** What a turn worker receives to read the codes in place. */
export interface SharedFeatureCodes {
  memory: WebAssembly.Memory;
  rows: number;
  width: number;
  threads: number;
  scales: Float32Array;
}

function codeLayout(rows: number, width: number, threads: number) {
  const stride = Math.ceil(width / 16) * 16;
  const layout = new Layout();
  const codes = layout.take(rows * stride, 1);
  const scratch = Array.from({ length: threads }, () => ({
    positions: layout.take(CODE_BATCH, 4),
    out: layout.take(CODE_BATCH, 4),
    query: layout.take(stride, 2),
  }));
  return { stride, codes, scratch, bytes: layout.bytes };
}

/** A saved file's first FILE_HEADER bytes: the format, the key and the shape, padded with spaces. */
function fileHeader(key: string, rows: number, width: number, stride: number): string {
  return `${FILE_FORMAT} ${key} ${rows} ${width} ${stride}`.padEnd(FILE_HEADER);
}

export class FeatureCodes {
  /** Where a caller writes the positions score() reads (CODE_BATCH of them). */
  readonly positions: Int32Array;
  private readonly out: Int32Array;
  private readonly query: Int16Array;
  private readonly stride: number;
  private readonly at: { codes: number; positions: number; out: number; query: number };
  private readonly run: KernelExports;
  /** The largest query value: a sum of stride products of bytes and query values stays within 32 bits. */
  private readonly queryMax: number;

  private constructor(
    private readonly shared: SharedFeatureCodes,
    thread: number,
  ) {
    const { memory, rows, width, threads } = shared;
    const { stride, codes, scratch, bytes } = codeLayout(rows, width, threads);
    if (memory.buffer.byteLength < bytes) throw new Error("the shared feature codes are too small");
    this.stride = stride;
    this.at = { codes, ...scratch[thread]! };
    this.positions = new Int32Array(memory.buffer, this.at.positions, CODE_BATCH);
    this.out = new Int32Array(memory.buffer, this.at.out, CODE_BATCH);
    this.query = new Int16Array(memory.buffer, this.at.query, stride);
    this.run = kernelsOver(memory);
    this.queryMax = Math.min(32_767, Math.floor(2 ** 31 / (128 * stride)));
  }

  /** The codes of every row of `source`, row members[k] at position k, with a scratch area for each thread. */
  static build(source: FeatureSource, members: Int32Array, threads: number): FeatureCodes {
    const width = source.featureWidth;
    const rows = source.catalog.size;
    const { stride, codes: at, bytes } = codeLayout(rows, width, threads);
    const memory = sharedMemory(bytes, `the vector index of ${rows} items`);
    const largest = new Float32Array(width);
    // One chunk's room, used again: a new one each time was a GB of garbage at a million rows.
    const chunk = new Float32Array(Math.min(rows, BUILD_CHUNK) * width);
    const forEachChunk = (visit: (features: Float32Array, from: number) => void) => {
      for (let from = 0; from < rows; from += BUILD_CHUNK)
        visit(source.linearFeatures(from, Math.min(rows, from + BUILD_CHUNK), chunk), from);
    };
    forEachChunk((features) => {
      for (let o = 0; o < features.length; o += width)
        for (let d = 0; d < width; d++) {
          const v = Math.abs(features[o + d]!);
          if (v > largest[d]!) largest[d] = v;
        }
    });
    const scales = Float32Array.from(largest, (m) => (m > 0 ? m / 127 : 1));
    const inverse = Float32Array.from(scales, (scale) => 1 / scale);
    const positionOf = new Int32Array(rows);
    members.forEach((row, k) => (positionOf[row] = k));
    const codes = new Int8Array(memory.buffer, at, rows * stride);
    forEachChunk((features, from) => {
      for (let i = 0; i < features.length / width; i++) {
        const o = positionOf[from + i]! * stride;
        for (let d = 0; d < width; d++)
          codes[o + d] = Math.round(features[i * width + d]! * inverse[d]!);
      }
    });
    return new FeatureCodes({ memory, rows, width, threads, scales }, 0);
  }

  /**
   * Codes saved by save() under `key` for `rows` rows of `width` features, or undefined when the file is
   * missing or of another key or shape: reading them is a fraction of a second where building them reads
   * every row's features twice (seconds at a million rows).
   */
  static read(
    path: string,
    key: string,
    rows: number,
    width: number,
    threads: number,
  ): FeatureCodes | undefined {
    const { stride, codes: at, bytes } = codeLayout(rows, width, threads);
    const fd = openWithHeader(path, fileHeader(key, rows, width, stride));
    if (fd === undefined) return undefined;
    try {
      const scales = new Float32Array(width);
      const memory = sharedMemory(bytes, `the vector index of ${rows} items`);
      const parts = [
        new Uint8Array(scales.buffer),
        new Uint8Array(memory.buffer, at, rows * stride),
      ];
      let position = FILE_HEADER;
      for (const part of parts) {
        for (let done = 0; done < part.length;) {
          const read = readSync(fd, part, done, part.length - done, position + done);
          if (read === 0) return undefined; // cut short
          done += read;
        }
        position += part.length;
      }
      return new FeatureCodes({ memory, rows, width, threads, scales }, 0);
    } finally {
      closeSync(fd);
    }
  }

  /** Saves the codes under `key`, whole or not at all (a reader never sees half a file). */
  save(path: string, key: string): void {
    const { memory, rows, width, scales } = this.shared;
    writeWhole(path, (fd) => {
      for (const part of [
        Buffer.from(fileHeader(key, rows, width, this.stride), "latin1"),
        new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength),
        new Uint8Array(memory.buffer, this.at.codes, rows * this.stride),
      ])
        writeFileSync(fd, part);
    });
  }

  /** Another thread's codes, read in place, with scratch area `thread` of its own. */
  static attach(shared: SharedFeatureCodes, thread: number): FeatureCodes {
    if (!Number.isInteger(thread) || thread < 0 || thread >= shared.threads)
      throw new Error(`no scratch area ${thread} among ${shared.threads}`);
    return new FeatureCodes(shared, thread);
  }

  share(): SharedFeatureCodes {
    return this.shared;
  }

  /** Sets the query the next score() calls rank by (any positive multiple of it ranks the same). */
  setQuery(query: Float32Array): void {
    const { scales, width } = this.shared;
    let largest = 0;
    for (let d = 0; d < width; d++) largest = Math.max(largest, Math.abs(query[d]! * scales[d]!));
    const k = largest > 0 ? this.queryMax / largest : 0;
    this.query.fill(0);
    for (let d = 0; d < width; d++) this.query[d] = Math.round(query[d]! * scales[d]! * k);
  }

  /** The query's products with the rows at positions[0 .. count); the view is valid until the next call. */
  score(count: number): Int32Array {
    const { at } = this;
    this.run.bytedots(count, at.positions, at.codes, this.stride, at.query, at.out);
    return this.out;
  }
}
