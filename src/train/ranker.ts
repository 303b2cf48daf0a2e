// Learns the ranker's feature weights on ReDial train (never dev): train dialogues are replayed through a
// real Bot exactly as `chatrec eval redial` replays dev; at every instance the features of the ground-truth
// movies and of sampled negatives (the best candidates by each signal, plus random ones) are kept, and a
// linear scorer is fitted with a listwise softmax loss (each ground truth against its instance's negatives).
//
// Leakage guards: the popularity prior and the co-mention neighbours are themselves counted on train, so a
// train dialogue would see its own answers in them. Popularity is therefore taken leave-one-dialogue-out,
// and the neighbours come from MovieLens plus the co-mentions of the OTHER half of the train dialogues.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "../bot.ts";
import { dialogueInstances, replayDialogue } from "../eval/redial-replay.ts";
import { Neighbours } from "../recommend/neighbours.ts";
import { FEATURE_COUNT, kthLargest, Ranker, type FeatureMatrix } from "../recommend/rank.ts";
import { FEATURE_NAMES, type FeatureName, type FeatureWeights, type RankerFile, type RankerModel } from "../recommend/ranker-model.ts";
import type { RedialConversation } from "./data.ts";
import { readText } from "./data.ts";
import { buildNeighbours, readRatings, readRedialMapping } from "./neighbours.ts";
import { Rng } from "./rng.ts";

export interface RankerTrainingOptions {
  seed: number;
  /** Best candidates kept per signal as hard negatives. */
  hardPerSignal: number;
  randomNegatives: number;
  epochs: number;
  l2: number;
  /** Dialogues replayed at once (each is its own person). */
  concurrency: number;
  progress?: (done: number, total: number) => void;
}

export const DEFAULT_RANKER_TRAINING: RankerTrainingOptions = { seed: 7, hardPerSignal: 25, randomNegatives: 50, epochs: 300, l2: 1e-3, concurrency: 4 };

/** One instance's candidates: `positives` ground-truth rows first, then negatives, FEATURE_COUNT values each. */
export interface RankerExample {
  values: Float32Array;
  positives: number;
  size: number;
}

/** Features whose weight must be >= 0 (1) or <= 0 (-1); the others are free. */
const SIGN: Partial<Record<FeatureName, 1 | -1>> = { message: 1, short: 1, long: 1, mentioned: 1, liked: 1, interest: 1, negative: -1, neighbour: 1, people: 1, series: 1, yearMatch: 1 };

/** Signals whose best candidates become hard negatives. */
const HARD_SIGNALS: readonly FeatureName[] = ["message", "short", "mentioned", "liked", "interest", "neighbour", "popularity", "movielensPopularity", "people", "series"];

