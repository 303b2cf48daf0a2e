import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../src/catalog/catalog.ts";
import { movielensCatalog, readMovielensMovies } from "../research/eval/movielens-catalog.ts";
import {
  evaluateMovielens,
  hitAndNdcg,
  leaveLastLikedOut,
  ratingSignal,
  trainingPopularity,
  type UserSplit,
} from "../research/eval/movielens.ts";
import { PACKAGE_ROOT } from "../src/config.ts";
import { InterestModel } from "../src/interest/model.ts";
import { handModel } from "../src/recommend/ranker-model.ts";
import { readRatings } from "../research/train/neighbours.ts";

const fixture = join(import.meta.dirname, "fixtures/movielens-tiny");
let model: InterestModel;
let splits: UserSplit[];
let catalog: Catalog;

beforeAll(async () => {
  model = await InterestModel.load(join(PACKAGE_ROOT, "models"));
  splits = leaveLastLikedOut(readRatings(join(fixture, "ratings.csv")));
  catalog = await movielensCatalog(model, join(fixture, "movies.csv"), trainingPopularity(splits));
});
afterAll(async () => {
  await model.close();
});

describe("MovieLens replay protocol", () => {
  it("maps ratings to feedback: 4+ like, 2 or less dislike, else seen", () => {
    expect([5, 4, 3.5, 3, 2.5, 2, 0.5].map(ratingSignal)).toEqual([
      "like",
      "like",
      "seen",
      "seen",
      "seen",
      "dislike",
      "dislike",
    ]);
  });

  it("holds out each user's last liked rating in time order and trains on what came before it", () => {
    expect(splits.map((s) => [s.user, s.train.map((r) => r.item), s.heldOut.item])).toEqual([
      ["1", ["1", "2", "3"], "14"],
      ["2", ["2", "1"], "3"], // the later 3-star rating of movie 5 is neither training nor target
      ["3", ["2"], "4"], // file order is not time order
    ]); // user 4 has no like, user 5 nothing before their only like
    expect([...trainingPopularity(splits)].sort()).toEqual([
      ["1", 2],
      ["2", 3],
    ]);
  });

  it("computes HR and NDCG at 10 for one relevant item", () => {
    expect(hitAndNdcg(["a", "b", "c"], "a")).toEqual({ rank: 1, hit: 1, ndcg: 1 });
    expect(hitAndNdcg(["a", "b", "c"], "c").ndcg).toBeCloseTo(0.5, 10);
    expect(
      hitAndNdcg(
        Array.from({ length: 11 }, (_, i) => `m${i}`),
        "m10",
      ),
    ).toEqual({ rank: 11, hit: 0, ndcg: 0 });
    expect(hitAndNdcg(["a"], "z")).toEqual({ hit: 0, ndcg: 0 });
  });

  it("reads MovieLens titles, years and genres into catalog items", () => {
    const items = readMovielensMovies(join(fixture, "movies.csv"), new Map([["3", 7]]));
    expect(items).toHaveLength(14);
    expect(items[2]).toMatchObject({
      id: "3",
      title: "The Matrix",
      year: 1999,
      categories: ["action", "sci-fi", "thriller"],
      extra: { popularity: 7 },
    });
    expect(items[0]!.categories).toContain("family");
  });

  it("scores popularity by hand-computable values over the real-model catalog, and every method over the same users", () => {
    // Training likes: movie 2 three times, movie 1 twice; ties in catalog order.
    // user 1 (rated 1,2,3): 4,5,...,14 -> movie 14 is 11th: miss.  user 2 (rated 2,1): 3 first: NDCG 1.
    // user 3 (rated 2): 1,3,4 -> movie 4 is 3rd: NDCG 1/log2(4) = 0.5.
    const r = evaluateMovielens(splits, catalog, handModel());
    expect(r.popularity).toEqual({ users: 3, "hr@10": 2 / 3, "ndcg@10": 0.5 });
    // item-kNN only links 1 and 2, both already rated: its popularity tie-break gives the same list.
    expect(r["item-kNN"]).toEqual({ users: 3, "hr@10": 2 / 3, "ndcg@10": 0.5 });
    for (const m of [
      "profile (decay)",
      "profile (time decay only)",
      "profile (turn decay only)",
      "profile (no decay)",
      "profile (decay), content only",
    ] as const) {
      expect(r[m].users).toBe(3);
      expect([0, 1 / 3, 2 / 3, 1]).toContain(r[m]["hr@10"]);
      expect(r[m]["ndcg@10"]).toBeLessThanOrEqual(r[m]["hr@10"]);
    }
  });
});
