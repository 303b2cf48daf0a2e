// Learns the ranker's feature weights on ReDial train (never dev): train dialogues are replayed through a
// real Bot exactly as `chatrec eval redial` replays dev; at every instance (the protocol's, and at half weight
// each seeker message that brings up new movies) the features of the ground-truth movies and of uniformly
// sampled other movies are kept, and a linear scorer is fitted with a softmax loss
// (each ground truth against its instance's sample: with uniform negatives this estimates the softmax over
// the whole catalog, which is what Recall@K ranks).
//
// Leakage guards: every signal learnt from train must be computed for a train dialogue as if that dialogue
// had not been seen. Popularity and co-mentions are counts, so the dialogue's own counts are subtracted
// (leave one dialogue out). The interest model is itself trained on the train dialogues, so its text and item
// vectors are cross-fitted: ranker-folds.ts replays each fold with a model trained without that fold.
import { readFileSync, writeFileSync } from "node:fs";
import type { Replay } from "../../src/replay.ts";
import { replayDialogue, type SeekerMentionInstance } from "../eval/redial-replay.ts";
import { FEATURE_COUNT, type FeatureMatrix } from "../../src/recommend/rank.ts";
import {
  FEATURE_NAMES,
  type FeatureName,
  type FeatureWeights,
  type MlpScorer,
  type RankerFile,
  type RankerModel,
  type RankerPriors,
} from "../../src/recommend/ranker-model.ts";
import type { RedialConversation } from "./data.ts";
import { readText } from "./data.ts";
import { Rng } from "./rng.ts";

export interface RankerTrainingOptions {
  seed: number;
  /** Uniformly sampled other movies kept per instance. */
  negatives: number;
  epochs: number;
  l2: number;
  /** Cross-fitting folds (1: no cross-fitting, the shipped interest model for every dialogue). */
  folds: number;
  /**
   * Loss weight of the extra instances at seeker messages that bring up new movies (0: none). What people
   * bring up next is a related target to what the recommender offers next; it adds about half as many instances again.
   */
  seekerWeight: number;
  /** Dialogues replayed at once (each is its own person). */
  concurrency: number;
  progress?: (done: number, total: number) => void;
}

export const DEFAULT_RANKER_TRAINING: RankerTrainingOptions = {
  seed: 7,
  negatives: 1000,
  epochs: 300,
  l2: 1e-4,
  folds: 8,
  seekerWeight: 0.5,
  concurrency: 4,
};

/** One instance's candidates: `positives` ground-truth rows first, then negatives, FEATURE_COUNT values each. */
export interface RankerExample {
  values: Float32Array;
  positives: number;
  size: number;
  /** Loss weight: 1 for the protocol's instances, RankerTrainingOptions.seekerWeight for seeker mentions. */
  weight: number;
}

/**
 * Features whose weight must be >= 0 (1) or <= 0 (-1); the others are free. A better match with what the
 * person said or liked never counts against an item, a closer match with what they rejected never for it.
 */
const SIGN: Partial<Record<FeatureName, 1 | -1>> = {
  message: 1,
  short: 1,
  long: 1,
  mentioned: 1,
  liked: 1,
  interest: 1,
  messageInterest: 1,
  negative: -1,
  comention: 1,
  movielens: 1,
  people: 1,
  series: 1,
  yearMatch: 1,
};

export interface CollectedExamples {
  examples: RankerExample[];
  /** Instances (with ground truths), of which seekerInstances are at seeker messages. */
  instances: number;
  seekerInstances: number;
  groundTruths: number;
  /** Ground truths that could not be learnt from (blocked by the bot, e.g. a constraint). */
  unreachable: number;
}

export function emptyCollection(): CollectedExamples {
  return { examples: [], instances: 0, seekerInstances: 0, groundTruths: 0, unreachable: 0 };
}

/** The movies one ReDial dialogue mentions (movieMentions keys and `@id` in the text): its popularity counts. */
export function dialogueBasket(line: string): Set<string> {
  const d = JSON.parse(line) as {
    movieMentions?: Record<string, unknown>;
    messages?: Array<{ text?: string }>;
  };
  const ids = new Set(Object.keys(d.movieMentions ?? {}));
  for (const m of d.messages ?? [])
    for (const x of (m.text ?? "").matchAll(/@(\d+)/g)) ids.add(x[1]!);
  return ids;
}

