// Learns the shipped item-to-item neighbours, keyed by catalog (ReDial) ids, from two collaborative sources:
//   MovieLens ml-latest-small: baskets = the movies each user rated 4 stars or more (ids mapped to ReDial ids)
//   ReDial train dialogues:    baskets = the movies each dialogue mentions (train only: dev is for evaluation)
// MovieLens gives shrunk-cosine neighbours (item-knn.ts, top K per item). ReDial co-mentions are kept as raw
// counts, every pair (about 100k): the ranker sums them over the movies a person mentioned, and a count, unlike a
// cosine, keeps the popularity of what people actually bring up next (measured on dev: summed raw counts
// R@10 0.156 vs 0.109 for the summed cosine). `score` (combined, for reasons and the baseline) is
// MovieLens cosine + co-mention shrunk cosine.
import { createHash } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { gzipSync } from "node:zlib";
import { parseCsvObjects } from "../../src/util/csv.ts";
import { readJsonl, readText } from "./data.ts";
import { itemKnn, type KnnOptions } from "./item-knn.ts";
import type { NeighbourEntry, NeighbourRecord } from "../../src/recommend/neighbours.ts";
import { movielensLinks, type LinkableItem, type MovielensLinkSources } from "./movielens-links.ts";

export const LIKE_THRESHOLD = 4;
export const MOVIELENS_KNN: KnnOptions = { shrink: 10, topK: 100, minCount: 2 };
export const COMENTION_KNN: KnnOptions = { shrink: 3, topK: 100, minCount: 1 };

export interface NeighbourSources extends MovielensLinkSources {
  ratingsCsv: string;
  redialTrain: string;
  /** Only these catalog items are kept (both as items and as neighbours). */
  items: readonly LinkableItem[];
  topK: number;
}

export interface NeighbourBuild {
  records: NeighbourRecord[];
  stats: {
    movielensUsers: number;
    movielensLikes: number;
    mappedMovies: number;
    dialogues: number;
    items: number;
    pairs: number;
  };
}

export interface Rating {
  user: string;
  item: string;
  rating: number;
  /** Milliseconds since the epoch. */
  at: number;
}

export function readRatings(ratingsCsv: string): Rating[] {
  return parseCsvObjects(readText(ratingsCsv)).flatMap((r) => {
    const rating = Number(r.rating);
    const at = Number(r.timestamp) * 1000;
    return r.userId && r.movieId && Number.isFinite(rating) && Number.isFinite(at)
      ? [{ user: r.userId, item: r.movieId, rating, at }]
      : [];
  });
}

/** Each user's liked items (rating >= 4), as baskets. */
export function likeBaskets(
  ratings: readonly Rating[],
  mapItem: (id: string) => readonly string[] = (id) => [id],
): string[][] {
  const byUser = new Map<string, string[]>();
  for (const r of ratings) {
    if (r.rating < LIKE_THRESHOLD) continue;
    const list = byUser.get(r.user) ?? [];
    list.push(...mapItem(r.item));
    byUser.set(r.user, list);
  }
  return [...byUser.values()];
}

/** The movies each ReDial dialogue mentions (movieMentions keys and `@id` in the text). */
export function comentionBaskets(redialJsonl: string, catalogIds: ReadonlySet<string>): string[][] {
  return readJsonl(redialJsonl).map((d) => {
    const ids = new Set(Object.keys((d.movieMentions ?? {}) as Record<string, unknown>));
    for (const m of (d.messages ?? []) as Array<{ text?: string }>)
      for (const x of (m.text ?? "").matchAll(/@(\d+)/g)) ids.add(x[1]!);
    return [...ids].filter((id) => catalogIds.has(id));
  });
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** How many baskets hold each pair of items: id -> (other id -> count). */
export function pairCounts(baskets: Iterable<Iterable<string>>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const basket of baskets) {
    const ids = [...new Set(basket)];
    for (const a of ids) {
      let row = out.get(a);
      if (!row) out.set(a, (row = new Map()));
      for (const b of ids) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1);
    }
  }
  return out;
}

export function buildNeighbours(src: NeighbourSources): NeighbourBuild {
  const catalogIds = new Set(src.items.map((i) => i.id));
  const mapping = movielensLinks(src, src.items);
  const ratings = readRatings(src.ratingsCsv);
  const mlBaskets = likeBaskets(ratings, (id) => mapping.get(id) ?? []);
  const ml = itemKnn(mlBaskets, { ...MOVIELENS_KNN, topK: src.topK });
  const dialogues = comentionBaskets(src.redialTrain, catalogIds);
  const coCosine = itemKnn(dialogues, { ...COMENTION_KNN, topK: Infinity });
  const counts = pairCounts(dialogues);
  const records: NeighbourRecord[] = [];
  let pairs = 0;
  for (const id of [...new Set([...ml.keys(), ...counts.keys()])].sort()) {
    const merged = new Map<string, NeighbourEntry>();
    for (const n of ml.get(id) ?? [])
      merged.set(n.id, { id: n.id, score: n.score, movielens: n.score, comention: 0 });
    const cosine = new Map((coCosine.get(id) ?? []).map((n) => [n.id, n.score]));
    for (const [other, count] of counts.get(id) ?? []) {
      const e = merged.get(other) ?? { id: other, score: 0, movielens: 0, comention: 0 };
      merged.set(other, { ...e, score: e.movielens + (cosine.get(other) ?? 0), comention: count });
    }
    // Every co-mentioned pair is kept (the counts are summed at ranking time); MovieLens was cut at top K.
    const top = [...merged.values()]
      .filter((n) => n.id !== id)
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
      .map((n) => ({
        id: n.id,
        score: round(n.score),
        movielens: round(n.movielens),
        comention: n.comention,
      }));
    if (top.length === 0) continue;
    pairs += top.length;
    records.push({ id, neighbours: top });
  }
  return {
    records,
    stats: {
      movielensUsers: mlBaskets.filter((b) => b.length > 0).length,
      movielensLikes: mlBaskets.reduce((s, b) => s + b.length, 0),
      mappedMovies: mapping.size,
      dialogues: dialogues.length,
      items: records.length,
      pairs,
    },
  };
}

/** Writes gzipped JSONL (one `{ id, neighbours }` per line); returns its size and sha256. */
export function writeNeighbours(
  path: string,
  records: readonly NeighbourRecord[],
): { bytes: number; sha256: string } {
  const body = gzipSync(
    Buffer.from(records.map((r) => JSON.stringify(r)).join("\n") + "\n", "utf8"),
    { level: 9 },
  );
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  return { bytes: statSync(path).size, sha256: createHash("sha256").update(body).digest("hex") };
}
