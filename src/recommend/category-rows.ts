// The rows of each category, for the constraints and boosts a request names: every row of a category, or
// only those among a large catalog's candidates. The commonest categories also get a bit per row, so that a
// candidate's membership in one ("drama": a third of a million rows at a million items) is a single test
// rather than a search through its rows.
import { groupRows } from "../util/multimap.ts";
import { firstAtLeast } from "../util/sorted.ts";

/** Categories with a bit per row: two 32-bit words a row. */
const BIT_CATEGORIES = 64;

export class CategoryRows {
  private readonly rowsOf: Map<string, number[]>;
  private readonly bitOf = new Map<string, number>();
  /** Row r's bits in bits[2r] (categories 0-31) and bits[2r + 1] (32-63). */
  private readonly bits: Uint32Array;

  /** `categoriesOfRow[r]`: the category keys of row r. */
  constructor(categoriesOfRow: ReadonlyArray<readonly string[]>) {
    this.rowsOf = groupRows(categoriesOfRow);
    this.bits = new Uint32Array(2 * categoriesOfRow.length);
    const commonest = [...this.rowsOf].sort((a, b) => b[1].length - a[1].length);
    for (const [category, rows] of commonest.slice(0, BIT_CATEGORIES)) {
      const bit = this.bitOf.size;
      this.bitOf.set(category, bit);
      const word = bit >> 5;
      const mask = 1 << (bit & 31);
      for (const row of rows) this.bits[2 * row + word]! |= mask;
    }
  }

  /** The rows of `category`, ascending (none for a category no item has). */
  rows(category: string): readonly number[] {
    return this.rowsOf.get(category) ?? [];
  }

  /**
   * Calls `visit` once for each row in any of `categories` (a row of two of them counts once), in row order
   * when `scope` is given: then of scope's rows only (ascending).
   */
  forEachRowOf(
    categories: readonly string[],
    visit: (row: number) => void,
    scope?: Int32Array,
  ): void {
    const distinct = [...new Set(categories)];
    if (scope) {
      const hit = new Uint8Array(scope.length);
      let low = 0;
      let high = 0;
      for (const c of distinct) {
        const bit = this.bitOf.get(c);
        if (bit === undefined) markShared(scope, this.rowsOf.get(c) ?? [], hit);
        else if (bit < 32) low |= 1 << bit;
        else high |= 1 << (bit - 32);
      }
      if (low !== 0 || high !== 0) {
        const { bits } = this;
        for (let i = 0; i < scope.length; i++) {
          const row = scope[i]!;
          if ((bits[2 * row]! & low) !== 0 || (bits[2 * row + 1]! & high) !== 0) hit[i] = 1;
        }
      }
      for (let i = 0; i < scope.length; i++) if (hit[i]) visit(scope[i]!);
      return;
    }
    if (distinct.length <= 1) {
      for (const row of this.rowsOf.get(distinct[0] ?? "") ?? []) visit(row);
      return;
    }
    const seen = new Uint8Array(this.bits.length / 2);
    for (const c of distinct)
      for (const row of this.rowsOf.get(c) ?? [])
        if (!seen[row]) {
          seen[row] = 1;
          visit(row);
        }
  }
}

/** Sets hit[i] where scope[i] is in rows (both ascending). */
function markShared(scope: Int32Array, rows: readonly number[], hit: Uint8Array): void {
  let k = 0;
  for (let i = 0; i < scope.length && k < rows.length; i++) {
    k = firstAtLeast(rows, scope[i]!, k);
    if (rows[k] === scope[i]) hit[i] = 1;
  }
}
