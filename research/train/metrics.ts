// Metrics shared by training (numbers for interest.json) and research/eval/interests.ts.

/** Multi-label example: predicted distribution and gold label indices. */
export interface ScoredExample {
  probs: Float32Array;
  gold: number[];
}

export interface LabelMetrics {
  micro_f1: number;
  macro_f1: number;
  top1: number;
  top3: number;
  n: number;
  threshold: number;
}

function topK(p: Float32Array, k: number): number[] {
  return Array.from(p.keys())
    .sort((a, b) => p[b]! - p[a]! || a - b)
    .slice(0, k);
}

/**
 * Decision rule for F1: predict every label whose probability is >= threshold, and always the top-1 label.
 * top-k: a hit when the k most probable labels contain any gold label.
 */
export function labelMetrics(
  examples: readonly ScoredExample[],
  numLabels: number,
  threshold: number,
): LabelMetrics {
  const tp = new Float64Array(numLabels),
    fp = new Float64Array(numLabels),
    fn = new Float64Array(numLabels);
  let top1 = 0,
    top3 = 0;
  for (const ex of examples) {
    const gold = new Set(ex.gold);
    const order = topK(ex.probs, 3);
    if (gold.has(order[0]!)) top1++;
    if (order.some((l) => gold.has(l))) top3++;
    const pred = new Set<number>([order[0]!]);
    ex.probs.forEach((p, l) => {
      if (p >= threshold) pred.add(l);
    });
    for (let l = 0; l < numLabels; l++) {
      const g = gold.has(l),
        p = pred.has(l);
      if (g && p) tp[l]!++;
      else if (p) fp[l]!++;
      else if (g) fn[l]!++;
    }
  }
  let TP = 0,
    FP = 0,
    FN = 0,
    macro = 0,
    macroN = 0;
  for (let l = 0; l < numLabels; l++) {
    TP += tp[l]!;
    FP += fp[l]!;
    FN += fn[l]!;
    if (tp[l]! + fn[l]! > 0) {
      macro += (2 * tp[l]!) / Math.max(2 * tp[l]! + fp[l]! + fn[l]!, 1);
      macroN++;
    }
  }
  const n = Math.max(examples.length, 1);
  return {
    micro_f1: (2 * TP) / Math.max(2 * TP + FP + FN, 1),
    macro_f1: macroN ? macro / macroN : 0,
    top1: top1 / n,
    top3: top3 / n,
    n: examples.length,
    threshold,
  };
}

/** The threshold (0.05 steps) maximising micro-F1 on the given (training) examples. */
export function tuneThreshold(examples: readonly ScoredExample[], numLabels: number): number {
  let best = 0.5,
    bestF = -1;
  for (let t = 0.05; t < 0.96; t += 0.05) {
    const th = Math.round(t * 100) / 100;
    const f = labelMetrics(examples, numLabels, th).micro_f1;
    if (f > bestF) {
      bestF = f;
      best = th;
    }
  }
  return best;
}

/**
 * Item-to-item genre precision@k: for each item with categories, the fraction of its k nearest neighbours
 * (cosine of unit embeddings, itself excluded) that share at least one category; averaged over those items.
 */
export function genrePrecisionAtK(
  emb: Float32Array,
  dim: number,
  categories: ReadonlyArray<readonly string[]>,
  k = 10,
): number {
  const n = categories.length;
  const idx = categories.map((c, i) => (c.length ? i : -1)).filter((i) => i >= 0);
  const sets = categories.map((c) => new Set(c));
  let total = 0;
  const sims = new Float32Array(idx.length);
  for (const i of idx) {
    const oi = i * dim;
    for (let jj = 0; jj < idx.length; jj++) {
      const j = idx[jj]!;
      if (j === i) {
        sims[jj] = -Infinity;
        continue;
      }
      let s = 0;
      const oj = j * dim;
      for (let m = 0; m < dim; m++) s += emb[oi + m]! * emb[oj + m]!;
      sims[jj] = s;
    }
    // partial selection of the k best
    const best: number[] = [];
    for (let jj = 0; jj < idx.length; jj++) {
      const s = sims[jj]!;
      if (best.length < k) {
        best.push(jj);
        best.sort((a, b) => sims[b]! - sims[a]!);
      } else if (s > sims[best[k - 1]!]!) {
        best[k - 1] = jj;
        best.sort((a, b) => sims[b]! - sims[a]!);
      }
    }
    let hit = 0;
    for (const jj of best) if (categories[idx[jj]!]!.some((c) => sets[i]!.has(c))) hit++;
    total += hit / k;
  }
  void n;
  return idx.length ? total / idx.length : 0;
}

/** Recall@k of retrieval: for each query (unit row of `q`), is its target item among the k most similar items? */
export function recallAtK(
  q: Float32Array,
  items: Float32Array,
  dim: number,
  targets: readonly number[],
  k: number,
): number {
  const nItems = items.length / dim;
  let hits = 0;
  targets.forEach((target, i) => {
    const o = i * dim;
    let ts = 0;
    for (let m = 0; m < dim; m++) ts += q[o + m]! * items[target * dim + m]!;
    let better = 0;
    for (let j = 0; j < nItems && better < k; j++) {
      if (j === target) continue;
      let s = 0;
      for (let m = 0; m < dim; m++) s += q[o + m]! * items[j * dim + m]!;
      if (s > ts) better++;
    }
    if (better < k) hits++;
  });
  return targets.length ? hits / targets.length : 0;
}
