// The hard constraints and boosts a large catalog's candidate search keeps to (src/recommend/item-index.ts):
// years and categories, as a bit per row. A person's constraint stays for many turns, so each filter's bits
// are worked out once and kept.
import { firstAtLeast } from "../util/sorted.ts";
import type { CategoryRows } from "./category-rows.ts";

/** Rows a search may return: all tests hold. */
export interface RowFilter {
  /** The first year admitted; a row without a year fails any year test. */
  fromYear?: number;
  /** The first year no longer admitted. */
  beforeYear?: number;
  /** Each group: the row has at least one of its categories. */
  anyOf: ReadonlyArray<readonly string[]>;
  /** The row has none of these categories. */
  noneOf: readonly string[];
  /** The row is one of these (the rows a message's mood words match), when given. */
  among?: Int32Array;
}

/** What a filter admits: a bit per row, and how many rows. */
export interface Admitted {
  readonly bits: Uint32Array;
  readonly count: number;
}

/** The filter of both filters' tests (of given rows, only the first's). */
export function bothFilters(a: RowFilter, b: Omit<Partial<RowFilter>, "among">): RowFilter {
  const bound = (
    x: number | undefined,
    y: number | undefined,
    pick: (p: number, q: number) => number,
  ) => (x === undefined ? y : y === undefined ? x : pick(x, y));
  return {
    fromYear: bound(a.fromYear, b.fromYear, Math.max),
    beforeYear: bound(a.beforeYear, b.beforeYear, Math.min),
    anyOf: [...a.anyOf, ...(b.anyOf ?? [])],
    noneOf: [...a.noneOf, ...(b.noneOf ?? [])],
    ...(a.among ? { among: a.among } : {}),
  };
}

/** Whether row `row`'s bit is set. */
export function admits(bits: Uint32Array, row: number): boolean {
  return ((bits[row >>> 5]! >>> (row & 31)) & 1) === 1;
}

/** Filters kept: 125 KB each at a million rows. */
const KEPT = 64;

export class RowFilters {
  private readonly kept = new Map<string, Admitted>();
  /** Rows with a year, by year (then row), and their years: a year test reads only the rows it admits. */
  private byYear: { rows: Int32Array; years: Float32Array } | undefined;

  constructor(
    private readonly year: Float32Array,
    private readonly categories: CategoryRows,
  ) {}

  /**
   * The rows `filter` admits (the same object for the same filter while kept). A filter of given rows is
   * worked out from those rows each time: they are few, and another message's are others.
   */
  admitted(filter: RowFilter): Admitted {
    const { among } = filter;
    if (among) {
      const { bits: admittedByTests } = this.admitted({ ...filter, among: undefined });
      const bits = new Uint32Array(admittedByTests.length);
      let count = 0;
      for (const row of among)
        if (admits(admittedByTests, row) && !admits(bits, row)) {
          bits[row >>> 5]! |= 1 << (row & 31);
          count++;
        }
      return { bits, count };
    }
    const key = JSON.stringify([
      filter.fromYear ?? null,
      filter.beforeYear ?? null,
      filter.anyOf.map((group) => [...new Set(group)].sort()),
      [...new Set(filter.noneOf)].sort(),
    ]);
    let found = this.kept.get(key);
    if (found) {
      // Used again: the last to be dropped.
      this.kept.delete(key);
    } else {
      found = this.compute(filter);
      if (this.kept.size >= KEPT) this.kept.delete(this.kept.keys().next().value!);
    }
    this.kept.set(key, found);
    return found;
  }

  private compute(filter: RowFilter): Admitted {
    const size = this.year.length;
    const words = (size + 31) >>> 5;
    const bits = new Uint32Array(words);
    const { fromYear, beforeYear } = filter;
    if (fromYear === undefined && beforeYear === undefined) {
      bits.fill(0xffffffff);
    } else {
      const { rows, years } = this.rowsByYear();
      const to = firstAtLeast(years, beforeYear ?? Infinity);
      for (let i = firstAtLeast(years, fromYear ?? -Infinity); i < to; i++) {
        const row = rows[i]!;
        bits[row >>> 5]! |= 1 << (row & 31);
      }
    }
    if (size & 31) bits[words - 1]! &= (1 << (size & 31)) - 1;
    for (const group of filter.anyOf) {
      const any = new Uint32Array(words);
      for (const c of new Set(group))
        for (const row of this.categories.rows(c)) any[row >>> 5]! |= 1 << (row & 31);
      for (let w = 0; w < words; w++) bits[w]! &= any[w]!;
    }
    for (const c of new Set(filter.noneOf))
      for (const row of this.categories.rows(c)) bits[row >>> 5]! &= ~(1 << (row & 31));
    let count = 0;
    for (let w = 0; w < words; w++) {
      // Population count of a 32-bit word.
      let v = bits[w]!;
      v -= (v >>> 1) & 0x55555555;
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      count += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return { bits, count };
  }

  private rowsByYear(): { rows: Int32Array; years: Float32Array } {
    this.byYear ??= sortedByYear(this.year);
    return this.byYear;
  }
}

/** Rows with a year, by year then row: a counting sort when the years are whole (a million rows in ms). */
function sortedByYear(year: Float32Array): { rows: Int32Array; years: Float32Array } {
  let first = Infinity;
  let last = -Infinity;
  let whole = true;
  for (const y of year) {
    if (Number.isNaN(y)) continue;
    first = Math.min(first, y);
    last = Math.max(last, y);
    whole &&= Number.isInteger(y);
  }
  let rows: Int32Array;
  if (first > last) {
    rows = new Int32Array(0);
  } else if (whole && last - first < 100_000) {
    const start = new Int32Array(last - first + 2);
    for (const y of year) if (!Number.isNaN(y)) start[y - first + 1]!++;
    for (let i = 1; i < start.length; i++) start[i]! += start[i - 1]!;
    rows = new Int32Array(start[start.length - 1]!);
    year.forEach((y, row) => {
      if (!Number.isNaN(y)) rows[start[y - first]!++] = row;
    });
  } else {
    rows = Int32Array.from({ length: year.length }, (_, row) => row)
      .filter((row) => !Number.isNaN(year[row]))
      .sort((a, b) => year[a]! - year[b]! || a - b);
  }
  return { rows, years: Float32Array.from(rows, (row) => year[row]!) };
}
