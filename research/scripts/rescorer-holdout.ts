// Checks the re-scorer's training on train alone: fits the linear stage and one re-scorer per epoch count on
// the first seven eighths of a cached train replay's examples and scores the rest (examples are collected fold
// by fold, so that is about the 8th fold's dialogues; every example's features came from a fold model that
// never saw its dialogue). A held-out ground truth is a proxy top-K hit when the share of its instance's sampled
// negatives that score above it, times the catalog size, is below K.
// Usage: tsx research/scripts/rescorer-holdout.ts <examples file from train ranker --examples> [epochs,...]
import { DEFAULT_MLP, fitMlp } from "../train/mlp-fit.ts";
import {
  DEFAULT_RANKER_TRAINING,
  fitRanker,
  loadExamples,
  type RankerExample,
} from "../train/ranker.ts";
import { FEATURE_COUNT } from "../../src/recommend/rank.ts";
import { compileMlp, FEATURE_NAMES } from "../../src/recommend/ranker-model.ts";
import { loadCatalogItems } from "../train/data.ts";
import { DATA_PATHS } from "../train/data-paths.ts";

const [path, epochList = "10,20,40"] = process.argv.slice(2);
if (!path)
  throw new Error("usage: tsx research/scripts/rescorer-holdout.ts <examples file> [epochs,...]");
const F = FEATURE_COUNT;
const CATALOG = loadCatalogItems(DATA_PATHS.catalog).length;
const { examples } = loadExamples(path);
const cut = Math.floor((examples.length * 7) / 8);
const fitOn = examples.slice(0, cut);
const heldOut = examples.slice(cut).filter((e) => e.weight === 1); // the protocol's instances only

function report(name: string, score: (e: RankerExample, row: number) => number): void {
  let positives = 0,
    top10 = 0,
    top50 = 0,
    loss = 0;
  for (const e of heldOut) {
    const s = Array.from({ length: e.size }, (_, row) => score(e, row));
    const negatives = s.slice(e.positives);
    const max = Math.max(...negatives);
    const negZ = negatives.reduce((sum, v) => sum + Math.exp(v - max), 0);
    for (let k = 0; k < e.positives; k++) {
      const above = negatives.filter((v) => v > s[k]!).length;
      const share = above * (CATALOG / negatives.length);
      positives++;
      if (share < 10) top10++;
      if (share < 50) top50++;
      const m = Math.max(max, s[k]!);
      loss += -(s[k]! - m) + Math.log(Math.exp(s[k]! - m) + negZ * Math.exp(max - m));
    }
  }
  console.log(
    `${name}: ${positives} held-out ground truths, proxy R@10 ${(top10 / positives).toFixed(4)}, proxy R@50 ${(top50 / positives).toFixed(4)}, loss ${(loss / positives).toFixed(4)}`,
  );
}

function rowScore(score: (x: Float32Array) => number): (e: RankerExample, row: number) => number {
  return (e, row) => score(e.values.subarray(row * F, (row + 1) * F));
}

console.log(`fit on ${fitOn.length} examples, scored on ${heldOut.length} held-out instances`);
const linear = fitRanker(fitOn, DEFAULT_RANKER_TRAINING);
const weights = FEATURE_NAMES.map((n) => linear.weights[n] ?? 0);
report("linear stage", (e, row) =>
  weights.reduce((sum, w, f) => sum + w * e.values[row * F + f]!, 0),
);
for (const epochs of epochList.split(",").map(Number)) {
  const started = performance.now();
  const { mlp } = fitMlp(fitOn, { ...DEFAULT_MLP, members: 1, epochs });
  const rescorer = compileMlp(mlp);
  report(
    `re-scorer, one member, ${epochs} epochs (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    rowScore((x) => rescorer.score(x)),
  );
}
