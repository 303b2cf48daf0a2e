// Evaluation of the interest model (issue #3):
//  - ReDial dev seeker utterances that mention catalog movies with known genres (mentions replaced by titles,
//    as a person would type them); gold = genres of the mentioned movies. micro/macro-F1 with the rule
//    "labels with p >= threshold, plus always the top-1", threshold tuned for micro-F1 on ReDial *train*
//    seeker utterances; top-1/top-3 accuracy (hit when the top-k labels contain any gold label).
//    For the shipped model (ONNX, via InterestModel) and two baselines trained here: TF-IDF + softmax
//    regression on the same labelled texts, and our architecture trained without GloVe initialisation.
//  - BBC News, deterministic 80/20 split (FNV-1a hash of "category/file" mod 5 == 0 -> test): our
//    architecture trained on the 80% vs TF-IDF + softmax regression; accuracy = top-1.
//  - Item-to-item genre precision@10 over the catalog with the shipped model's embeddings.
import { writeFileSync } from "node:fs";
import { InterestModel } from "../../src/interest/model.ts";
import { itemText } from "../../src/catalog/item-text.ts";
import { loadBbc, loadRedial } from "../train/data.ts";
import { DATA_PATHS } from "../train/data-paths.ts";
import {
  fitModel,
  loadDefaultGlove,
  prepareData,
  seekerExamples,
  type PreparedData,
  type TextExample,
} from "../train/pipeline.ts";
import { forwardText, vocabOf } from "../train/model.ts";
import {
  genrePrecisionAtK,
  labelMetrics,
  tuneThreshold,
  type LabelMetrics,
  type ScoredExample,
} from "../train/metrics.ts";
import { TfidfLinear } from "./interests-baselines.ts";

export interface InterestEvalResult {
  redial: LabelMetrics & { baselines: Record<string, LabelMetrics> };
  bbc: { accuracy: number; baseline_accuracy: number; n_train: number; n_test: number };
  item_genre_precision_at_10: number;
  model: { sha256: string; labels: number; dim: number };
  seconds: number;
}

export interface EvalInterestsOptions {
  json?: string;
  log?: (s: string) => void;
  modelDir?: string;
  catalogPath?: string;
  redialTrain?: string;
  redialDev?: string;
  bbcPath?: string;
  seed?: number;
}

/** BBC has 1.8k long documents (vs 6.8k short item texts + seeker utterances): more epochs and a larger step. */
const BBC_EPOCHS = 30;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const fmt = (m: LabelMetrics) =>
  `micro-F1 ${m.micro_f1.toFixed(4)}  macro-F1 ${m.macro_f1.toFixed(4)}  top-1 ${m.top1.toFixed(4)}  top-3 ${m.top3.toFixed(4)}  (threshold ${m.threshold}, n=${m.n})`;

async function scoreOnnx(
  model: InterestModel,
  exs: readonly TextExample[],
): Promise<ScoredExample[]> {
  const out: ScoredExample[] = [];
  for (let i = 0; i < exs.length; i += 256) {
    const batch = exs.slice(i, i + 256);
    const preds = await model.predict(batch.map((e) => e.text));
    preds.forEach((p, j) => out.push({ probs: p.interests, gold: batch[j]!.gold }));
  }
  return out;
}

function evalScorer(
  score: (text: string) => Float32Array,
  train: readonly TextExample[],
  dev: readonly TextExample[],
  L: number,
): LabelMetrics {
  const th = tuneThreshold(
    train.map((e) => ({ probs: score(e.text), gold: e.gold })),
    L,
  );
  return labelMetrics(
    dev.map((e) => ({ probs: score(e.text), gold: e.gold })),
    L,
    th,
  );
}

