// Baseline for the interest evaluation: TF-IDF (sublinear tf, L2-normalised) + softmax regression (Adam).
import { tokenize } from "../train/tokenize.ts";
import { Rng } from "../train/rng.ts";

export interface SoftExample {
  text: string;
  target: Float32Array;
}

export class TfidfLinear {
  private readonly index = new Map<string, number>();
  private idf = new Float32Array(0);
  private W = new Float32Array(0);
  private b = new Float32Array(0);
  constructor(private readonly L: number) {}

  private features(text: string): { idx: Int32Array; val: Float32Array } {
    const tf = new Map<number, number>();
    for (const t of tokenize(text)) {
      const i = this.index.get(t);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const idx = Int32Array.from(tf.keys());
    const val = new Float32Array(idx.length);
    let n = 0;
    idx.forEach((i, k) => {
      const v = (1 + Math.log(tf.get(i)!)) * this.idf[i]!;
      val[k] = v;
      n += v * v;
    });
    n = Math.sqrt(n) || 1;
    for (let k = 0; k < val.length; k++) val[k] = val[k]! / n;
    return { idx, val };
  }

  fit(
    examples: readonly SoftExample[],
    opts: { seed: number; epochs?: number; lr?: number; l2?: number; minCount?: number },
  ): this {
    const df = new Map<string, number>();
    for (const ex of examples)
      for (const t of new Set(tokenize(ex.text))) df.set(t, (df.get(t) ?? 0) + 1);
    const vocab = [...df.entries()]
      .filter(([, n]) => n >= (opts.minCount ?? 2))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    this.idf = new Float32Array(vocab.length);
    vocab.forEach(([t, n], i) => {
      this.index.set(t, i);
      this.idf[i] = Math.log((examples.length + 1) / (n + 1)) + 1;
    });
    const L = this.L,
      V = vocab.length;
    this.W = new Float32Array(V * L);
    this.b = new Float32Array(L);
    const feats = examples.map((e) => this.features(e.text));
    const m = new Float32Array(V * L),
      v = new Float32Array(V * L),
      mb = new Float32Array(L),
      vb = new Float32Array(L);
    const gW = new Float32Array(V * L),
      gb = new Float32Array(L);
    const lr = opts.lr ?? 0.01,
      l2 = opts.l2 ?? 1e-5,
      B = 64;
    const rng = new Rng(opts.seed);
    const order = examples.map((_, i) => i);
    const p = new Float32Array(L);
    let t = 0;
    const touched = new Set<number>();
    for (let epoch = 0; epoch < (opts.epochs ?? 15); epoch++) {
      rng.shuffle(order);
      for (let s = 0; s < order.length; s += B) {
        const batch = order.slice(s, s + B);
        for (const i of batch) {
          const f = feats[i]!;
          this.scores(f, p);
          const target = examples[i]!.target;
          for (let l = 0; l < L; l++) p[l] = (p[l]! - target[l]!) / batch.length;
          for (let l = 0; l < L; l++) gb[l] = gb[l]! + p[l]!;
          f.idx.forEach((j, k) => {
            touched.add(j);
            const x = f.val[k]!;
            for (let l = 0; l < L; l++) gW[j * L + l] = gW[j * L + l]! + x * p[l]!;
          });
        }
        t++;
        const c1 = 1 - 0.9 ** t,
          c2 = 1 - 0.999 ** t;
        const upd = (
          P: Float32Array,
          G: Float32Array,
          M: Float32Array,
          S: Float32Array,
          i: number,
        ) => {
          const g = G[i]! + l2 * P[i]!;
          M[i] = 0.9 * M[i]! + 0.1 * g;
          S[i] = 0.999 * S[i]! + 0.001 * g * g;
          P[i] = P[i]! - (lr * (M[i]! / c1)) / (Math.sqrt(S[i]! / c2) + 1e-8);
          G[i] = 0;
        };
        for (let l = 0; l < L; l++) upd(this.b, gb, mb, vb, l);
        for (const j of touched) for (let l = 0; l < L; l++) upd(this.W, gW, m, v, j * L + l);
        touched.clear();
      }
    }
    return this;
  }

  private scores(f: { idx: Int32Array; val: Float32Array }, out: Float32Array): void {
    const L = this.L;
    for (let l = 0; l < L; l++) out[l] = this.b[l]!;
    f.idx.forEach((j, k) => {
      const x = f.val[k]!;
      for (let l = 0; l < L; l++) out[l] = out[l]! + x * this.W[j * L + l]!;
    });
    let mx = -Infinity;
    for (let l = 0; l < L; l++) mx = Math.max(mx, out[l]!);
    let s = 0;
    for (let l = 0; l < L; l++) s += out[l] = Math.exp(out[l]! - mx);
    for (let l = 0; l < L; l++) out[l] = out[l]! / s;
  }

  predict(text: string): Float32Array {
    const out = new Float32Array(this.L);
    this.scores(this.features(text), out);
    return out;
  }
}
