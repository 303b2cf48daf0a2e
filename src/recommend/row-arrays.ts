// Arrays with one entry per catalog row that a request needs for its own use (scores, blocks, offsets, sums),
// taken from a pool and given back when the request ends. At a million items a request uses a dozen of
// them, tens of MB: allocated afresh each time, that memory made the collector run full collections of the
// whole heap every few messages.

/**
 * Free arrays of each kind kept at most: a request takes about seven float arrays, so two or three at once
 * reuse them all (at a million rows, at most 16 × 4 MB of float32 and 16 × 8 MB of float64 stay).
 */
const MAX_FREE = 16;

type Kind = "float32" | "float64" | "bytes";
type ArrayOf<K extends Kind> = K extends "float32"
  ? Float32Array
  : K extends "float64"
    ? Float64Array
    : Uint8Array;

export class RowArrayPool {
  private readonly free: { [K in Kind]: Array<ArrayOf<K>> } = {
    float32: [],
    float64: [],
    bytes: [],
  };

  constructor(private readonly rows: number) {}

  /** The arrays of one request: every one it hands out goes back with `release()`. */
  lease(): RowArrays {
    return new RowArrays(this);
  }

  /** A zeroed array of `kind`. */
  take<K extends Kind>(kind: K): ArrayOf<K> {
    const reused = (this.free[kind] as Array<ArrayOf<K>>).pop();
    if (reused) return (reused.fill(0), reused);
    const n = this.rows;
    return (
      kind === "float32"
        ? new Float32Array(n)
        : kind === "float64"
          ? new Float64Array(n)
          : new Uint8Array(n)
    ) as ArrayOf<K>;
  }

  give<K extends Kind>(kind: K, array: ArrayOf<K>): void {
    const free = this.free[kind] as Array<ArrayOf<K>>;
    if (free.length < MAX_FREE) free.push(array);
  }
}

export class RowArrays {
  private readonly taken: Array<[Kind, Float32Array | Float64Array | Uint8Array]> = [];

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
    for (const [kind, array] of this.taken.splice(0)) this.pool.give(kind, array as never);
  }

  private take<K extends Kind>(kind: K): ArrayOf<K> {
    const array = this.pool.take(kind);
    this.taken.push([kind, array]);
    return array;
  }
}