/** The catalog's popularity prior as if `basket`'s dialogue had not been counted (the features hold log1p(p)/max). */
function leaveOutPopularity(
  replay: Replay,
  m: FeatureMatrix,
  position: ReadonlyMap<string, number>,
  basket: ReadonlySet<string>,
): void {
  const columns = [FEATURE_NAMES.indexOf("popularity"), FEATURE_NAMES.indexOf("seededPopularity")];
  for (const id of basket) {
    const k = position.get(id);
    const p = Number(replay.catalog.item(id)?.extra.popularity) || 0;
    if (k === undefined || p <= 0) continue;
    for (const c of columns) m.values[k * FEATURE_COUNT + c]! *= Math.log1p(p - 1) / Math.log1p(p);
  }
}

/**
 * Replays `dialogues` (with their raw JSONL lines) through `replay` and adds each instance's candidates to `out`.
 * The replay's own model and catalog vectors are used as they are: the caller cross-fits them (ranker-folds.ts).
 */
export async function collectExamples(
  replay: Replay,
  dialogues: readonly RedialConversation[],
  lines: readonly string[],
  model: RankerModel,
  opts: RankerTrainingOptions,
  out: CollectedExamples,
): Promise<void> {
  const { catalog } = replay;
  const base = replay.ranker.withModel(model);
  // Per dialogue, in dialogue order, with its own random stream: the result does not depend on which replay
  // finishes first.
  const byDialogue: RankerExample[][] = dialogues.map(() => []);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < dialogues.length) {
      const i = next++;
      const d = dialogues[i]!;
      const basket = dialogueBasket(lines[i]!);
      const ranker = base.withNeighbours(replay.neighbours.withoutBasket(basket));
      const rng = new Rng(opts.seed * 100_003 + i);
      const user = { platform: "redial-train", id: `${d.id}#${i}` };
      // One instance's candidates: its ground truths and uniformly sampled other movies.
      const add = async (
        text: string,
        groundTruth: readonly string[],
        mentionedBefore: ReadonlySet<string>,
        at: number,
        weight: number,
      ) => {
        out.instances++;
        out.groundTruths += groundTruth.length;
        const m = ranker.featureMatrix(
          await replay.rankingRequest(user, { limit: 50, at, ...(text ? { text } : {}) }),
        );
        const position = new Map<string, number>();
        m.rows.forEach((row, k) => position.set(catalog.items[row]!.id, k));
        leaveOutPopularity(replay, m, position, basket);
        const positives = groundTruth
          .map((id) => position.get(id))
          .filter((k): k is number => k !== undefined);
        out.unreachable += groundTruth.length - positives.length;
        if (positives.length === 0) return;
        const exclude = new Set([
          ...positives,
          ...[...mentionedBefore]
            .map((id) => position.get(id))
            .filter((k): k is number => k !== undefined),
        ]);
        const negatives = new Set<number>();
        for (
          let tries = 0;
          negatives.size < opts.negatives && tries < opts.negatives * 3;
          tries++
        ) {
          const k = rng.int(m.rows.length);
          if (!exclude.has(k)) negatives.add(k);
        }
        const chosen = [...positives, ...negatives];
        const values = new Float32Array(chosen.length * FEATURE_COUNT);
        chosen.forEach((k, j) =>
          values.set(
            m.values.subarray(k * FEATURE_COUNT, (k + 1) * FEATURE_COUNT),
            j * FEATURE_COUNT,
          ),
        );
        byDialogue[i]!.push({ values, positives: positives.length, size: chosen.length, weight });
      };
      await replayDialogue(replay, d, user, {
        instance: async (inst) => {
          if (inst.groundTruth.length > 0)
            await add(inst.seekerText, inst.groundTruth, inst.mentionedBefore, inst.at, 1);
        },
        ...(opts.seekerWeight > 0
          ? {
              seekerMentions: async (inst: SeekerMentionInstance) => {
                out.seekerInstances++;
                await add(
                  inst.text,
                  inst.groundTruth,
                  inst.mentionedBefore,
                  inst.at,
                  opts.seekerWeight,
                );
              },
            }
          : {}),
      });
      opts.progress?.(++done, dialogues.length);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  out.examples.push(...byDialogue.flat());
}

