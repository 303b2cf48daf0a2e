// The ranker's weights: learnt on ReDial train by `chatrec train ranker` (models/ranker.json), loaded at
// start-up; hand-set weights remain for comparison (ablation) and for a checkout without the file.
import { ChatrecError } from "../errors.ts";
import { existsSync, readFileSync } from "node:fs";
import { MlpKernel } from "../util/kernels.ts";

/** Ranking features, all computed per (person, item); see rank.ts for their definitions. */
export const FEATURE_NAMES = [
  "message",
  "short",
  "long",
  "mentioned",
  "liked",
  "interest",
  "messageInterest",
  "genreHit",
  "messageGenreHit",
  "seedGenreHit",
  "negative",
  "comention",
  "movielens",
  "popularity",
  "seededPopularity",
  "movielensPopularity",
  "tmdbPopularity",
  "recency",
  "recencySquared",
  "yearMatch",
  "people",
  "series",
  "seedCount",
  "turns",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type FeatureWeights = Record<FeatureName, number>;

/** Signal groups switched off together by `--ablate <group>`. */
export const FEATURE_GROUPS = {
  neighbours: ["comention", "movielens"],
  message: ["message", "messageInterest", "messageGenreHit"],
  profile: [
    "short",
    "long",
    "mentioned",
    "liked",
    "interest",
    "genreHit",
    "seedGenreHit",
    "negative",
  ],
  popularity: ["popularity", "seededPopularity", "movielensPopularity", "tmdbPopularity"],
  facets: ["recency", "recencySquared", "yearMatch", "people", "series"],
  context: ["seedCount", "turns"],
} as const satisfies Record<string, readonly FeatureName[]>;
export type FeatureGroup = keyof typeof FEATURE_GROUPS;

/** The weights used before any were learnt (the ranker's original hand settings). */
export const HAND_WEIGHTS: Readonly<FeatureWeights> = Object.freeze({
  message: 1.0,
  short: 0.6,
  long: 0.3,
  mentioned: 0.5,
  liked: 0.8,
  interest: 0.5,
  messageInterest: 0,
  genreHit: 0,
  messageGenreHit: 0,
  seedGenreHit: 0,
  negative: -0.8,
  comention: 0.3,
  movielens: 0.5,
  popularity: 0.15,
  seededPopularity: 0,
  movielensPopularity: 0,
  tmdbPopularity: 0,
  recency: 0,
  recencySquared: 0,
  yearMatch: 0,
  people: 0.1,
  series: 0.1,
  seedCount: 0,
  turns: 0,
});

/** Item priors from data outside the dialogues, in [0, 1] by catalog id. */
export interface RankerPriors {
  /** log-scaled MovieLens ml-latest-small rating counts. */
  movielens: ReadonlyMap<string, number>;
  /** log-scaled TMDB 5000 vote counts (a 2017 snapshot: knows recent films MovieLens-small barely has). */
  tmdb: ReadonlyMap<string, number>;
}

/**
 * A small re-scorer over the linear stage's best candidates: s = linear·z + w2·relu(W1ᵀz + b1), with z the
 * features standardised by (x − mean) / std. Learnt jointly, it captures what a sum cannot ("popularity
 * counts less once the person named films").
 */
export interface MlpScorer {
  hidden: number;
  mean: number[];
  std: number[];
  linear: number[];
  /** FEATURE_COUNT x hidden, row-major. */
  w1: number[];
  b1: number[];
  w2: number[];
}

/**
 * The re-scorer compiled for the per-turn path (src/util/kernels.wat): the standardisation folded into the
 * weights (z = (x − mean) / std is linear), the hidden layer accumulated feature by feature so that the many
 * zero features of a candidate (no co-mention, no shared person, no series) cost nothing.
 */
export function compileMlp(mlp: MlpScorer): MlpKernel {
  const { hidden, mean, std, linear, w1, b1, w2 } = mlp;
  const F = linear.length;
  const lin = Float64Array.from(linear, (l, f) => l / std[f]!);
  let bias = 0;
  for (let f = 0; f < F; f++) bias -= (linear[f]! * mean[f]!) / std[f]!;
  // Feature-major: the hidden units' weights of feature f are contiguous at f * hidden.
  const w = new Float64Array(F * hidden);
  const b = new Float64Array(hidden);
  b.set(b1);
  for (let f = 0; f < F; f++) {
    for (let h = 0; h < hidden; h++) {
      w[f * hidden + h] = w1[f * hidden + h]! / std[f]!;
      b[h]! -= (w1[f * hidden + h]! * mean[f]!) / std[f]!;
    }
  }
  return new MlpKernel({ features: F, hidden, w, b, lin, bias, out: Float64Array.from(w2) });
}

export interface RankerModel {
  /** The linear scorer: the whole ranking without `mlp`, the first stage with it. */
  weights: FeatureWeights;
  priors: RankerPriors;
  mlp?: MlpScorer;
  source: "learnt" | "hand";
}

/** What models/ranker.json holds. */
export interface RankerFile {
  format: 2;
  features: FeatureName[];
  weights: FeatureWeights;
  priors: Record<keyof RankerPriors, Record<string, number>>;
  mlp?: MlpScorer;
  training: Record<string, unknown>;
}

export const RANKER_FILE = "ranker.json";

export const NO_PRIORS: RankerPriors = Object.freeze({ movielens: new Map(), tmdb: new Map() });

export function handModel(priors: RankerPriors = NO_PRIORS): RankerModel {
  return { weights: { ...HAND_WEIGHTS }, priors, source: "hand" };
}

export class RankerModelError extends ChatrecError {
  override name = "RankerModelError";
  constructor(message: string) {
    super("MODEL", message);
  }
}

function priorMap(record: Record<string, unknown> | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, v] of Object.entries(record ?? {}))
    if (typeof v === "number" && Number.isFinite(v)) out.set(id, v);
  return out;
}

