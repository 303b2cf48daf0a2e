// Item-to-item kNN from baskets (a user's liked items, the movies one dialogue mentions): shrunk cosine
//   sim(i, j) = c_ij / sqrt(n_i · n_j) · c_ij / (c_ij + shrink)
// where c_ij = baskets holding both, n_i = baskets holding i. The shrink term distrusts pairs seen only a few times.

export interface KnnOptions {
  shrink: number;
  /** Neighbours kept per item. */
  topK: number;
  /** Pairs seen in fewer baskets are dropped (noise, and a smaller artefact). */
  minCount: number;
}

export type NeighbourLists = Map<string, Array<{ id: string; score: number }>>;

/** Top-K shrunk-cosine neighbours of every item appearing in `baskets` (each basket a set of item ids). */
export function itemKnn(baskets: Iterable<Iterable<string>>, opts: KnnOptions): NeighbourLists {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const rows: number[][] = [];
  for (const basket of baskets) {
    const row = [...new Set(basket)].map((id) => {
      let i = index.get(id);
      if (i === undefined) {
        i = ids.length;
        index.set(id, i);
        ids.push(id);
      }
      return i;
    });
    if (row.length > 0) rows.push(row);
  }
  const n = new Float64Array(ids.length);
  // Per-item co-occurrence counts, keyed by the other item's index: sparse, since most pairs never co-occur.
  const co: Array<Map<number, number>> = ids.map(() => new Map());
  for (const row of rows) {
    for (const i of row) n[i]! += 1;
    for (let a = 0; a < row.length; a++) {
      const ma = co[row[a]!]!;
      for (let b = 0; b < row.length; b++) if (a !== b) ma.set(row[b]!, (ma.get(row[b]!) ?? 0) + 1);
    }
  }
  const out: NeighbourLists = new Map();
  for (let i = 0; i < ids.length; i++) {
    const list: Array<{ id: string; score: number }> = [];
    for (const [j, c] of co[i]!) {
      if (c < opts.minCount) continue;
      list.push({ id: ids[j]!, score: (c / Math.sqrt(n[i]! * n[j]!)) * (c / (c + opts.shrink)) });
    }
    if (list.length === 0) continue;
    list.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
    out.set(ids[i]!, list.slice(0, opts.topK));
  }
  return out;
}
