// Ascending lists of numbers (catalog rows): searches and unions.

/** The first index from `from` whose value is at least `value` (values ascending), galloping from `from`. */
export function firstAtLeast(values: ArrayLike<number>, value: number, from = 0): number {
  let step = 1;
  let hi = from;
  while (hi < values.length && values[hi]! < value) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = Math.min(hi, values.length);
  while (from < hi) {
    const mid = (from + hi) >> 1;
    if (values[mid]! < value) from = mid + 1;
    else hi = mid;
  }
  return from;
}

/** Where `value` is in the ascending `values`, or -1. */
export function indexOfSorted(values: ArrayLike<number>, value: number): number {
  const i = firstAtLeast(values, value);
  return values[i] === value ? i : -1;
}

/** The values of any of `lists` (in any order), ascending, once each. */
export function sortedUnion(lists: readonly Int32Array[]): Int32Array {
  const all = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
  let n = 0;
  for (const list of lists) {
    all.set(list, n);
    n += list.length;
  }
  all.sort();
  let kept = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[kept++] = all[i]!;
  return all.slice(0, kept);
}