/** log-scaled MovieLens rating counts in [0, 1] by catalog id (every rating counts: a movie people watch). */
export function movielensPopularity(ratingsCsv: string, mappingCsv: string, catalogIds: ReadonlySet<string>): Map<string, number> {
  const mapping = readRedialMapping(mappingCsv, catalogIds);
  const counts = new Map<string, number>();
  for (const r of readRatings(ratingsCsv)) for (const id of mapping.get(r.item) ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  const max = Math.max(1e-9, ...[...counts.values()].map((c) => Math.log1p(c)));
  return new Map([...counts].map(([id, c]) => [id, Math.round((Math.log1p(c) / max) * 10_000) / 10_000]));
}

/** Neighbours from MovieLens and the co-mentions of `dialogueLines` only (written to a temporary file for buildNeighbours). */
function foldNeighbours(dialogueLines: readonly string[], sources: { ratingsCsv: string; mappingCsv: string }, catalogIds: ReadonlySet<string>): Neighbours {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-fold-"));
  try {
    const path = join(dir, "fold.jsonl");
    writeFileSync(path, dialogueLines.join("\n") + "\n");
    return new Neighbours(buildNeighbours({ ...sources, redialTrain: path, catalogIds, topK: 50 }).records);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Indices of the `k` largest values (those at or above the k-th largest), skipping -Infinity. */
function topIndices(values: Float32Array, k: number): number[] {
  if (values.length === 0) return [];
  const threshold = kthLargest(values.slice(), Math.min(k, values.length));
  const out: number[] = [];
  for (let i = 0; i < values.length && out.length < k; i++) if (values[i]! >= threshold && values[i]! > -Infinity) out.push(i);
  return out;
}

function pickNegatives(m: FeatureMatrix, exclude: ReadonlySet<number>, model: RankerModel, opts: RankerTrainingOptions, rng: Rng): number[] {
  const n = m.rows.length;
  const chosen = new Set<number>();
  const column = new Float32Array(n);
  const take = (k: number, onlyPositive: boolean) => {
    for (const i of exclude) column[i] = -Infinity;
    for (const i of topIndices(column, k)) if (!onlyPositive || column[i]! > 0) chosen.add(i);
  };
  column.fill(0);
  FEATURE_NAMES.forEach((name, f) => {
    const w = model.weights[name];
    for (let i = 0; i < n; i++) column[i]! += w * m.values[i * FEATURE_COUNT + f]!;
  });
  take(opts.hardPerSignal * 2, false);
  for (const name of HARD_SIGNALS) {
    const f = FEATURE_NAMES.indexOf(name);
    for (let i = 0; i < n; i++) column[i] = m.values[i * FEATURE_COUNT + f]!;
    take(opts.hardPerSignal, true);
  }
  const target = chosen.size + opts.randomNegatives;
  for (let tries = 0; tries < opts.randomNegatives * 3 && chosen.size < target; tries++) {
    const i = rng.int(n);
    if (!exclude.has(i)) chosen.add(i);
  }
  return [...chosen];
}

export interface CollectedExamples {
  examples: RankerExample[];
  instances: number;
  groundTruths: number;
  /** Ground truths that could not be learnt from (blocked by the bot, e.g. a constraint). */
  unreachable: number;
}

/** Replays `dialogues` (with their raw JSONL lines, for the folds) and keeps each instance's candidates. */
export async function collectExamples(bot: Bot, dialogues: readonly RedialConversation[], lines: readonly string[], sources: { ratingsCsv: string; mappingCsv: string }, model: RankerModel, opts: RankerTrainingOptions): Promise<CollectedExamples> {
  const { catalog } = bot;
  const ids = new Set(catalog.items.map((i) => i.id));
  const fold = dialogues.map((_, i) => i % 2);
  const rankers = [0, 1].map((f) => new Ranker(catalog, foldNeighbours(lines.filter((_, i) => fold[i] !== f), sources, ids), model));
  const popularityColumn = FEATURE_NAMES.indexOf("popularity");
  const rng = new Rng(opts.seed);
  const out: CollectedExamples = { examples: [], instances: 0, groundTruths: 0, unreachable: 0 };
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < dialogues.length) {
      const i = next++;
      const d = dialogues[i]!;
      const ranker = rankers[fold[i]!]!;
      const inDialogue = new Set(dialogueInstances(d).flatMap((x) => x.allMentioned).concat(d.messages.flatMap((m) => m.movies)));
      const user = { platform: "redial-train", id: `${d.id}#${i}` };
      await replayDialogue(bot, d, user, {
        instance: async (inst) => {
          if (inst.groundTruth.length === 0) return;
          out.instances++;
          out.groundTruths += inst.groundTruth.length;
          const m = ranker.featureMatrix(await bot.rankingRequest(user, { limit: 50, text: inst.seekerText }));
          const position = new Map<string, number>();
          m.rows.forEach((row, k) => position.set(catalog.items[row]!.id, k));
          // Leave this dialogue out of the popularity counts.
          for (const id of inDialogue) {
            const k = position.get(id);
            const p = Number(catalog.item(id)?.extra.popularity) || 0;
            if (k !== undefined && p > 0) m.values[k * FEATURE_COUNT + popularityColumn]! *= Math.log1p(p - 1) / Math.log1p(p);
          }
          const positives = inst.groundTruth.map((id) => position.get(id)).filter((k): k is number => k !== undefined);
          out.unreachable += inst.groundTruth.length - positives.length;
          if (positives.length === 0) return;
          const exclude = new Set([...positives, ...[...inst.mentionedBefore].map((id) => position.get(id)).filter((k): k is number => k !== undefined)]);
          const negatives = pickNegatives(m, exclude, model, opts, rng);
          const chosen = [...positives, ...negatives];
          const values = new Float32Array(chosen.length * FEATURE_COUNT);
          chosen.forEach((k, j) => values.set(m.values.subarray(k * FEATURE_COUNT, (k + 1) * FEATURE_COUNT), j * FEATURE_COUNT));
          out.examples.push({ values, positives: positives.length, size: chosen.length });
        },
      });
      opts.progress?.(++done, dialogues.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return out;
}

export interface FitResult {
  weights: FeatureWeights;
  loss: number;
  /** Share of ground truths ranked first among their instance's sampled candidates. */
  sampledTop1: number;
}

/**
 * Listwise softmax: for each ground truth g of an instance with negatives N, loss = −s_g + log Σ_{c ∈ {g} ∪ N} exp(s_c),
 * s = w·x over standardised features, L2 on w; full-batch Adam. Weights are returned on the raw feature scale.
 */
export function fitRanker(examples: readonly RankerExample[], opts: Pick<RankerTrainingOptions, "epochs" | "l2">, without: ReadonlySet<FeatureName> = new Set()): FitResult {
  const Fn = FEATURE_COUNT;
  // Features left out (ablation) keep weight 0.
  const free = FEATURE_NAMES.map((name) => !without.has(name));
  // Signs fixed by meaning (projected gradient): a better match with what the person said or liked never
  // counts against an item, a closer match with what they rejected never for it. Without this the
  // correlated similarity features took opposite signs (liked −4.8, interest −2.9) and lists stopped
  // following stated tastes.
  const lower = FEATURE_NAMES.map((name) => (SIGN[name] === 1 ? 0 : -Infinity));
  const upper = FEATURE_NAMES.map((name) => (SIGN[name] === -1 ? 0 : Infinity));
  const mean = new Float64Array(Fn);
  const sq = new Float64Array(Fn);
  let count = 0;
  for (const e of examples) for (let j = 0; j < e.size; j++) for (let f = 0; f < Fn; f++) { const x = e.values[j * Fn + f]!; mean[f]! += x; sq[f]! += x * x; count++; }
  for (let f = 0; f < Fn; f++) { mean[f]! /= count / Fn; }
  const std = Float64Array.from(mean, (m, f) => Math.sqrt(Math.max(1e-12, sq[f]! / (count / Fn) - m * m)));
  const w = new Float64Array(Fn);
  const m1 = new Float64Array(Fn);
  const m2 = new Float64Array(Fn);
  const lr = 0.05;
  let loss = 0;
  let top1 = 0;
  let positives = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const grad = new Float64Array(Fn);
    loss = 0;
    top1 = 0;
    positives = 0;
    for (const e of examples) {
      const s = new Float64Array(e.size);
      for (let j = 0; j < e.size; j++) {
        let v = 0;
        for (let f = 0; f < Fn; f++) v += w[f]! * (e.values[j * Fn + f]! - mean[f]!) / std[f]!;
        s[j] = v;
      }
      let maxNeg = -Infinity;
      for (let j = e.positives; j < e.size; j++) maxNeg = Math.max(maxNeg, s[j]!);
      for (let g = 0; g < e.positives; g++) {
        // Candidates: this ground truth and the negatives.
        let max = s[g]!;
        for (let j = e.positives; j < e.size; j++) max = Math.max(max, s[j]!);
        let z = Math.exp(s[g]! - max);
        for (let j = e.positives; j < e.size; j++) z += Math.exp(s[j]! - max);
        loss += -(s[g]! - max) + Math.log(z);
        positives++;
        if (s[g]! > maxNeg) top1++;
        const pg = Math.exp(s[g]! - max) / z;
        for (let f = 0; f < Fn; f++) grad[f]! += (pg - 1) * (e.values[g * Fn + f]! - mean[f]!) / std[f]!;
        for (let j = e.positives; j < e.size; j++) {
          const p = Math.exp(s[j]! - max) / z;
          for (let f = 0; f < Fn; f++) grad[f]! += p * (e.values[j * Fn + f]! - mean[f]!) / std[f]!;
        }
      }
    }
    for (let f = 0; f < Fn; f++) {
      if (!free[f]) continue;
      const g = grad[f]! / positives + opts.l2 * w[f]!;
      m1[f] = 0.9 * m1[f]! + 0.1 * g;
      m2[f] = 0.999 * m2[f]! + 0.001 * g * g;
      w[f]! -= (lr * (m1[f]! / (1 - 0.9 ** epoch))) / (Math.sqrt(m2[f]! / (1 - 0.999 ** epoch)) + 1e-8);
      w[f] = Math.min(upper[f]!, Math.max(lower[f]!, w[f]!));
    }
  }
  const weights = {} as FeatureWeights;
  FEATURE_NAMES.forEach((name, f) => { weights[name] = Math.round((w[f]! / std[f]!) * 1e5) / 1e5; });
  return { weights, loss: loss / Math.max(1, positives), sampledTop1: top1 / Math.max(1, positives) };
}

export function rankerFile(weights: FeatureWeights, prior: ReadonlyMap<string, number>, training: Record<string, unknown>): RankerFile {
  return { format: 1, features: [...FEATURE_NAMES], weights, movielensPopularity: Object.fromEntries([...prior].sort(([a], [b]) => (a < b ? -1 : 1))), training };
}

/** Raw JSONL lines of a ReDial file, in the order loadRedial reads them. */
export function dialogueLines(path: string): string[] {
  return readText(path).split("\n").filter((l) => l.trim());
}

/** Saves collected examples (a JSON header line, then the float values), so a refit needs no replay. */
export function saveExamples(path: string, c: CollectedExamples): void {
  const header = { features: FEATURE_NAMES, instances: c.instances, groundTruths: c.groundTruths, unreachable: c.unreachable, shapes: c.examples.map((e) => [e.positives, e.size]) };
  const values = Buffer.concat(c.examples.map((e) => Buffer.from(e.values.buffer, e.values.byteOffset, e.values.byteLength)));
  writeFileSync(path, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), values]));
}

export function loadExamples(path: string): CollectedExamples {
  const raw = readFileSync(path);
  const nl = raw.indexOf(10);
  const header = JSON.parse(raw.subarray(0, nl).toString("utf8")) as { features: string[]; instances: number; groundTruths: number; unreachable: number; shapes: Array<[number, number]> };
  if (header.features.join() !== FEATURE_NAMES.join()) throw new Error(`${path} was collected with other features (${header.features.join(", ")}); collect again`);
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset + nl + 1, raw.byteOffset + raw.length));
  let offset = 0;
  const examples = header.shapes.map(([positives, size]) => {
    const values = floats.subarray(offset, offset + size * FEATURE_COUNT);
    offset += size * FEATURE_COUNT;
    return { values, positives, size };
  });
  return { examples, instances: header.instances, groundTruths: header.groundTruths, unreachable: header.unreachable };
}
