// trainInterestModel: catalog (+ ReDial for the movie demo catalog) -> models/interest.onnx + interest.json + MODEL_CARD.md
import { sourceCommit } from "./provenance.ts";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { buildInterestOnnx } from "./onnx-export.ts";
import {
  contextPairs,
  defaultRedialFor,
  EMB_DIM,
  fitModel,
  loadDefaultGlove,
  MIN_LABEL_ITEMS,
  prepareData,
  prepareItemsData,
  seekerExamples,
  WORD_DIM,
} from "./pipeline.ts";
import { embedAll, forwardText, vocabOf, type InterestWeights } from "./model.ts";
import {
  genrePrecisionAtK,
  recallAtK,
  labelMetrics,
  tuneThreshold,
  type LabelMetrics,
  type ScoredExample,
} from "./metrics.ts";
import { loadRedial } from "./data.ts";
import type { Item } from "../../src/types.ts";
import { writeModelCard, type InterestModelMeta } from "./model-card.ts";

export interface TrainReport {
  onnxPath: string;
  jsonPath: string;
  labels: string[];
  dim: number;
  vocabSize: number;
  seed: number;
  seconds: number;
  sha256: string;
  bytes: number;
  examples: { items: number; seekerUtterances: number; contextPairs: number };
  metrics: {
    redialDev?: LabelMetrics;
    redialDevContextRecallAt50?: number;
    itemGenrePrecisionAt10: number;
  };
  weights: InterestWeights;
}

export interface TrainOptions {
  /** The catalog file (read unless `items` is given; named in interest.json either way). */
  catalogPath: string;
  /** The catalog's items, already loaded (`chatrec ingest --train` reads them from the data folder). */
  items?: Item[];
  outDir: string;
  /** ReDial training conversations; default: data/redial/train.jsonl next to the demo movie catalog only. */
  redialTrain?: string;
  /** false: never use ReDial, even for the movie catalog. */
  useRedial?: boolean;
  seed?: number;
  epochs?: number;
  glovePath?: string;
  /** Skip the item-neighbour metric (used by quick test runs). */
  skipMetrics?: boolean;
  command?: string;
  log?: (s: string) => void;
}

