// From data files to trained weights: examples, vocabulary, GloVe initialisation, tasks, training.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Item } from "../../src/types.ts";
import { itemText } from "../../src/catalog/item-text.ts";
import {
  loadCatalogItems,
  labelSet,
  loadGlove,
  loadRedial,
  type RedialConversation,
} from "./data.ts";
import { buildVocab, idfWeights, initWeights, type InterestWeights, type Vocab } from "./model.ts";
import {
  trainWeights,
  type ClsExample,
  type PairExample,
  type Task,
  type TrainConfig,
} from "./trainer.ts";
import { Rng } from "./rng.ts";
import { DATA_PATHS } from "./data-paths.ts";

/** A catalog category becomes a label when at least this many items carry it. */
export const MIN_LABEL_ITEMS = 20;
export const WORD_DIM = 64;
export const EMB_DIM = 64;
/** How often each label name is shown as a one-word training example. */
const LABEL_NAME_REPEATS = 2;

export interface TextExample {
  text: string;
  target: Float32Array;
  gold: number[];
}

export interface PreparedData {
  items: Item[];
  labels: string[];
  itemTexts: string[];
  itemCls: TextExample[];
  redialCls: TextExample[];
  ctxPairs: Array<{ context: string; item: number }>;
  /** All texts the vocabulary is built from. */
  corpus: string[];
  redialPath?: string;
}

/** Gold label indices and the normalised target distribution of a bag of items. */
export function itemsTarget(
  items: readonly Item[],
  labelIndex: ReadonlyMap<string, number>,
  L: number,
): { target: Float32Array; gold: number[] } | undefined {
  const target = new Float32Array(L);
  for (const it of items) {
    const ls = [...new Set(it.categories)]
      .map((c) => labelIndex.get(c))
      .filter((l): l is number => l !== undefined);
    for (const l of ls) target[l] = target[l]! + 1 / ls.length;
  }
  let s = 0;
  for (const v of target) s += v;
  if (s <= 0) return undefined;
  for (let l = 0; l < L; l++) target[l] = target[l]! / s;
  const gold: number[] = [];
  target.forEach((v, l) => {
    if (v > 0) gold.push(l);
  });
  return { target, gold };
}

/** Seeker utterances that mention catalog movies with known labels; labels = those movies' categories. */
export function seekerExamples(
  convs: readonly RedialConversation[],
  byId: ReadonlyMap<string, Item>,
  labels: readonly string[],
): TextExample[] {
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const out: TextExample[] = [];
  for (const c of convs)
    for (const m of c.messages) {
      if (!m.seeker || m.movies.length === 0 || !m.text) continue;
      const movies = m.movies.map((id) => byId.get(id)).filter((x): x is Item => !!x);
      const t = itemsTarget(movies, labelIndex, labels.length);
      if (t) out.push({ text: m.text, ...t });
    }
  return out;
}

/** Seeker context before the first mention of a movie the seeker liked -> that movie (the "next" item). */
export function contextPairs(
  convs: readonly RedialConversation[],
  itemIndex: ReadonlyMap<string, number>,
  maxTurns = 4,
): Array<{ context: string; item: number }> {
  const out: Array<{ context: string; item: number }> = [];
  for (const c of convs) {
    const mentioned = new Set<string>();
    const seekerTexts: string[] = [];
    for (const m of c.messages) {
      for (const id of m.movies) {
        if (mentioned.has(id)) continue;
        mentioned.add(id);
        const item = itemIndex.get(id);
        if (item === undefined || c.liked.get(id) !== 1) continue;
        const context = seekerTexts.slice(-maxTurns).join(" ");
        if (context) out.push({ context, item });
      }
      if (m.seeker && m.text) seekerTexts.push(m.text);
    }
  }
  return out;
}

/** The demo movie catalog gets ReDial data from next to it; other catalogs only when a file is given. */
export function defaultRedialFor(catalogPath: string): string | undefined {
  const abs = resolve(catalogPath);
  if (!abs.endsWith(join("data", "catalog", "movies.jsonl"))) return undefined;
  const p = join(dirname(dirname(abs)), "redial", "train.jsonl");
  return existsSync(p) ? p : undefined;
}

export function prepareData(catalogPath: string, redialPath: string | undefined): PreparedData {
  return prepareItemsData(loadCatalogItems(catalogPath), redialPath, catalogPath);
}

