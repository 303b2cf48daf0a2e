// Arrays with one entry per catalog row that a request needs for its own use (scores, blocks, offsets, sums),
// taken from a pool and given back when the request ends. At a million items a request uses a dozen of
// them, tens of MB: allocated afresh each time, that memory made the collector run full collections of the
// whole heap every few messages. Zeroing them when taken cost a million-item message about 3 ms, so arrays
// given back are zeroed when the thread is idle (while a turn waits for the vector index or the store).

/**
 * Arrays of each kind kept at most: a request takes about seven float arrays, so two or three at once
 * reuse them all (at a million rows, at most 16 × 4 MB of float32 and 16 × 8 MB of float64 stay).
 */
const MAX_KEPT = 16;

type Kind = "float32" | "float64" | "bytes";
type ArrayOf<K extends Kind> = K extends "float32"
  ? Float32Array
  : K extends "float64"
    ? Float64Array
    : Uint8Array;
type AnyArray = Float32Array | Float64Array | Uint8Array;

export class RowArrayPool {
  /** Zeroed arrays of each kind, ready to hand out. */
  private readonly clean: { [K in Kind]: AnyArray[] } = { float32: [], float64: [], bytes: [] };
  /** Arrays given back and not zeroed yet. */
  private readonly dirty: { [K in Kind]: AnyArray[] } = { float32: [], float64: [], bytes: [] };
  private zeroing: NodeJS.Immediate | undefined;

  constructor(private readonly rows: number) {}

  /** The arrays of one request: every one it hands out goes back with `release()`. */
  lease(): RowArrays {
    return new RowArrays(this);
  }

  /** A zeroed array of `kind`. */
  take<K extends Kind>(kind: K): ArrayOf<K> {
    const clean = this.clean[kind].pop();
    if (clean) return clean as ArrayOf<K>;
    const dirty = this.dirty[kind].pop();
    if (dirty) return dirty.fill(0) as ArrayOf<K>;
    const n = this.rows;
    return (
      kind === "float32"
        ? new Float32Array(n)
        : kind === "float64"
          ? new Float64Array(n)
          : new Uint8Array(n)
    ) as ArrayOf<K>;
  }

  give(kind: Kind, array: AnyArray): void {
    if (this.clean[kind].length + this.dirty[kind].length >= MAX_KEPT) return;
    this.dirty[kind].push(array);
    this.zeroing ??= setImmediate(() => this.zeroOne());
  }

  /** Zeroes one array given back, then yields to whatever is waiting before the next one. */
  private zeroOne(): void {
    this.zeroing = undefined;
    for (const kind of ["float32", "float64", "bytes"] as const) {
      const array = this.dirty[kind].pop();
      if (!array) continue;
      this.clean[kind].push(array.fill(0));
      this.zeroing = setImmediate(() => this.zeroOne());
      return;
    }
  }
}

export class RowArrays {
  private readonly taken: Array<[Kind, AnyArray]> = [];

  constructor(private readonly pool: RowArrayPool) {}

  float32(): Float32Array {
    return this.take("float32");
  }

  float64(): Float64Array {
    return this.take("float64");
  }

  bytes(): Uint8Array {
    return this.take("bytes");
  }

  /** Gives every array back; none may be read after. */
  release(): void {
    for (const [kind, array] of this.taken.splice(0)) this.pool.give(kind, array);
  }

  private take<K extends Kind>(kind: K): ArrayOf<K> {
    const array = this.pool.take(kind);
    this.taken.push([kind, array]);
    return array;
  }
}