export async function trainInterestModel(opts: TrainOptions): Promise<TrainReport> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 42;
  const redialPath =
    opts.useRedial === false ? undefined : (opts.redialTrain ?? defaultRedialFor(opts.catalogPath));
  const data = opts.items
    ? prepareItemsData(opts.items, redialPath, opts.catalogPath)
    : prepareData(opts.catalogPath, redialPath);
  log(
    `catalog ${opts.catalogPath}: ${data.items.length} items, ${data.labels.length} labels (>= ${MIN_LABEL_ITEMS} items): ${data.labels.join(", ")}`,
  );
  log(
    `examples: ${data.itemCls.length} item texts, ${data.redialCls.length} seeker utterances, ${data.ctxPairs.length} context->item pairs${redialPath ? ` (ReDial ${redialPath})` : " (no ReDial)"}`,
  );
  const glove = loadDefaultGlove(opts.glovePath);
  const { weights } = fitModel(data, {
    seed,
    glove,
    log,
    ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
  });

  const bytes = buildInterestOnnx(weights);
  mkdirSync(opts.outDir, { recursive: true });
  const onnxPath = join(opts.outDir, "interest.onnx");
  writeFileSync(onnxPath, bytes);
  const sha256 = createHash("sha256").update(bytes).digest("hex");

  // metrics: ReDial dev seeker utterances (threshold tuned on train utterances) and item neighbours
  const metrics: TrainReport["metrics"] = { itemGenrePrecisionAt10: 0 };
  const vocab = vocabOf(weights);
  const score = (exs: Array<{ text: string; gold: number[] }>): ScoredExample[] =>
    exs.map((e) => ({ probs: forwardText(weights, e.text, vocab).interests, gold: e.gold }));
  if (redialPath) {
    const dev = join(dirname(redialPath), "dev.jsonl");
    if (existsSync(dev)) {
      const th = tuneThreshold(score(data.redialCls), data.labels.length);
      const byId = new Map(data.items.map((it) => [it.id, it]));
      const devConvs = loadRedial(dev, new Map(data.items.map((it) => [it.id, it.title])));
      const devEx = seekerExamples(devConvs, byId, data.labels);
      metrics.redialDev = labelMetrics(score(devEx), data.labels.length, th);
      log(`ReDial dev seeker utterances (n=${devEx.length}): ${JSON.stringify(metrics.redialDev)}`);
      if (!opts.skipMetrics) {
        const pairs = contextPairs(devConvs, new Map(data.items.map((it, i) => [it.id, i])));
        metrics.redialDevContextRecallAt50 = recallAtK(
          embedAll(
            weights,
            pairs.map((p) => p.context),
          ),
          embedAll(weights, data.itemTexts),
          weights.embDim,
          pairs.map((p) => p.item),
          50,
        );
        log(
          `ReDial dev seeker context -> next liked movie, recall@50 over the whole catalog (n=${pairs.length}): ${metrics.redialDevContextRecallAt50.toFixed(4)}`,
        );
      }
    }
  }
  if (!opts.skipMetrics) {
    metrics.itemGenrePrecisionAt10 = genrePrecisionAtK(
      embedAll(weights, data.itemTexts),
      weights.embDim,
      data.items.map((it) => it.categories),
    );
    log(`item-to-item genre precision@10: ${metrics.itemGenrePrecisionAt10.toFixed(4)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const meta: InterestModelMeta = {
    name: "chatrec-interest",
    format: 1,
    onnx: "interest.onnx",
    labels: data.labels,
    dim: weights.embDim,
    wordDim: weights.wordDim,
    activation: "softmax",
    vocabSize: weights.vocab.length,
    seed,
    inputs: { text: "string [N]" },
    outputs: {
      interests: `float [N, ${data.labels.length}] softmax over labels`,
      embedding: `float [N, ${weights.embDim}] L2-normalised (zero vector for text without known tokens)`,
    },
    tokenizer: {
      lowercase: "StringNormalizer LOWER locale C.UTF-8",
      tokenexp: "[a-z0-9]+",
      unknown: "dropped (id 0)",
      pooling: "IDF-weighted mean",
    },
    labelMinItems: MIN_LABEL_ITEMS,
    catalog: basename(opts.catalogPath),
    data: {
      catalog: opts.catalogPath,
      redial: redialPath ? basename(redialPath) : null,
      glove: "glove.6B.50d (top 10k words)",
      items: data.itemCls.length,
      seekerUtterances: data.redialCls.length,
      contextPairs: data.ctxPairs.length,
    },
    trainingCommand:
      opts.command ??
      `npm run train -- --catalog ${opts.catalogPath} --out ${opts.outDir} --seed ${seed}`,
    trainingSeconds: Math.round(seconds * 10) / 10,
    commit: sourceCommit(),
    metrics: { training: metrics },
    sha256,
    bytes: bytes.length,
    created: new Date().toISOString(),
  };
  const jsonPath = join(opts.outDir, "interest.json");
  writeFileSync(jsonPath, JSON.stringify(meta, null, 2) + "\n");
  writeModelCard(opts.outDir, meta);
  log(
    `wrote ${resolve(onnxPath)} (${(bytes.length / 1e6).toFixed(2)} MB, sha256 ${sha256}) in ${seconds.toFixed(1)} s`,
  );
  return {
    onnxPath,
    jsonPath,
    labels: data.labels,
    dim: weights.embDim,
    vocabSize: weights.vocab.length,
    seed,
    seconds,
    sha256,
    bytes: bytes.length,
    examples: {
      items: data.itemCls.length,
      seekerUtterances: data.redialCls.length,
      contextPairs: data.ctxPairs.length,
    },
    metrics,
    weights,
  };
}

export { WORD_DIM, EMB_DIM };
