// Title keys ("godfather part 2") and the rows of each, packed. A million titles' keys in a Map are a million
// strings and entries for the collector to walk at every major collection; here they are a sorted word list
// and typed arrays, searched by halving.
import { ownCopy } from "./snapshot.ts";
import { SortedWords, type SortedWordsSnapshot } from "./sorted-words.ts";

/** What a restart reads back (src/catalog/snapshot.ts). */
export interface TitleKeysSnapshot {
  keys: SortedWordsSnapshot;
  rowStart: Int32Array;
  rows: Int32Array;
  ownKeys: Int32Array;
}

export class TitleKeys {
  private constructor(
    /** Every key: the items' own and their other forms (prefixed "~"). Key k is keys.word(k). */
    private readonly keys: SortedWords,
    /** The rows of key k, most likely first: rows[rowStart[k] .. rowStart[k + 1]). */
    private readonly rowStart: Int32Array,
    private readonly rows: Int32Array,
    /** Each row's own key, -1 for a title without one. */
    private readonly ownKeys: Int32Array,
  ) {}

  /** `rowsByKey`: each key's rows, most likely first. `ownKeys`: each row's own key, "" for none. */
  static of(
    rowsByKey: ReadonlyMap<string, readonly number[]>,
    ownKeys: readonly string[],
  ): TitleKeys {
    const sorted = [...rowsByKey.keys()].sort();
    const rowStart = new Int32Array(sorted.length + 1);
    sorted.forEach((key, k) => (rowStart[k + 1] = rowStart[k]! + rowsByKey.get(key)!.length));
    const rows = new Int32Array(rowStart[sorted.length]!);
    sorted.forEach((key, k) => rows.set(rowsByKey.get(key)!, rowStart[k]));
    const idOf = new Map(sorted.map((key, k) => [key, k]));
    const own = Int32Array.from(ownKeys, (key) => idOf.get(key) ?? -1);
    return new TitleKeys(SortedWords.ofSorted(sorted), rowStart, rows, own);
  }

  static restore(saved: TitleKeysSnapshot): TitleKeys {
    return new TitleKeys(
      SortedWords.restore(saved.keys),
      ownCopy(saved.rowStart),
      ownCopy(saved.rows),
      ownCopy(saved.ownKeys),
    );
  }

  snapshot(): TitleKeysSnapshot {
    const { keys, rowStart, rows, ownKeys } = this;
    return { keys: keys.snapshot(), rowStart, rows, ownKeys };
  }

  /** The id of `key`, or -1. */
  id(key: string): number {
    return this.keys.indexOf(key);
  }

  key(id: number): string {
    return this.keys.word(id);
  }

  /** The rows of key `id`, most likely first. */
  rowsOf(id: number): Int32Array {
    return this.rows.subarray(this.rowStart[id], this.rowStart[id + 1]);
  }

  /** The id of the row's own title key, -1 when its title has none. */
  ownKey(row: number): number {
    return this.ownKeys[row]!;
  }

  /** The rows whose own key starts with `prefix`, in key order. */
  rowsWithPrefix(prefix: string): number[] {
    const out: number[] = [];
    // A key's rows are those whose own key it is, but for the other forms ("~"), which sort after the letters
    // and digits a prefix starts with.
    const to = this.keys.firstAtLeast(`${prefix}\uffff`);
    for (let k = this.keys.firstAtLeast(prefix); k < to; k++)
      for (const row of this.rowsOf(k)) out.push(row);
    return out;
  }
}