export async function evalInterests(opts: EvalInterestsOptions = {}): Promise<InterestEvalResult> {
  const t0 = performance.now();
  const log = opts.log ?? ((s: string) => console.log(s));
  const seed = opts.seed ?? 42;
  const modelDir = opts.modelDir ?? "models";
  const catalogPath = opts.catalogPath ?? DATA_PATHS.catalog;
  const redialTrain = opts.redialTrain ?? DATA_PATHS.redialTrain;
  const redialDev = opts.redialDev ?? DATA_PATHS.redialDev;

  const model = await InterestModel.load(modelDir);
  try {
    const data = prepareData(catalogPath, redialTrain);
    if (data.labels.join("|") !== model.labels.join("|")) {
      throw new Error(
        `evalInterests: the model's labels differ from the labels of ${catalogPath}; evaluate a model trained on that catalog`,
      );
    }
    const L = data.labels.length;
    const byId = new Map(data.items.map((it) => [it.id, it]));
    const devEx = seekerExamples(
      loadRedial(redialDev, new Map(data.items.map((it) => [it.id, it.title]))),
      byId,
      data.labels,
    );
    log(
      `ReDial: ${data.redialCls.length} train / ${devEx.length} dev seeker utterances with mentioned movies of known genres; ${L} labels`,
    );

    // shipped model (ONNX)
    const th = tuneThreshold(await scoreOnnx(model, data.redialCls), L);
    const shipped = labelMetrics(await scoreOnnx(model, devEx), L, th);
    log(`  shipped model        ${fmt(shipped)}`);

    // baseline 1: TF-IDF + softmax regression on the same labelled texts (item texts + train seeker utterances)
    const tfidf = new TfidfLinear(L).fit([...data.itemCls, ...data.redialCls], { seed });
    const tfidfM = evalScorer((t) => tfidf.predict(t), data.redialCls, devEx, L);
    log(`  TF-IDF + linear      ${fmt(tfidfM)}`);

    // baseline 2: our architecture and tasks without GloVe initialisation
    const noGlove = fitModel(data, { seed }).weights;
    const ngVocab = vocabOf(noGlove);
    const noGloveM = evalScorer(
      (t) => forwardText(noGlove, t, ngVocab).interests,
      data.redialCls,
      devEx,
      L,
    );
    log(`  ours, no GloVe init  ${fmt(noGloveM)}`);

    // item-to-item genre precision@10 with the shipped model
    const emb = new Float32Array(data.items.length * model.dim);
    for (let i = 0; i < data.items.length; i += 512) {
      const preds = await model.predict(data.items.slice(i, i + 512).map((it) => itemText(it)));
      preds.forEach((p, j) => emb.set(p.embedding, (i + j) * model.dim));
    }
    const p10 = genrePrecisionAtK(
      emb,
      model.dim,
      data.items.map((it) => it.categories),
      10,
    );
    log(`Item-to-item genre precision@10 (catalog, shipped model): ${p10.toFixed(4)}`);

    // BBC News
    const docs = loadBbc(opts.bbcPath ?? DATA_PATHS.bbcNews);
    const cats = [...new Set(docs.map((d) => d.category))].sort();
    const ci = new Map(cats.map((c, i) => [c, i]));
    const toEx = (d: (typeof docs)[number]): TextExample => {
      const target = new Float32Array(cats.length);
      target[ci.get(d.category)!] = 1;
      return { text: d.text, target, gold: [ci.get(d.category)!] };
    };
    const test = docs.filter((d) => fnv1a(`${d.category}/${d.file}`) % 5 === 0).map(toEx);
    const train = docs.filter((d) => fnv1a(`${d.category}/${d.file}`) % 5 !== 0).map(toEx);
    const bbcData: PreparedData = {
      items: [],
      labels: cats,
      itemTexts: [],
      itemCls: train,
      redialCls: [],
      ctxPairs: [],
      corpus: train.map((e) => e.text),
    };
    const bbcModel = fitModel(bbcData, {
      seed,
      glove: loadDefaultGlove(),
      contrastive: false,
      epochs: BBC_EPOCHS,
      config: { lr: 0.005, lrE: 0.005 },
    }).weights;
    const bbcVocab = vocabOf(bbcModel);
    const acc = (score: (t: string) => Float32Array) =>
      test.filter(
        (e) => labelMetrics([{ probs: score(e.text), gold: e.gold }], cats.length, 1).top1 === 1,
      ).length / test.length;
    const bbcAcc = acc((t) => forwardText(bbcModel, t, bbcVocab).interests);
    const bbcTfidf = new TfidfLinear(cats.length).fit(train, { seed });
    const bbcBase = acc((t) => bbcTfidf.predict(t));
    log(
      `BBC News (${train.length} train / ${test.length} test, ${cats.length} classes): ours accuracy ${bbcAcc.toFixed(4)}, TF-IDF + linear ${bbcBase.toFixed(4)}`,
    );

    const result: InterestEvalResult = {
      redial: { ...shipped, baselines: { tfidf_linear: tfidfM, no_glove: noGloveM } },
      bbc: {
        accuracy: bbcAcc,
        baseline_accuracy: bbcBase,
        n_train: train.length,
        n_test: test.length,
      },
      item_genre_precision_at_10: p10,
      model: { sha256: model.sha256, labels: L, dim: model.dim },
      seconds: (performance.now() - t0) / 1000,
    };
    if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2) + "\n");
    return result;
  } finally {
    await model.close();
  }
}