function checkMlp(mlp: MlpScorer, path: string): MlpScorer {
  const F = FEATURE_NAMES.length;
  const H = mlp.hidden;
  const ok =
    Number.isInteger(H) &&
    H > 0 &&
    [mlp.mean, mlp.std, mlp.linear].every((a) => Array.isArray(a) && a.length === F) &&
    mlp.w1?.length === F * H &&
    mlp.b1?.length === H &&
    mlp.w2?.length === H &&
    [mlp.mean, mlp.std, mlp.linear, mlp.w1, mlp.b1, mlp.w2].every((a) =>
      a.every((x) => Number.isFinite(x)),
    );
  if (!ok)
    throw new RankerModelError(
      `ranker: ${path} has a malformed "mlp" (shapes must match ${F} features); run \`chatrec train ranker\``,
    );
  return mlp;
}

/** Reads a ranker file; a missing file gives the hand weights, a malformed one is an error naming the problem. */
export function loadRankerModel(path: string): RankerModel {
  if (!existsSync(path)) return handModel();
  let file: RankerFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as RankerFile;
  } catch (e) {
    throw new RankerModelError(`ranker: cannot read ${path}: ${(e as Error).message}`);
  }
  if (file.format !== 2)
    throw new RankerModelError(
      `ranker: ${path} has format ${String(file.format)}, this version reads format 2 (its features changed); run \`chatrec train ranker\``,
    );
  const weights = {} as FeatureWeights;
  for (const name of FEATURE_NAMES) {
    const w = file.weights?.[name];
    if (typeof w !== "number" || !Number.isFinite(w))
      throw new RankerModelError(
        `ranker: ${path} has no weight for feature "${name}"; run \`chatrec train ranker\``,
      );
    weights[name] = w;
  }
  if (file.mlp !== undefined && file.features?.join() !== FEATURE_NAMES.join())
    throw new RankerModelError(
      `ranker: ${path} was trained on other features; run \`chatrec train ranker\``,
    );
  return {
    weights,
    priors: { movielens: priorMap(file.priors?.movielens), tmdb: priorMap(file.priors?.tmdb) },
    ...(file.mlp !== undefined ? { mlp: checkMlp(file.mlp, path) } : {}),
    source: "learnt",
  };
}

/** The same model with the named groups' weights set to zero. */
export function ablated(model: RankerModel, groups: readonly FeatureGroup[]): RankerModel {
  if (groups.length === 0) return model;
  const weights = { ...model.weights };
  for (const g of groups) for (const f of FEATURE_GROUPS[g]) weights[f] = 0;
  // Without refitting, a re-scorer cannot be ablated feature by feature: the ablated model is the linear one.
  const { mlp: _dropped, ...rest } = model;
  return { ...rest, weights };
}

/** "neighbours,message" -> the groups, or an error naming the unknown one. */
export function parseFeatureGroups(value: string | undefined): FeatureGroup[] {
  if (!value) return [];
  return value.split(",").map((g) => {
    if (!(g in FEATURE_GROUPS))
      throw new Error(
        `unknown signal group "${g}"; available: ${Object.keys(FEATURE_GROUPS).join(", ")}`,
      );
    return g as FeatureGroup;
  });
}