/** Training data from items already loaded (an ingested catalog read back from the data folder). */
export function prepareItemsData(
  items: Item[],
  redialPath: string | undefined,
  catalogPath: string,
): PreparedData {
  if (items.length === 0) throw new Error(`no items in catalog ${catalogPath}`);
  const labels = labelSet(items, MIN_LABEL_ITEMS);
  if (labels.length < 2)
    throw new Error(
      `catalog ${catalogPath} has fewer than 2 categories with >= ${MIN_LABEL_ITEMS} items`,
    );
  const labelIndex = new Map(labels.map((l, i) => [l, i]));
  const itemTexts = items.map((it) => itemText(it));
  // Classification sees the item text WITHOUT its category names (else the model only learns to copy the
  // literal words "comedy", "adventure" ... and becomes overconfident); the category words themselves are
  // taught by short label-name examples. The contrastive tasks use the full itemText, as served.
  const itemCls: TextExample[] = [];
  items.forEach((it) => {
    const t = itemsTarget([it], labelIndex, labels.length);
    if (t) itemCls.push({ text: itemText({ ...it, categories: [] }), ...t });
  });
  labels.forEach((l, i) => {
    const target = new Float32Array(labels.length);
    target[i] = 1;
    for (let r = 0; r < LABEL_NAME_REPEATS; r++)
      itemCls.push({ text: l.replace(/-/g, " "), target, gold: [i] });
  });
  const corpus = [...itemTexts];
  let redialCls: TextExample[] = [];
  let ctxPairs: PreparedData["ctxPairs"] = [];
  if (redialPath) {
    const byId = new Map(items.map((it) => [it.id, it]));
    const convs = loadRedial(redialPath, new Map(items.map((it) => [it.id, it.title])));
    redialCls = seekerExamples(convs, byId, labels);
    ctxPairs = contextPairs(convs, new Map(items.map((it, i) => [it.id, i])));
    for (const c of convs) for (const m of c.messages) if (m.text) corpus.push(m.text);
  }
  return {
    items,
    labels,
    itemTexts,
    itemCls,
    redialCls,
    ctxPairs,
    corpus,
    ...(redialPath ? { redialPath } : {}),
  };
}

export interface FitOptions {
  seed: number;
  glove?: { dim: number; vectors: ReadonlyMap<string, Float32Array> };
  epochs?: number;
  /** Train the contrastive tasks (context -> item, item <-> item with shared categories). */
  contrastive?: boolean;
  /** Loss weight of the ReDial seeker-utterance classification task (default 2, tuned on ReDial dev). */
  seekerWeight?: number;
  log?: (s: string) => void;
  config?: Partial<TrainConfig>;
}

export function defaultGlovePath(): string {
  return DATA_PATHS.glove;
}

export function loadDefaultGlove(path = defaultGlovePath()) {
  return loadGlove(path);
}

/** Item <-> item pairs: each labelled item with another item of the same category set (else one sharing a category). */
function itemPairMaker(data: PreparedData, encoded: Int32Array[]): (rng: Rng) => PairExample[] {
  const labelled = data.items
    .map((it, i) => ({ it, i }))
    .filter(({ it }) => it.categories.some((c) => data.labels.includes(c)));
  const byKey = new Map<string, number[]>();
  const byLabel = new Map<string, number[]>();
  for (const { it, i } of labelled) {
    const cats = [...new Set(it.categories.filter((c) => data.labels.includes(c)))].sort();
    const key = cats.join("|");
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
    for (const c of cats) byLabel.set(c, [...(byLabel.get(c) ?? []), i]);
  }
  return (rng) => {
    const out: PairExample[] = [];
    for (const { it, i } of labelled) {
      const cats = [...new Set(it.categories.filter((c) => data.labels.includes(c)))].sort();
      const same = byKey.get(cats.join("|"))!;
      let j: number;
      if (same.length > 1) {
        do j = same[rng.int(same.length)]!;
        while (j === i);
      } else {
        const pool = byLabel.get(cats[rng.int(cats.length)]!)!;
        j = pool[rng.int(pool.length)]!;
        if (j === i) continue;
      }
      out.push({ a: encoded[i]!, b: encoded[j]!, key: cats.join("|") });
    }
    return out;
  };
}

export function fitModel(
  data: PreparedData,
  opts: FitOptions,
): { weights: InterestWeights; vocab: Vocab } {
  const rng = new Rng(opts.seed);
  const { vocab, df, docs } = buildVocab(data.corpus, {
    minCount: 2,
    maxSize: 40000,
    ...(opts.glove ? { known: new Set(opts.glove.vectors.keys()) } : {}),
  });
  const weights = initWeights({
    vocab,
    tokenWeight: idfWeights(vocab, df, docs),
    labels: data.labels,
    wordDim: WORD_DIM,
    embDim: EMB_DIM,
    ...(opts.glove ? { glove: opts.glove } : {}),
    rng,
  });
  const enc = (ex: { text: string; target: Float32Array }): ClsExample => ({
    ids: vocab.encode(ex.text),
    target: ex.target,
  });
  const tasks: Task[] = [
    { kind: "cls", name: "items", weight: 1, examples: data.itemCls.map(enc) },
  ];
  if (data.redialCls.length)
    tasks.push({
      kind: "cls",
      name: "seeker",
      weight: opts.seekerWeight ?? 2,
      examples: data.redialCls.map(enc),
    });
  if (opts.contrastive !== false) {
    const encodedItems = data.itemTexts.map((t) => vocab.encode(t));
    if (data.ctxPairs.length) {
      const pairs: PairExample[] = data.ctxPairs.map((p) => ({
        a: vocab.encode(p.context),
        b: encodedItems[p.item]!,
        key: String(p.item),
      }));
      tasks.push({ kind: "pair", name: "context", weight: 1, make: () => pairs });
    }
    tasks.push({
      kind: "pair",
      name: "neighbours",
      weight: 0.5,
      make: itemPairMaker(data, encodedItems),
    });
  }
  const cfg: TrainConfig = {
    epochs: opts.epochs ?? 12,
    batchSize: 64,
    lr: 0.003,
    lrE: 0.003,
    tokenDropout: 0.25,
    temperature: 0.1, // tuned on ReDial dev: 0.05 retrieves slightly better, 0.2 classifies slightly better
    seed: opts.seed,
    ...(opts.log ? { log: opts.log } : {}),
    ...opts.config,
  };
  trainWeights(weights, tasks, cfg);
  return { weights, vocab };
}
