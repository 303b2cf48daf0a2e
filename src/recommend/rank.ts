// Scores the whole catalog for one turn from a few features, filters what must never be offered, and
// diversifies the top with MMR. Catalog arrays are in memory, so this is a single pass over flat arrays.
import type { Catalog } from "../catalog/catalog.ts";
import { blendedInterests, excludedItems, type Profile } from "../profile/profile.ts";
import { dot, norm } from "../util/vec.ts";

export const FEATURE_WEIGHTS = { message: 1.0, short: 0.6, long: 0.3, interest: 0.5, liked: 0.8, negative: -0.8, popularity: 0.15, shownBefore: -0.3 };

export interface Features {
  message: number;
  short: number;
  long: number;
  interest: number;
  liked: number;
  likedItemId?: string;
  negative: number;
  popularity: number;
  shownBefore: number;
}

export interface RankedItem {
  row: number;
  score: number;
  features: Features;
}

export interface RankRequest {
  profile: Profile;
  /** The message's embedding, when it says something (null for "more", "why" ...). */
  message?: Float32Array;
  /** Centre the list on this item ("more like the second one"). */
  anchorItemId?: string;
  limit: number;
  mmrLambda: number;
  /** false: plain score order of every candidate (for explaining one item). */
  diversify?: boolean;
}

function cos(a: Float32Array, aNorm: number, matrix: Float32Array, row: number, dim: number): number {
  return aNorm < 1e-9 ? 0 : dot(a, matrix, row * dim) / aNorm;
}

export function rank(catalog: Catalog, req: RankRequest): RankedItem[] {
  const { profile } = req;
  const dim = catalog.dim;
  const L = catalog.labels.length;
  const excluded = excludedItems(profile);
  // The same title twice in a catalog (with and without a year) must not sneak a mentioned item back in.
  const excludedTitles = new Set([...excluded].map((id) => catalog.titleKeyOf(id)).filter(Boolean));
  const shown = new Set(profile.shown);
  const interests = blendedInterests(profile);
  const negSum = profile.negative.reduce((a, b) => a + b, 0);
  const negative = negSum > 0 ? profile.negative.map((v) => v / negSum) : profile.negative;
  const { excludeCategories, includeCategories, minYear, maxYear } = profile.constraints;
  const liked = profile.liked.slice(-10).flatMap((id) => {
    const row = catalog.row(id);
    return row === undefined ? [] : [{ id, vec: catalog.vector(row) }];
  });
  const anchorRow = req.anchorItemId !== undefined ? catalog.row(req.anchorItemId) : undefined;
  const anchor = anchorRow !== undefined ? catalog.vector(anchorRow) : undefined;
  const msg = req.message ?? anchor;
  const msgNorm = msg ? norm(msg) : 0;
  const sNorm = norm(profile.shortVec);
  const lNorm = norm(profile.longVec);
  const nNorm = norm(profile.negVec);
  const w = FEATURE_WEIGHTS;

  const scored: RankedItem[] = [];
  for (let row = 0; row < catalog.size; row++) {
    const item = catalog.items[row]!;
    if (excluded.has(item.id) || item.id === req.anchorItemId || excludedTitles.has(catalog.titleKeys[row]!)) continue;
    if (excludeCategories.length && item.categories.some((c) => excludeCategories.includes(c))) continue;
    if ((minYear !== undefined || maxYear !== undefined) && (item.year === undefined || item.year < (minYear ?? -Infinity) || item.year > (maxYear ?? Infinity))) continue;
    let interest = 0;
    let neg = 0;
    const off = row * L;
    for (let l = 0; l < L; l++) {
      interest += interests[l]! * catalog.interests[off + l]!;
      neg += negative[l]! * catalog.interests[off + l]!;
    }
    let bestLiked = 0;
    let likedItemId: string | undefined;
    for (const { id, vec } of liked) {
      const s = dot(vec, catalog.vectors, row * dim);
      if (s > bestLiked) { bestLiked = s; likedItemId = id; }
    }
    const f: Features = {
      message: msg ? cos(msg, msgNorm, catalog.vectors, row, dim) : 0,
      short: cos(profile.shortVec, sNorm, catalog.vectors, row, dim),
      long: cos(profile.longVec, lNorm, catalog.vectors, row, dim),
      interest,
      liked: bestLiked,
      ...(likedItemId ? { likedItemId } : {}),
      negative: Math.max(neg, cos(profile.negVec, nNorm, catalog.vectors, row, dim)),
      popularity: catalog.popularity[row]!,
      shownBefore: shown.has(item.id) ? 1 : 0,
    };
    let score = w.message * f.message + w.short * f.short + w.long * f.long + w.interest * f.interest + w.liked * f.liked + w.negative * f.negative + w.popularity * f.popularity + w.shownBefore * f.shownBefore;
    if (includeCategories.length && item.categories.some((c) => includeCategories.includes(c))) score += 0.2;
    scored.push({ row, score, features: f });
  }
  scored.sort((a, b) => b.score - a.score);
  if (req.diversify === false) return scored;
  return mmr(catalog, scored.slice(0, Math.max(50, req.limit * 10)), req.limit, req.mmrLambda);
}

/** Maximal marginal relevance: trade score against similarity to what is already picked. */
export function mmr(catalog: Catalog, candidates: RankedItem[], k: number, lambda: number): RankedItem[] {
  const picked: RankedItem[] = [];
  const pool = [...candidates];
  while (picked.length < k && pool.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < pool.length; i++) {
      const c = pool[i]!;
      let maxSim = 0;
      for (const p of picked) maxSim = Math.max(maxSim, dot(catalog.vector(c.row), catalog.vectors, p.row * catalog.dim));
      const value = lambda * c.score - (1 - lambda) * maxSim;
      if (value > bestValue) { bestValue = value; best = i; }
    }
    picked.push(pool.splice(best, 1)[0]!);
  }
  return picked;
}
