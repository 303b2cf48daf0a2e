// Training loop: classification (soft-label cross-entropy) and contrastive (in-batch softmax, symmetric)
// tasks over the same pooled text vector; Adam (lazy on the word-vector rows a batch touches).
import type { InterestWeights } from "./model.ts";
import { pool, logitsOf, softmaxInPlace, projectOf, NORM_EPS } from "./model.ts";
import { Rng } from "./rng.ts";

export interface ClsExample {
  ids: Int32Array;
  target: Float32Array; // distribution over labels
}
export interface PairExample {
  a: Int32Array;
  b: Int32Array;
  /** Pairs with the same key in one batch are not treated as negatives of each other. */
  key: string;
}
export interface ClsTask {
  kind: "cls";
  name: string;
  weight: number;
  examples: ClsExample[];
}
export interface PairTask {
  kind: "pair";
  name: string;
  weight: number;
  make: (rng: Rng, epoch: number) => PairExample[];
}
export type Task = ClsTask | PairTask;

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  lr: number; // W, b, P
  lrE: number; // word vectors
  tokenDropout: number;
  temperature: number;
  seed: number;
  log?: (s: string) => void;
}

class Adam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  constructor(
    readonly p: Float32Array,
    readonly g: Float32Array,
    readonly lr: number,
  ) {
    this.m = new Float32Array(p.length);
    this.v = new Float32Array(p.length);
  }
  stepRange(t: number, from: number, to: number): void {
    const b1 = 0.9,
      b2 = 0.999,
      eps = 1e-8;
    const c1 = 1 - Math.pow(b1, t),
      c2 = 1 - Math.pow(b2, t);
    const { p, g, m, v } = this;
    for (let i = from; i < to; i++) {
      const gi = g[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gi;
      v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
      p[i] = p[i]! - (this.lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + eps);
      g[i] = 0;
    }
  }
}

function dropTokens(ids: Int32Array, rate: number, rng: Rng): Int32Array {
  if (rate <= 0 || ids.length <= 1) return ids;
  const out: number[] = [];
  for (let i = 0; i < ids.length; i++) if (rng.next() >= rate) out.push(ids[i]!);
  if (out.length === 0) out.push(ids[rng.int(ids.length)]!);
  return Int32Array.from(out);
}

export interface TrainLog {
  epoch: number;
  losses: Record<string, number>;
}

