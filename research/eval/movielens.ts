// MovieLens replay: each user's ratings, in time order, become feedback events on the real-time profile;
// the user's last liked rating (4+ stars) is held out and the whole catalog is ranked from what came before.
// Leave-last-out next-item HR@10 / NDCG@10 for the profile with decay (ranked by the bot's Ranker: its weights,
// with item-kNN neighbours learnt from the training portions), the same profile with each kind of decay
// alone and without decay, the content-only ranker, and popularity and item-kNN baselines (training portions only).
import type { Catalog } from "../../src/catalog/catalog.ts";
import {
  applyEvent,
  DEFAULT_PROFILE_SETTINGS,
  emptyProfile,
  NO_DECAY_PROFILE_SETTINGS,
  type Profile,
  type ProfileSettings,
} from "../../src/profile/profile.ts";
import { Neighbours } from "../../src/recommend/neighbours.ts";
import { Ranker } from "../../src/recommend/rank.ts";
import { NO_PRIORS, type RankerModel } from "../../src/recommend/ranker-model.ts";
import { itemKnn } from "../train/item-knn.ts";
import { LIKE_THRESHOLD, MOVIELENS_KNN, likeBaskets, type Rating } from "../train/neighbours.ts";
import type { Signal } from "../../src/types.ts";

/** Below this a rating is a dislike; between it and LIKE_THRESHOLD the person has merely seen the movie. */
export const DISLIKE_AT_MOST = 2;
export const K = 10;

export function ratingSignal(rating: number): Signal {
  return rating >= LIKE_THRESHOLD ? "like" : rating <= DISLIKE_AT_MOST ? "dislike" : "seen";
}

export interface UserSplit {
  user: string;
  /** Ratings before the held-out one, in time order. */
  train: Rating[];
  heldOut: Rating;
}

/** Per user: the last liked rating in time order is held out; everything rated before it is training. */
export function leaveLastLikedOut(ratings: readonly Rating[]): UserSplit[] {
  const byUser = new Map<string, Rating[]>();
  for (const r of ratings) byUser.set(r.user, [...(byUser.get(r.user) ?? []), r]);
  const out: UserSplit[] = [];
  for (const [user, list] of byUser) {
    // Stable: same-second ratings keep their file order.
    const sorted = list
      .map((r, i) => ({ r, i }))
      .sort((a, b) => a.r.at - b.r.at || a.i - b.i)
      .map((x) => x.r);
    let last = -1;
    for (let i = sorted.length - 1; i >= 0 && last < 0; i--)
      if (sorted[i]!.rating >= LIKE_THRESHOLD) last = i;
    if (last <= 0) continue; // no like, or nothing before it to learn from
    out.push({ user, train: sorted.slice(0, last), heldOut: sorted[last]! });
  }
  return out;
}

/** 1-based rank of `target` in `ranked` (undefined when absent), and the two metrics at K for one user. */
export function hitAndNdcg(
  ranked: readonly string[],
  target: string,
  k = K,
): { rank?: number; hit: number; ndcg: number } {
  const i = ranked.indexOf(target);
  if (i < 0 || i >= k) return { ...(i >= 0 ? { rank: i + 1 } : {}), hit: 0, ndcg: 0 };
  // One relevant item: IDCG = 1, so NDCG = 1 / log2(rank + 1).
  return { rank: i + 1, hit: 1, ndcg: 1 / Math.log2(i + 2) };
}

/** The profile after replaying `train` as feedback events at the ratings' timestamps. */
export function replayProfile(
  train: readonly Rating[],
  catalog: Catalog,
  settings: Readonly<ProfileSettings>,
): Profile {
  let p = emptyProfile(catalog.labels.length, catalog.dim, train[0]?.at ?? 0);
  train.forEach((r, i) => {
    if (catalog.row(r.item) === undefined) return;
    p = applyEvent(
      p,
      {
        seq: i + 1,
        at: r.at,
        kind: "feedback",
        intent: "feedback",
        signals: [{ itemId: r.item, signal: ratingSignal(r.rating) }],
        shown: [],
      },
      catalog,
      settings,
    );
  });
  return p;
}

/** Training-portion like counts per catalog item (the popularity prior; held-out items never count). */
export function trainingPopularity(splits: readonly UserSplit[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of splits)
    for (const r of s.train)
      if (r.rating >= LIKE_THRESHOLD) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
  return counts;
}

export interface MethodResult {
  users: number;
  "hr@10": number;
  "ndcg@10": number;
}

