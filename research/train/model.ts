// The interest model in plain TypeScript (Float32Array, hand-written backward, Adam).
//
//   ids   = tokenize(text) looked up in the vocabulary (unknown -> 0)
//   x     = sum_t w[id_t] * E[id_t] / max(sum_t w[id_t], 1e-6)     (w = fixed IDF weights, w[0] = 0, E[0] = 0)
//   interests = softmax(x W + b)                                    [L]
//   embedding = (x P) / max(||x P||, 1e-12)                         [D]
//
// Exactly the computation of the ONNX graph written by onnx-export.ts, so the two agree to float rounding.
import { tokenize } from "./tokenize.ts";
import { Rng } from "./rng.ts";

export interface InterestWeights {
  vocab: string[]; // id i+1 -> token
  tokenWeight: Float32Array; // [V+1], [0] = 0
  wordDim: number; // d
  embDim: number; // D
  labels: string[];
  E: Float32Array; // [(V+1) * d], row 0 zeros
  W: Float32Array; // [d * L]
  b: Float32Array; // [L]
  P: Float32Array; // [d * D]
}

export const POOL_EPS = 1e-6;
export const NORM_EPS = 1e-12;

/** English function words left out of the vocabulary (they map to id 0 and are masked out). */
export const STOPWORDS = new Set(
  (
    "a an the and or but if then so of to in on at by for with from as is are was were be been being am it its this that these those " +
    "i me my we our you your he him his she her they them their there here what which who whom do does did have has had " +
    "just very really also too can could would should will shall may might must s t d ll re ve m im dont didnt not no yes " +
    "hi hello hey ok okay thanks thank bye oh um uh lol well like get got one"
  ).split(" "),
);

export class Vocab {
  readonly index = new Map<string, number>();
  constructor(readonly tokens: string[]) {
    tokens.forEach((t, i) => this.index.set(t, i + 1));
  }
  encode(text: string): Int32Array {
    const out: number[] = [];
    for (const t of tokenize(text)) {
      const id = this.index.get(t);
      if (id !== undefined) out.push(id);
    }
    return Int32Array.from(out);
  }
}

/** Tokens of the training texts, by frequency; kept when seen >= minCount times (or once if GloVe knows them). */
export function buildVocab(
  texts: Iterable<string>,
  opts: { minCount: number; maxSize: number; known?: ReadonlySet<string> },
): { vocab: Vocab; df: Map<string, number>; docs: number } {
  const counts = new Map<string, number>();
  const df = new Map<string, number>();
  let docs = 0;
  for (const text of texts) {
    docs++;
    const toks = tokenize(text);
    for (const t of toks) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const t of new Set(toks)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const tokens = [...counts.entries()]
    .filter(([t, n]) => !STOPWORDS.has(t) && (n >= opts.minCount || (opts.known?.has(t) ?? false)))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, opts.maxSize)
    .map(([t]) => t);
  return { vocab: new Vocab(tokens), df, docs };
}

export function idfWeights(
  vocab: Vocab,
  df: ReadonlyMap<string, number>,
  docs: number,
): Float32Array {
  const w = new Float32Array(vocab.tokens.length + 1);
  vocab.tokens.forEach((t, i) => {
    w[i + 1] = Math.log((docs + 1) / ((df.get(t) ?? 0) + 1)) + 1;
  });
  return w;
}

export function initWeights(opts: {
  vocab: Vocab;
  tokenWeight: Float32Array;
  labels: string[];
  wordDim: number;
  embDim: number;
  glove?: { dim: number; vectors: ReadonlyMap<string, Float32Array> };
  rng: Rng;
}): InterestWeights {
  const { vocab, labels, wordDim: d, embDim: D, rng, glove } = opts;
  const V1 = vocab.tokens.length + 1;
  const L = labels.length;
  const E = new Float32Array(V1 * d);
  // GloVe vectors are scaled to unit mean norm; tokens it does not know get small random vectors.
  let gscale = 1;
  if (glove && glove.vectors.size > 0) {
    let s = 0;
    let n = 0;
    for (const v of glove.vectors.values()) {
      let q = 0;
      for (let i = 0; i < v.length; i++) q += v[i]! * v[i]!;
      s += Math.sqrt(q);
      if (++n >= 2000) break;
    }
    gscale = n / s;
  }
  const randStd = 0.1;
  for (let id = 1; id < V1; id++) {
    const g = glove?.vectors.get(vocab.tokens[id - 1]!);
    const o = id * d;
    for (let k = 0; k < d; k++) {
      E[o + k] = g && k < g.length ? g[k]! * gscale : randStd * rng.normal();
    }
  }
  const W = new Float32Array(d * L);
  for (let i = 0; i < W.length; i++) W[i] = 0.05 * rng.normal();
  const P = new Float32Array(d * D);
  // start P near identity (padded) so the embedding starts as the pooled word vector
  for (let k = 0; k < d; k++)
    for (let m = 0; m < D; m++) P[k * D + m] = (k === m ? 1 : 0) + 0.02 * rng.normal();
  return {
    vocab: vocab.tokens,
    tokenWeight: opts.tokenWeight,
    wordDim: d,
    embDim: D,
    labels: [...labels],
    E,
    W,
    b: new Float32Array(L),
    P,
  };
}