/** Per-feature mean and standard deviation over every candidate row, and the examples standardised by them. */
export function standardised(examples: readonly RankerExample[]): {
  mean: Float64Array;
  std: Float64Array;
  xs: Float32Array[];
} {
  const F = FEATURE_COUNT;
  const mean = new Float64Array(F);
  const sq = new Float64Array(F);
  let rows = 0;
  for (const e of examples)
    for (let j = 0; j < e.size; j++) {
      rows++;
      for (let f = 0; f < F; f++) {
        const x = e.values[j * F + f]!;
        mean[f]! += x;
        sq[f]! += x * x;
      }
    }
  for (let f = 0; f < F; f++) mean[f]! /= Math.max(1, rows);
  const std = Float64Array.from(mean, (m, f) =>
    Math.sqrt(Math.max(1e-12, sq[f]! / Math.max(1, rows) - m * m)),
  );
  // Standardised copies, once: the epochs then only read them.
  const xs = examples.map((e) => {
    const z = new Float32Array(e.values.length);
    for (let i = 0; i < z.length; i++) z[i] = (e.values[i]! - mean[i % F]!) / std[i % F]!;
    return z;
  });
  return { mean, std, xs };
}

export interface FitResult {
  weights: FeatureWeights;
  loss: number;
  /** Share of ground truths ranked first among their instance's sampled candidates. */
  sampledTop1: number;
}

/**
 * Softmax loss: for each ground truth g of an instance with negatives N, loss = −s_g + log Σ_{c ∈ {g} ∪ N} exp(s_c)
 * (times the instance's weight),
 * s = w·x over standardised features, L2 on w; full-batch Adam with the sign constraints projected after each
 * step. Weights are returned on the raw feature scale.
 */
export function fitRanker(
  examples: readonly RankerExample[],
  opts: Pick<RankerTrainingOptions, "epochs" | "l2">,
  without: ReadonlySet<FeatureName> = new Set(),
): FitResult {
  const Fn = FEATURE_COUNT;
  const free = FEATURE_NAMES.map((name) => !without.has(name));
  const lower = FEATURE_NAMES.map((name) => (SIGN[name] === 1 ? 0 : -Infinity));
  const upper = FEATURE_NAMES.map((name) => (SIGN[name] === -1 ? 0 : Infinity));
  const { std, xs } = standardised(examples);
  const w = new Float64Array(Fn);
  const m1 = new Float64Array(Fn);
  const m2 = new Float64Array(Fn);
  const lr = 0.05;
  let loss = 0;
  let top1 = 0;
  let positives = 0;
  const maxSize = Math.max(1, ...examples.map((e) => e.size));
  const s = new Float64Array(maxSize);
  const p = new Float64Array(maxSize);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const grad = new Float64Array(Fn);
    loss = 0;
    top1 = 0;
    positives = 0;
    examples.forEach((e, n) => {
      const z = xs[n]!;
      for (let j = 0; j < e.size; j++) {
        let v = 0;
        for (let f = 0; f < Fn; f++) v += w[f]! * z[j * Fn + f]!;
        s[j] = v;
      }
      let maxNeg = -Infinity;
      for (let j = e.positives; j < e.size; j++) maxNeg = Math.max(maxNeg, s[j]!);
      let negZ = 0;
      for (let j = e.positives; j < e.size; j++) negZ += p[j] = Math.exp(s[j]! - maxNeg);
      for (let g = 0; g < e.positives; g++) {
        const max = Math.max(s[g]!, maxNeg);
        const zg = Math.exp(s[g]! - max);
        const zn = negZ * Math.exp(maxNeg - max);
        const total = zg + zn;
        loss += e.weight * (-(s[g]! - max) + Math.log(total));
        positives += e.weight;
        if (s[g]! > maxNeg) top1 += e.weight;
        const pg = zg / total;
        const scaleNeg = (e.weight * Math.exp(maxNeg - max)) / total;
        for (let f = 0; f < Fn; f++) grad[f]! += e.weight * (pg - 1) * z[g * Fn + f]!;
        for (let j = e.positives; j < e.size; j++) {
          const pj = p[j]! * scaleNeg;
          for (let f = 0; f < Fn; f++) grad[f]! += pj * z[j * Fn + f]!;
        }
      }
    });
    for (let f = 0; f < Fn; f++) {
      if (!free[f]) continue;
      const g = grad[f]! / Math.max(1, positives) + opts.l2 * w[f]!;
      m1[f] = 0.9 * m1[f]! + 0.1 * g;
      m2[f] = 0.999 * m2[f]! + 0.001 * g * g;
      w[f]! -=
        (lr * (m1[f]! / (1 - 0.9 ** epoch))) / (Math.sqrt(m2[f]! / (1 - 0.999 ** epoch)) + 1e-8);
      w[f] = Math.min(upper[f]!, Math.max(lower[f]!, w[f]!));
    }
  }
  const weights = {} as FeatureWeights;
  FEATURE_NAMES.forEach((name, f) => {
    weights[name] = Math.round((w[f]! / std[f]!) * 1e5) / 1e5;
  });
  return {
    weights,
    loss: loss / Math.max(1, positives),
    sampledTop1: top1 / Math.max(1, positives),
  };
}