export function trainWeights(w: InterestWeights, tasks: Task[], cfg: TrainConfig): TrainLog[] {
  const rng = new Rng(cfg.seed * 7919 + 17);
  const d = w.wordDim,
    D = w.embDim,
    L = w.labels.length;
  const gE = new Float32Array(w.E.length);
  const gW = new Float32Array(w.W.length);
  const gb = new Float32Array(w.b.length);
  const gP = new Float32Array(w.P.length);
  const optE = new Adam(w.E, gE, cfg.lrE);
  const optW = new Adam(w.W, gW, cfg.lr);
  const optB = new Adam(w.b, gb, cfg.lr);
  const optP = new Adam(w.P, gP, cfg.lr);
  const touched = new Uint8Array(w.E.length / d);
  const touchedList: number[] = [];
  let t = 0;

  const x = new Float32Array(d);
  const logits = new Float32Array(L);
  const dx = new Float32Array(d);

  // scatter dx (gradient w.r.t. the pooled vector) back to the word vectors
  const scatter = (ids: Int32Array, wsum: number, grad: Float32Array) => {
    if (wsum <= 0) return;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const a = w.tokenWeight[id]! / wsum;
      if (a === 0) continue;
      const o = id * d;
      for (let k = 0; k < d; k++) gE[o + k] = gE[o + k]! + a * grad[k]!;
      if (!touched[id]) {
        touched[id] = 1;
        touchedList.push(id);
      }
    }
  };

  const clsBatch = (batch: ClsExample[], weight: number): number => {
    let loss = 0;
    const scale = weight / batch.length;
    for (const ex of batch) {
      const ids = dropTokens(ex.ids, cfg.tokenDropout, rng);
      const s = pool(w, ids, x);
      logitsOf(w, x, logits);
      softmaxInPlace(logits);
      for (let l = 0; l < L; l++) {
        const tl = ex.target[l]!;
        if (tl > 0) loss -= tl * Math.log(Math.max(logits[l]!, 1e-12));
        logits[l] = (logits[l]! - tl) * scale; // now dlogits
      }
      for (let l = 0; l < L; l++) gb[l] = gb[l]! + logits[l]!;
      for (let k = 0; k < d; k++) {
        const xk = x[k]!;
        const o = k * L;
        let acc = 0;
        for (let l = 0; l < L; l++) {
          gW[o + l] = gW[o + l]! + xk * logits[l]!;
          acc += w.W[o + l]! * logits[l]!;
        }
        dx[k] = acc;
      }
      scatter(ids, s, dx);
    }
    return loss / batch.length;
  };

  const pairBatch = (batch: PairExample[], weight: number): number => {
    const B = batch.length;
    const xa = new Float32Array(B * d),
      xb = new Float32Array(B * d);
    const ua = new Float32Array(B * D),
      ub = new Float32Array(B * D);
    const na = new Float32Array(B),
      nb = new Float32Array(B);
    const sa = new Float32Array(B),
      sb = new Float32Array(B);
    const idsA: Int32Array[] = [],
      idsB: Int32Array[] = [];
    const u = new Float32Array(D);
    for (let i = 0; i < B; i++) {
      const p = batch[i]!;
      const a = dropTokens(p.a, cfg.tokenDropout, rng);
      const b = dropTokens(p.b, cfg.tokenDropout, rng);
      idsA.push(a);
      idsB.push(b);
      sa[i] = pool(w, a, x);
      xa.set(x, i * d);
      na[i] = projectOf(w, x, u);
      ua.set(u, i * D);
      sb[i] = pool(w, b, x);
      xb.set(x, i * d);
      nb[i] = projectOf(w, x, u);
      ub.set(u, i * D);
    }
    const tau = cfg.temperature;
    const S = new Float32Array(B * B);
    for (let i = 0; i < B; i++)
      for (let j = 0; j < B; j++) {
        let s = 0;
        for (let m = 0; m < D; m++) s += ua[i * D + m]! * ub[j * D + m]!;
        S[i * B + j] = i !== j && batch[i]!.key === batch[j]!.key ? -Infinity : s / tau;
      }
    const dS = new Float32Array(B * B);
    let loss = 0;
    const scale = weight / (2 * B);
    // rows: a_i -> b_*; columns: b_j -> a_*
    for (let dir = 0; dir < 2; dir++) {
      for (let i = 0; i < B; i++) {
        let mx = -Infinity;
        for (let j = 0; j < B; j++) mx = Math.max(mx, dir === 0 ? S[i * B + j]! : S[j * B + i]!);
        let z = 0;
        const e = new Float64Array(B);
        for (let j = 0; j < B; j++)
          z += e[j] = Math.exp((dir === 0 ? S[i * B + j]! : S[j * B + i]!) - mx);
        loss -= Math.log(e[i]! / z);
        for (let j = 0; j < B; j++) {
          const g = (e[j]! / z - (i === j ? 1 : 0)) * scale;
          if (dir === 0) dS[i * B + j] = dS[i * B + j]! + g;
          else dS[j * B + i] = dS[j * B + i]! + g;
        }
      }
    }
    const dua = new Float32Array(B * D),
      dub = new Float32Array(B * D);
    for (let i = 0; i < B; i++)
      for (let j = 0; j < B; j++) {
        const g = dS[i * B + j]! / tau;
        if (g === 0) continue;
        for (let m = 0; m < D; m++) {
          dua[i * D + m] = dua[i * D + m]! + g * ub[j * D + m]!;
          dub[j * D + m] = dub[j * D + m]! + g * ua[i * D + m]!;
        }
      }
    const dz = new Float32Array(D);
    const back = (
      xs: Float32Array,
      us: Float32Array,
      dus: Float32Array,
      ns: Float32Array,
      sums: Float32Array,
      ids: Int32Array[],
    ) => {
      for (let i = 0; i < B; i++) {
        const n = Math.max(ns[i]!, NORM_EPS);
        let dot = 0;
        for (let m = 0; m < D; m++) dot += dus[i * D + m]! * us[i * D + m]!;
        for (let m = 0; m < D; m++) dz[m] = (dus[i * D + m]! - dot * us[i * D + m]!) / n;
        for (let k = 0; k < d; k++) {
          const xk = xs[i * d + k]!;
          const o = k * D;
          let acc = 0;
          for (let m = 0; m < D; m++) {
            gP[o + m] = gP[o + m]! + xk * dz[m]!;
            acc += w.P[o + m]! * dz[m]!;
          }
          dx[k] = acc;
        }
        scatter(ids[i]!, sums[i]!, dx);
      }
    };
    back(xa, ua, dua, na, sa, idsA);
    back(xb, ub, dub, nb, sb, idsB);
    return loss / (2 * B);
  };

  const logs: TrainLog[] = [];
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    type Batch = { task: Task; cls?: ClsExample[]; pairs?: PairExample[] };
    const batches: Batch[] = [];
    for (const task of tasks) {
      if (task.kind === "cls") {
        const ex = rng.shuffle([...task.examples]);
        for (let i = 0; i < ex.length; i += cfg.batchSize)
          batches.push({ task, cls: ex.slice(i, i + cfg.batchSize) });
      } else {
        const ex = rng.shuffle(task.make(rng, epoch));
        for (let i = 0; i + 1 < ex.length; i += cfg.batchSize)
          batches.push({ task, pairs: ex.slice(i, i + cfg.batchSize) });
      }
    }
    rng.shuffle(batches);
    const sums: Record<string, number> = {},
      counts: Record<string, number> = {};
    for (const batch of batches) {
      const loss = batch.cls
        ? clsBatch(batch.cls, batch.task.weight)
        : pairBatch(batch.pairs!, batch.task.weight);
      sums[batch.task.name] = (sums[batch.task.name] ?? 0) + loss;
      counts[batch.task.name] = (counts[batch.task.name] ?? 0) + 1;
      t++;
      optW.stepRange(t, 0, w.W.length);
      optB.stepRange(t, 0, w.b.length);
      optP.stepRange(t, 0, w.P.length);
      for (const id of touchedList) {
        optE.stepRange(t, id * d, id * d + d);
        touched[id] = 0;
      }
      touchedList.length = 0;
    }
    const losses: Record<string, number> = {};
    for (const k of Object.keys(sums)) losses[k] = sums[k]! / counts[k]!;
    logs.push({ epoch, losses });
    cfg.log?.(
      `epoch ${epoch + 1}/${cfg.epochs} ${Object.entries(losses)
        .map(([k, v]) => `${k}=${v.toFixed(4)}`)
        .join(" ")}`,
    );
  }
  return logs;
}