// ---------------------------------------------------------------- forward
/** Weighted mean of word vectors into `out` (length d); returns the weight sum. */
export function pool(w: InterestWeights, ids: ArrayLike<number>, out: Float32Array): number {
  const d = w.wordDim;
  out.fill(0);
  let s = 0;
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    const a = w.tokenWeight[id]!;
    if (a === 0) continue;
    s += a;
    const o = id * d;
    for (let k = 0; k < d; k++) out[k] = out[k]! + a * w.E[o + k]!;
  }
  const den = Math.max(s, POOL_EPS);
  for (let k = 0; k < d; k++) out[k] = out[k]! / den;
  return s;
}

export function logitsOf(w: InterestWeights, x: Float32Array, out: Float32Array): void {
  const L = w.labels.length;
  for (let l = 0; l < L; l++) out[l] = w.b[l]!;
  for (let k = 0; k < w.wordDim; k++) {
    const xk = x[k]!;
    if (xk === 0) continue;
    const o = k * L;
    for (let l = 0; l < L; l++) out[l] = out[l]! + xk * w.W[o + l]!;
  }
}

export function softmaxInPlace(v: Float32Array): void {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]!);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] = Math.exp(v[i]! - m);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / s;
}

/** z = x P; returns ||z|| (before normalisation); u = z / max(||z||, eps). */
export function projectOf(w: InterestWeights, x: Float32Array, u: Float32Array): number {
  const D = w.embDim;
  u.fill(0);
  for (let k = 0; k < w.wordDim; k++) {
    const xk = x[k]!;
    if (xk === 0) continue;
    const o = k * D;
    for (let m = 0; m < D; m++) u[m] = u[m]! + xk * w.P[o + m]!;
  }
  let n = 0;
  for (let m = 0; m < D; m++) n += u[m]! * u[m]!;
  n = Math.sqrt(n);
  const den = Math.max(n, NORM_EPS);
  for (let m = 0; m < D; m++) u[m] = u[m]! / den;
  return n;
}

export function forwardIds(
  w: InterestWeights,
  ids: ArrayLike<number>,
): { interests: Float32Array; embedding: Float32Array } {
  const x = new Float32Array(w.wordDim);
  pool(w, ids, x);
  const interests = new Float32Array(w.labels.length);
  logitsOf(w, x, interests);
  softmaxInPlace(interests);
  const embedding = new Float32Array(w.embDim);
  projectOf(w, x, embedding);
  return { interests, embedding };
}

export function vocabOf(w: InterestWeights): Vocab {
  return new Vocab(w.vocab);
}

/** The TS forward pass of a text (what the ONNX graph computes). */
export function forwardText(
  w: InterestWeights,
  text: string,
  vocab: Vocab = vocabOf(w),
): { interests: Float32Array; embedding: Float32Array } {
  return forwardIds(w, vocab.encode(text));
}

/** Embeddings of many texts as a row-major [n * D] matrix of unit (or zero) rows. */
export function embedAll(w: InterestWeights, texts: readonly string[]): Float32Array {
  const vocab = vocabOf(w);
  const out = new Float32Array(texts.length * w.embDim);
  const x = new Float32Array(w.wordDim);
  const u = new Float32Array(w.embDim);
  texts.forEach((t, i) => {
    pool(w, vocab.encode(t), x);
    projectOf(w, x, u);
    out.set(u, i * w.embDim);
  });
  return out;
}
