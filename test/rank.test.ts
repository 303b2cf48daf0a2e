// The ranker on the demo catalog (real model embeddings, real neighbours): the served score is the weighted
// sum of the features it reports, nothing mentioned/seen/rejected comes back, MMR's setting works, and the
// weights file is read or refused clearly.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Replay } from "../src/replay.ts";
import { loadConfig } from "../src/config.ts";
import { ListAccumulator } from "../research/eval/redial-metrics.ts";
import type { RankRequest } from "../src/recommend/rank.ts";
import {
  ablated,
  FEATURE_NAMES,
  HAND_WEIGHTS,
  loadRankerModel,
  NO_PRIORS,
  RankerModelError,
  type RankerModel,
} from "../src/recommend/ranker-model.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-rank-"));
let bot: Replay;
let req: RankRequest;
const user = { platform: "test", id: "ranker" };
// Weights unlike the hand ones, so a score computed from the hand weights would not match.
const model: RankerModel = {
  weights: Object.fromEntries(
    FEATURE_NAMES.map((n, i) => [n, ((i % 5) - 2) * 0.7 + 0.1]),
  ) as RankerModel["weights"],
  priors: NO_PRIORS,
  source: "learnt",
};

beforeAll(async () => {
  bot = await Replay.open(loadConfig({}, { dataDir: dir, commitIntervalMs: 0 }));
  await bot.handleMessage({
    user,
    text: "I loved The Matrix (1999) and Alien (1979), but I hated Titanic (1997)",
  });
  await bot.handleMessage({ user, text: "I've already seen The Terminator (1984)" });
  // No mood or topic words ("robots" would be one): their boosts are added outside Σ weight · feature.
  req = await bot.rankingRequest(user, {
    limit: 20,
    text: "something set in space",
    mmrLambda: 1,
  });
}, 60_000);
afterAll(async () => {
  await bot?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Ranker", () => {
  it("serves score = Σ weight · feature for every item it returns", () => {
    const ranker = bot.ranker.withModel(model);
    const ranked = ranker.rank(req);
    expect(ranked).toHaveLength(20);
    for (const r of ranked) {
      const sum = FEATURE_NAMES.reduce((s, n) => s + model.weights[n] * r.features[n], 0);
      expect(r.score).toBeCloseTo(sum, 4);
    }
    for (let i = 1; i < ranked.length; i++)
      expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
  });

  it("re-scores the linear stage's best 200 with the re-scorer", () => {
    const F = FEATURE_NAMES.length;
    const linear = new Array<number>(F).fill(0);
    linear[FEATURE_NAMES.indexOf("recency")] = -5; // a re-scorer that only wants old films
    const mlp = {
      hidden: 1,
      mean: new Array<number>(F).fill(0),
      std: new Array<number>(F).fill(1),
      linear,
      w1: new Array<number>(F).fill(0),
      b1: [0],
      w2: [0],
    };
    const linearTop = bot.ranker.withModel(model).rank({ ...req, limit: 200, mmrLambda: 1 });
    const rescored = bot.ranker
      .withModel({ ...model, mlp })
      .rank({ ...req, limit: 10, mmrLambda: 1 });
    const oldest = linearTop
      .map((r) => r.features.recency)
      .sort((a, b) => a - b)
      .slice(0, 10);
    expect(rescored.map((r) => r.features.recency)).toEqual(oldest);
    const inLinearTop = new Set(linearTop.map((r) => r.row));
    expect(rescored.every((r) => inLinearTop.has(r.row))).toBe(true);
  });

  it("keeps the 'only comedies' boost through the re-scorer", () => {
    const F = FEATURE_NAMES.length;
    const linear = new Array<number>(F).fill(0);
    linear[FEATURE_NAMES.indexOf("recency")] = -0.5;
    const mlp = {
      hidden: 1,
      mean: new Array<number>(F).fill(0),
      std: new Array<number>(F).fill(1),
      linear,
      w1: new Array<number>(F).fill(0),
      b1: [0],
      w2: [0],
    };
    const comedies = {
      ...req,
      profile: {
        ...req.profile,
        constraints: { ...req.profile.constraints, includeCategories: ["comedy"] },
      },
    };
    const isComedy = (row: number) => bot.catalog.items[row]!.categories.includes("comedy");
    const pool = bot.ranker.withModel(model).rank({ ...comedies, limit: 200, mmrLambda: 1 });
    const scoreOf = new Map(
      pool.map((r) => [r.row, -0.5 * r.features.recency + (isComedy(r.row) ? 0.2 : 0)]),
    );
    const expected = [...scoreOf.values()].sort((a, b) => b - a).slice(0, 10);
    const served = bot.ranker
      .withModel({ ...model, mlp })
      .rank({ ...comedies, limit: 10, mmrLambda: 1 })
      .map((r) => r.row);
    // The served ten score what the best ten of the pool score: films of one year tie, so compare scores, not rows.
    const servedScores = served.map((row) => scoreOf.get(row) ?? Number.NaN).sort((a, b) => b - a);
    servedScores.forEach((x, i) => expect(x).toBeCloseTo(expected[i]!, 5));
    const without = bot.ranker
      .withModel({ ...model, mlp })
      .rank({ ...req, limit: 10, mmrLambda: 1 })
      .map((r) => r.row);
    expect(served.filter(isComedy).length).toBeGreaterThan(without.filter(isComedy).length);
  });

  it("explains one item with the features it was ranked by, and nothing it may not offer", () => {
    const top = bot.ranker.rank(req)[0]!;
    const explained = bot.ranker.explainRow(req, top.row)!;
    expect(explained.features).toEqual(top.features);
    const matrix = bot.catalog.items.findIndex((i) => i.title === "The Matrix" && i.year === 1999);
    expect(bot.ranker.explainRow(req, matrix)).toBeUndefined(); // liked: never offered
  });

  it("gives training the same features it serves", () => {
    const ranker = bot.ranker.withModel(model);
    const top = ranker.rank(req).slice(0, 5);
    const m = ranker.featureMatrix(req);
    for (const r of top) {
      const k = Array.from(m.rows).indexOf(r.row);
      expect(k).toBeGreaterThanOrEqual(0);
      FEATURE_NAMES.forEach((n, f) =>
        expect(m.values[k * FEATURE_NAMES.length + f]).toBeCloseTo(r.features[n], 5),
      );
    }
  });

  it("never offers what was mentioned, seen or rejected, nor the same title again", () => {
    const titles = (ids: number[]) => ids.map((row) => bot.catalog.items[row]!.title);
    // Every row that may be offered (the candidates rank() scores), and a long served list.
    const candidates = Array.from(bot.ranker.featureMatrix(req).rows);
    expect(candidates.length).toBeGreaterThan(6000);
    const served = bot.ranker.rank({ ...req, limit: 20 }).map((r) => r.row);
    expect(served).toHaveLength(20);
    for (const offered of [new Set(titles(candidates)), new Set(titles(served))]) {
      for (const t of ["The Matrix", "Alien", "Titanic", "The Terminator"])
        expect(offered.has(t)).toBe(false);
    }
  });

  it("offers no other film of a title the person named or rejected, but a remake of one only marked seen", async () => {
    const other = { platform: "test", id: "remakes" };
    await bot.handleMessage({ user: other, text: "I loved It (2017) but hated Titanic (1997)" });
    const offered = async (who: typeof other) =>
      Array.from(bot.ranker.featureMatrix(await bot.rankingRequest(who, { limit: 20 })).rows).map(
        (r) => bot.catalog.items[r]!,
      );
    const rows = await offered(other);
    expect(rows.filter((i) => i.title === "It")).toEqual([]);
    expect(rows.filter((i) => i.title === "Titanic")).toEqual([]);
    const watcher = { platform: "test", id: "seen-button" };
    const it2017 = bot.catalog.items.find((i) => i.title === "It" && i.year === 2017)!;
    await bot.handleFeedback({ user: watcher, itemId: it2017.id, signal: "seen" });
    expect(
      (await offered(watcher))
        .filter((i) => i.title === "It")
        .map((i) => i.year)
        .sort(),
    ).toEqual([1966, 1990, 2004]); // not 2017
  });

  it("offers a film the catalog holds twice in one slot only, and remakes as the other films they are", () => {
    const { catalog } = bot;
    const candidates = Array.from(bot.ranker.featureMatrix(req).rows);
    const served = bot.ranker
      .rank({ ...req, limit: candidates.length, mmrLambda: 1 })
      .map((r) => catalog.items[r.row]!);
    const conjuring = (items: Array<{ title: string }>) =>
      items.filter((i) => i.title === "The Conjuring").length;
    expect(conjuring(candidates.map((row) => catalog.items[row]!))).toBe(2); // with and without its year
    expect(conjuring(served)).toBe(1);
    expect(
      served
        .filter((i) => i.title === "It")
        .map((i) => i.year)
        .sort(),
    ).toEqual([1966, 1990, 2004, 2017]);
    const seen = new Map<string, Array<number | undefined>>();
    for (const item of served) {
      const key = catalog.titles.keyOf(catalog.row(item.id)!);
      const years = seen.get(key) ?? [];
      expect(
        years.some((y) => y === undefined || item.year === undefined || y === item.year),
        `${item.title} (${item.year}) twice`,
      ).toBe(false);
      seen.set(key, [...years, item.year]);
    }
    expect(served.length).toBeGreaterThan(candidates.length - 200);
  });

  it("uses neighbours of the liked movies and the message", () => {
    const withNeighbours: RankerModel = {
      ...bot.ranker.model,
      weights: { ...bot.ranker.model.weights, comention: 2 },
    };
    const top = bot.ranker.withModel(withNeighbours).rank(req);
    expect(top.some((r) => r.features.comention > 0)).toBe(true);
    expect(
      top.some((r) => r.features.neighbourOfId !== undefined && r.features.neighbourCount! > 0),
    ).toBe(true);
    const noNeighbours = bot.ranker.withModel(ablated(withNeighbours, ["neighbours"])).rank(req);
    expect(noNeighbours.map((r) => r.row)).not.toEqual(top.map((r) => r.row));
  });

  it("diversifies more with a lower MMR λ", () => {
    const diversity = (lambda: number) => {
      const acc = new ListAccumulator(bot.catalog);
      acc.add(
        bot.ranker
          .rank({ ...req, limit: 10, mmrLambda: lambda })
          .map((r) => bot.catalog.items[r.row]!.id),
      );
      return acc.report().diversity;
    };
    expect(diversity(0.3)).toBeGreaterThan(diversity(1));
  });

  it("reads learnt weights; a missing file means the hand weights, a broken one a clear error", () => {
    const file = join(dir, "ranker.json");
    writeFileSync(
      file,
      JSON.stringify({
        format: 2,
        features: FEATURE_NAMES,
        weights: model.weights,
        priors: { movielens: { "76012": 0.5 }, tmdb: { "76012": 0.25 } },
        training: {},
      }),
    );
    const loaded = loadRankerModel(file);
    expect(loaded.source).toBe("learnt");
    expect(loaded.weights).toEqual(model.weights);
    expect(loaded.priors.movielens.get("76012")).toBe(0.5);
    expect(loaded.priors.tmdb.get("76012")).toBe(0.25);
    expect(loadRankerModel(join(dir, "none.json")).weights).toEqual(HAND_WEIGHTS);
    writeFileSync(file, JSON.stringify({ format: 2, weights: { message: 1 } }));
    expect(() => loadRankerModel(file)).toThrow(RankerModelError);
    expect(() => loadRankerModel(file)).toThrow(/short/);
    writeFileSync(
      file,
      JSON.stringify({ format: 1, features: FEATURE_NAMES, weights: model.weights }),
    );
    expect(() => loadRankerModel(file)).toThrow(/format 1.*train ranker/);
  });
});
