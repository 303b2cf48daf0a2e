// The ranker's weights: learnt on ReDial train by `chatrec train ranker` (models/ranker.json), loaded at
// start-up; hand-set weights remain for comparison (ablation) and for a checkout without the file.
import { existsSync, readFileSync } from "node:fs";

/** Ranking features, all computed per (person, item); see rank.ts for their definitions. */
export const FEATURE_NAMES = [
  "message",
  "short",
  "long",
  "mentioned",
  "liked",
  "interest",
  "messageInterest",
  "negative",
  "comention",
  "movielens",
  "popularity",
  "seededPopularity",
  "movielensPopularity",
  "recency",
  "recencySquared",
  "yearMatch",
  "people",
  "series",
  "novelty",
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type FeatureWeights = Record<FeatureName, number>;

/** Signal groups switched off together by `--ablate <group>`. */
export const FEATURE_GROUPS = {
  neighbours: ["comention", "movielens"],
  message: ["message", "messageInterest"],
  profile: ["short", "long", "mentioned", "liked", "interest", "negative"],
  popularity: ["popularity", "seededPopularity", "movielensPopularity"],
  facets: ["recency", "recencySquared", "yearMatch", "people", "series"],
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
  negative: -0.8,
  comention: 0.3,
  movielens: 0.5,
  popularity: 0.15,
  seededPopularity: 0,
  movielensPopularity: 0,
  recency: 0,
  recencySquared: 0,
  yearMatch: 0,
  people: 0.1,
  series: 0.1,
  novelty: 0.3,
});

export interface RankerModel {
  weights: FeatureWeights;
  /** log-scaled MovieLens rating counts in [0, 1] by catalog id (training data, not ReDial dev). */
  movielensPopularity: ReadonlyMap<string, number>;
  source: "learnt" | "hand";
}

/** What models/ranker.json holds. */
export interface RankerFile {
  format: 2;
  features: FeatureName[];
  weights: FeatureWeights;
  movielensPopularity: Record<string, number>;
  training: Record<string, unknown>;
}

export const RANKER_FILE = "ranker.json";

export function handModel(movielensPopularity: ReadonlyMap<string, number> = new Map()): RankerModel {
  return { weights: { ...HAND_WEIGHTS }, movielensPopularity, source: "hand" };
}

export class RankerModelError extends Error {
  override name = "RankerModelError";
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
  if (file.format !== 2) throw new RankerModelError(`ranker: ${path} has format ${String(file.format)}, this version reads format 2 (its features changed); run \`chatrec train ranker\``);
  const weights = {} as FeatureWeights;
  for (const name of FEATURE_NAMES) {
    const w = file.weights?.[name];
    if (typeof w !== "number" || !Number.isFinite(w)) throw new RankerModelError(`ranker: ${path} has no weight for feature "${name}"; run \`chatrec train ranker\``);
    weights[name] = w;
  }
  const prior = new Map<string, number>();
  for (const [id, v] of Object.entries(file.movielensPopularity ?? {})) if (typeof v === "number" && Number.isFinite(v)) prior.set(id, v);
  return { weights, movielensPopularity: prior, source: "learnt" };
}

/** The same model with the named groups' weights set to zero. */
export function ablated(model: RankerModel, groups: readonly FeatureGroup[]): RankerModel {
  const weights = { ...model.weights };
  for (const g of groups) for (const f of FEATURE_GROUPS[g]) weights[f] = 0;
  return { ...model, weights };
}

/** "neighbours,message" -> the groups, or an error naming the unknown one. */
export function parseFeatureGroups(value: string | undefined): FeatureGroup[] {
  if (!value) return [];
  return value.split(",").map((g) => {
    if (!(g in FEATURE_GROUPS)) throw new Error(`unknown signal group "${g}"; available: ${Object.keys(FEATURE_GROUPS).join(", ")}`);
    return g as FeatureGroup;
  });
}