/** The profile variants compared, all ranked by the bot's Ranker: its settings, each kind of decay alone, and none. */
const PROFILE_VARIANTS = {
  "profile (decay)": DEFAULT_PROFILE_SETTINGS,
  "profile (time decay only)": { ...DEFAULT_PROFILE_SETTINGS, shortTurnDecay: 1, longTurnDecay: 1 },
  "profile (turn decay only)": {
    ...DEFAULT_PROFILE_SETTINGS,
    shortHalfLifeMs: Infinity,
    longHalfLifeMs: Infinity,
  },
  "profile (no decay)": NO_DECAY_PROFILE_SETTINGS,
} as const satisfies Record<string, Readonly<ProfileSettings>>;

const CONTENT_ONLY = "profile (decay), content only";
export type MethodName =
  keyof typeof PROFILE_VARIANTS | typeof CONTENT_ONLY | "popularity" | "item-kNN";
export const METHODS: readonly MethodName[] = [
  ...(Object.keys(PROFILE_VARIANTS) as Array<keyof typeof PROFILE_VARIANTS>),
  CONTENT_ONLY,
  "popularity",
  "item-kNN",
];

/** Top-K ids from a score map, skipping what the user has rated; ties by catalog order. */
function topFromScores(
  catalog: Catalog,
  score: (id: string) => number,
  rated: ReadonlySet<string>,
  k: number,
): string[] {
  const scored: Array<{ id: string; s: number; row: number }> = [];
  catalog.items.forEach((item, row) => {
    if (!rated.has(item.id)) scored.push({ id: item.id, s: score(item.id), row });
  });
  scored.sort((a, b) => b.s - a.s || a.row - b.row);
  return scored.slice(0, k).map((x) => x.id);
}

/**
 * Runs every method over every user split. `catalog.popularity` must already be the training-portion prior
 * (the ranker's popularity feature); item-kNN is learnt from the training portions only, so no held-out
 * item is ever seen by any method. `model` gives the ranker's weights (the bot's models/ranker.json); its
 * MovieLens and TMDB priors are dropped: MovieLens counts every rating, held-out ones included, and both are keyed by ReDial ids.
 */
export function evaluateMovielens(
  splits: readonly UserSplit[],
  catalog: Catalog,
  model: RankerModel,
  onProgress?: (done: number, total: number) => void,
): Record<MethodName, MethodResult> {
  const popularity = trainingPopularity(splits);
  const knn = new Neighbours(
    [...itemKnn(likeBaskets(splits.flatMap((s) => s.train)), MOVIELENS_KNN)].map(([id, list]) => ({
      id,
      neighbours: list.map((n) => ({ ...n, movielens: n.score, comention: 0 })),
    })),
  );
  const sums = Object.fromEntries(METHODS.map((m) => [m, { users: 0, hit: 0, ndcg: 0 }])) as Record<
    MethodName,
    { users: number; hit: number; ndcg: number }
  >;
  const add = (m: MethodName, ranked: string[], target: string) => {
    const r = hitAndNdcg(ranked, target);
    sums[m].users++;
    sums[m].hit += r.hit;
    sums[m].ndcg += r.ndcg;
  };
  const weights = { ...model, priors: NO_PRIORS };
  const ranker = new Ranker(catalog, knn, weights);
  const contentOnly = new Ranker(catalog, Neighbours.empty(), weights);
  // MMR with λ = 1 is plain score order, and only the top K get their features computed.
  const profileTop = (by: Ranker, settings: Readonly<ProfileSettings>, train: readonly Rating[]) =>
    by
      .rank({ profile: replayProfile(train, catalog, settings), limit: K, mmrLambda: 1 })
      .map((r) => catalog.items[r.row]!.id);
  splits.forEach((s, i) => {
    if (catalog.row(s.heldOut.item) === undefined) return;
    const rated = new Set(s.train.map((r) => r.item));
    const target = s.heldOut.item;
    for (const [name, settings] of Object.entries(PROFILE_VARIANTS))
      add(name as MethodName, profileTop(ranker, settings, s.train), target);
    add(CONTENT_ONLY, profileTop(contentOnly, DEFAULT_PROFILE_SETTINGS, s.train), target);
    add(
      "popularity",
      topFromScores(catalog, (id) => popularity.get(id) ?? 0, rated, K),
      target,
    );
    const liked = s.train.filter((r) => r.rating >= LIKE_THRESHOLD).map((r) => r.item);
    const nScores = knn.scoreFor(liked);
    add(
      "item-kNN",
      topFromScores(
        catalog,
        (id) => (nScores.get(id)?.score ?? 0) + 1e-6 * (popularity.get(id) ?? 0),
        rated,
        K,
      ),
      target,
    );
    onProgress?.(i + 1, splits.length);
  });
  return Object.fromEntries(
    METHODS.map((m) => [
      m,
      {
        users: sums[m].users,
        "hr@10": sums[m].users ? sums[m].hit / sums[m].users : 0,
        "ndcg@10": sums[m].users ? sums[m].ndcg / sums[m].users : 0,
      },
    ]),
  ) as Record<MethodName, MethodResult>;
}
