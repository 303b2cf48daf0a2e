// Picking the list from scored rows: the best k by selection, and maximal marginal relevance for diversity.
import type { Catalog } from "../catalog/catalog.ts";
import { dot } from "../util/vec.ts";

/** The selection's scratch, grown as needed: a fresh list of every row's score each turn would be garbage. */
let selection = new Float32Array(0);

/** The `k` best rows by score, best first: a threshold by selection, then a sort of the few above it. */
export function topRows(rows: Int32Array, scores: Float32Array, k: number): number[] {
  const n = rows.length;
  if (n > k) {
    if (selection.length < n) selection = new Float32Array(n);
    const values = selection;
    for (let i = 0; i < n; i++) values[i] = scores[rows[i]!]!;
    const threshold = kthLargest(values, n, k);
    const above: number[] = [];
    const ties: number[] = [];
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const score = scores[row]!;
      if (score > threshold) above.push(row);
      else if (score === threshold) ties.push(row);
    }
    for (let i = 0; i < ties.length && above.length < k; i++) above.push(ties[i]!);
    return above.sort((a, b) => scores[b]! - scores[a]!);
  }
  return Array.from(rows).sort((a, b) => scores[b]! - scores[a]!);
}

/** The k-th largest (1-based) of the first n values of `a`, which are reordered (Hoare's selection). */
function kthLargest(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/**
 * Maximal marginal relevance over `pool` (best first): value = λ·score' − (1 − λ)·max similarity to the items
 * already picked, with score' the score rescaled to [0, 1] over the pool so λ means the same for any weights.
 */
export function mmrRows(
  catalog: Catalog,
  pool: number[],
  scores: Float32Array,
  k: number,
  lambda: number,
): number[] {
  if (lambda >= 1 || pool.length <= 1) return pool.slice(0, k);
  const top = scores[pool[0]!]!;
  const bottom = scores[pool[pool.length - 1]!]!;
  const span = top - bottom > 1e-9 ? top - bottom : 1;
  const maxSim = new Float32Array(pool.length);
  const taken = new Uint8Array(pool.length);
  const picked: number[] = [];
  while (picked.length < k && picked.length < pool.length) {
    let best = -1;
    let bestValue = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      if (taken[i]) continue;
      const value = (lambda * (scores[pool[i]!]! - bottom)) / span - (1 - lambda) * maxSim[i]!;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    taken[best] = 1;
    const row = pool[best]!;
    picked.push(row);
    const v = catalog.vector(row);
    for (let i = 0; i < pool.length; i++)
      if (!taken[i])
        maxSim[i] = Math.max(
          maxSim[i]!,
          dot(v, catalog.vectors, pool[i]! * catalog.dim, catalog.dim),
        );
  }
  return picked;
}