export function rankerFile(
  weights: FeatureWeights,
  priors: RankerPriors,
  mlp: MlpScorer | undefined,
  training: Record<string, unknown>,
): RankerFile {
  const record = (m: ReadonlyMap<string, number>) =>
    Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    format: 2,
    features: [...FEATURE_NAMES],
    weights,
    priors: { movielens: record(priors.movielens), tmdb: record(priors.tmdb) },
    ...(mlp ? { mlp } : {}),
    training,
  };
}

/** Raw JSONL lines of a ReDial file, in the order loadRedial reads them. */
export function dialogueLines(path: string): string[] {
  return readText(path)
    .split("\n")
    .filter((l) => l.trim());
}

/** Saves collected examples (a JSON header line, then the float values), so a refit needs no replay. */
export function saveExamples(
  path: string,
  c: CollectedExamples,
  about: Record<string, unknown>,
): void {
  const header = {
    features: FEATURE_NAMES,
    ...about,
    instances: c.instances,
    seekerInstances: c.seekerInstances,
    groundTruths: c.groundTruths,
    unreachable: c.unreachable,
    shapes: c.examples.map((e) => [e.positives, e.size, e.weight]),
  };
  const values = Buffer.concat(
    c.examples.map((e) => Buffer.from(e.values.buffer, e.values.byteOffset, e.values.byteLength)),
  );
  writeFileSync(path, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), values]));
}

export function loadExamples(path: string): CollectedExamples {
  const raw = readFileSync(path);
  const nl = raw.indexOf(10);
  const header = JSON.parse(raw.subarray(0, nl).toString("utf8")) as {
    features: string[];
    instances: number;
    seekerInstances?: number;
    groundTruths: number;
    unreachable: number;
    shapes: Array<[number, number, number?]>;
  };
  if (header.features.join() !== FEATURE_NAMES.join())
    throw new Error(
      `${path} was collected with other features (${header.features.join(", ")}); collect again`,
    );
  const floats = new Float32Array(
    raw.buffer.slice(raw.byteOffset + nl + 1, raw.byteOffset + raw.length),
  );
  let offset = 0;
  const examples = header.shapes.map(([positives, size, weight = 1]) => {
    const values = floats.subarray(offset, offset + size * FEATURE_COUNT);
    offset += size * FEATURE_COUNT;
    return { values, positives, size, weight };
  });
  return {
    examples,
    instances: header.instances,
    seekerInstances: header.seekerInstances ?? 0,
    groundTruths: header.groundTruths,
    unreachable: header.unreachable,
  };
}
