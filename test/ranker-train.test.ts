// The ranker's learning parts on small real inputs: the re-scorer's arithmetic and fit, the TMDB prior's
// join, and the leave-one-dialogue-out basket.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  compileMlp,
  FEATURE_NAMES,
  loadRankerModel,
  RankerModelError,
  type MlpScorer,
} from "../src/recommend/ranker-model.ts";
import { FEATURE_COUNT } from "../src/recommend/rank.ts";
import { fitMlp } from "../research/train/mlp-fit.ts";
import { movielensLinks, movielensTitle } from "../research/train/movielens-links.ts";
import { movielensPopularity, tmdbPopularity } from "../research/train/priors.ts";
import { dialogueBasket, fitRanker, type RankerExample } from "../research/train/ranker.ts";
import { Rng } from "../research/train/rng.ts";
import type { Item } from "../src/types.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-ranker-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const F = FEATURE_COUNT;
const popularity = FEATURE_NAMES.indexOf("popularity");
const comention = FEATURE_NAMES.indexOf("comention");

/** The re-scorer's definition written out plainly (the oracle for the compiled one). */
function mlpScore(mlp: MlpScorer, x: Float32Array): number {
  const z = Array.from(x, (v, f) => (v - mlp.mean[f]!) / mlp.std[f]!);
  let s = z.reduce((acc, v, f) => acc + mlp.linear[f]! * v, 0);
  for (let h = 0; h < mlp.hidden; h++)
    s +=
      mlp.w2[h]! *
      Math.max(
        0,
        z.reduce((acc, v, f) => acc + mlp.w1[f * mlp.hidden + h]! * v, mlp.b1[h]!),
      );
  return s;
}

function tinyMlp(): MlpScorer {
  // One hidden unit reading the popularity feature; the linear part reads co-mentions.
  const w1 = new Array<number>(F).fill(0);
  w1[popularity] = 2;
  const linear = new Array<number>(F).fill(0);
  linear[comention] = 0.5;
  return {
    hidden: 1,
    mean: new Array<number>(F).fill(0.5),
    std: new Array<number>(F).fill(0.25),
    linear,
    w1,
    b1: [-1],
    w2: [3],
  };
}

/** Synthetic instances: the ground truth has high co-mentions and middling popularity; negatives are random. */
function examples(n: number, rng: Rng): RankerExample[] {
  return Array.from({ length: n }, () => {
    const size = 60;
    const values = new Float32Array(size * F);
    for (let j = 0; j < size; j++) {
      values[j * F + comention] = rng.next();
      values[j * F + popularity] = rng.next();
    }
    values[comention] = 0.9 + 0.1 * rng.next();
    values[popularity] = 0.4 + 0.2 * rng.next(); // a bump: neither the most nor the least popular
    return { values, positives: 1, size, weight: 1 };
  });
}

describe("the re-scorer", () => {
  it("computes linear·z + w2·relu(W1ᵀz + b1) on standardised features", () => {
    const x = new Float32Array(F).fill(0.5);
    x[comention] = 1; // z = 2
    x[popularity] = 1; // z = 2: hidden = relu(2·2 − 1) = 3
    expect(compileMlp(tinyMlp()).score(x)).toBeCloseTo(0.5 * 2 + 3 * 3, 6);
    x[popularity] = 0.5; // z = 0: hidden = relu(−1) = 0
    expect(compileMlp(tinyMlp()).score(x)).toBeCloseTo(1, 6);
  });

  it("learns a preference a linear scorer cannot express (a middle band of popularity)", () => {
    const train = examples(300, new Rng(1));
    const test = examples(200, new Rng(2));
    const top1 = (score: (v: Float32Array, j: number) => number) =>
      test.filter((e) => {
        const s = Array.from({ length: e.size }, (_, j) => score(e.values, j));
        return s.every((v, j) => j === 0 || v < s[0]!);
      }).length / test.length;
    const { mlp } = fitMlp(train, {
      hidden: 8,
      epochs: 30,
      batch: 16,
      lr: 0.01,
      l2: 1e-4,
      negatives: 40,
      seed: 3,
      members: 1,
    });
    const linear = fitRanker(train, { epochs: 200, l2: 1e-4 }).weights;
    const rescorer = compileMlp(mlp);
    const mlpTop1 = top1((v, j) => rescorer.score(v.subarray(j * F, (j + 1) * F)));
    const linearTop1 = top1((v, j) =>
      FEATURE_NAMES.reduce((s, name, f) => s + linear[name] * v[j * F + f]!, 0),
    );
    expect(mlpTop1).toBeGreaterThan(linearTop1 + 0.1);
  });

  it("compiled for the per-turn path, gives the reference scorer's values", () => {
    const { mlp } = fitMlp(examples(40, new Rng(8)), {
      hidden: 6,
      epochs: 2,
      batch: 16,
      lr: 0.01,
      l2: 1e-4,
      negatives: 20,
      seed: 9,
      members: 1,
    });
    const compiled = compileMlp(mlp);
    const rng = new Rng(10);
    for (let k = 0; k < 50; k++) {
      const x = Float32Array.from({ length: F }, () => rng.next() * 3 - 1);
      expect(compiled.score(x)).toBeCloseTo(mlpScore(mlp, x), 9);
    }
  });

  it("bags re-scorers into one wider scorer whose score is the members' average", () => {
    const train = examples(60, new Rng(5));
    const opts = { hidden: 4, epochs: 3, batch: 16, lr: 0.01, l2: 1e-4, negatives: 20, seed: 11 };
    const a = fitMlp(train, { ...opts, members: 1 }).mlp;
    const b = fitMlp(train, { ...opts, seed: 12, members: 1 }).mlp;
    const bag = fitMlp(train, { ...opts, members: 2 }).mlp;
    expect(bag.hidden).toBe(8);
    const probe = examples(5, new Rng(6));
    let differ = 0;
    for (const e of probe) {
      for (let j = 0; j < e.size; j += 7) {
        const x = e.values.subarray(j * F, (j + 1) * F);
        const [sa, sb] = [compileMlp(a).score(x), compileMlp(b).score(x)];
        if (Math.abs(sa - sb) > 1e-3) differ++;
        expect(compileMlp(bag).score(x)).toBeCloseTo((sa + sb) / 2, 4);
      }
    }
    expect(differ).toBeGreaterThan(0); // the members really are different fits
  });

  it("is read from ranker.json and refused when its shapes do not match the features", () => {
    const file = join(dir, "ranker.json");
    const weights = Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0]));
    writeFileSync(
      file,
      JSON.stringify({
        format: 2,
        features: FEATURE_NAMES,
        weights,
        priors: { movielens: {}, tmdb: {} },
        mlp: tinyMlp(),
        training: {},
      }),
    );
    expect(loadRankerModel(file).mlp?.hidden).toBe(1);
    writeFileSync(
      file,
      JSON.stringify({
        format: 2,
        features: FEATURE_NAMES,
        weights,
        priors: { movielens: {}, tmdb: {} },
        mlp: { ...tinyMlp(), w2: [1, 2] },
        training: {},
      }),
    );
    expect(() => loadRankerModel(file)).toThrow(RankerModelError);
    writeFileSync(
      file,
      JSON.stringify({
        format: 2,
        features: FEATURE_NAMES.slice(1),
        weights,
        priors: { movielens: {}, tmdb: {} },
        mlp: tinyMlp(),
        training: {},
      }),
    );
    expect(() => loadRankerModel(file)).toThrow(/other features/);
  });
});

describe("instance weights", () => {
  it("let down-weighted instances pull the learnt weights less", () => {
    // Instances whose ground truth has the most co-mentions, and as many whose ground truth has the fewest.
    const flipped = (e: RankerExample): RankerExample => {
      const values = e.values.slice();
      values[comention] = 0.1 * values[comention]!;
      return { ...e, values };
    };
    const agree = examples(200, new Rng(4));
    const disagree = examples(200, new Rng(5)).map(flipped);
    const fitWith = (weight: number) =>
      fitRanker([...agree, ...disagree.map((e) => ({ ...e, weight }))], { epochs: 150, l2: 1e-4 })
        .weights.comention;
    expect(fitWith(0.1)).toBeGreaterThan(fitWith(1) + 0.5);
    // The re-scorer too: how much more it scores a row with many co-mentions than one with few.
    const lift = (weight: number) => {
      const rescorer = compileMlp(
        fitMlp([...agree, ...disagree.map((e) => ({ ...e, weight }))], {
          hidden: 8,
          epochs: 15,
          batch: 16,
          lr: 0.01,
          l2: 1e-4,
          negatives: 40,
          seed: 3,
          members: 1,
        }).mlp,
      );
      const row = (c: number) => {
        const x = new Float32Array(F).fill(0.5);
        x[comention] = c;
        return x;
      };
      return rescorer.score(row(0.95)) - rescorer.score(row(0.1));
    };
    expect(lift(0.1)).toBeGreaterThan(lift(1));
  });
});

describe("training inputs", () => {
  it("joins TMDB votes by TMDB id through MovieLens, else by title and year", () => {
    const movies = join(dir, "tmdb.csv");
    writeFileSync(
      movies,
      'id,title,release_date,vote_count,overview\n862,Toy Story,1995-10-30,5000,"A cowboy doll, and\na space ranger"\n9999,The Matrix,1999-03-30,12000,x\n1,Unknown Film,2001-01-01,10,x\n2,Zero Votes,2001-01-01,0,x\n',
    );
    const links = join(dir, "links.csv");
    writeFileSync(links, "movieId,imdbId,tmdbId\n1,0114709,862\n");
    const mapping = join(dir, "mapping.csv");
    writeFileSync(
      mapping,
      "ml_id,ml_year,ml_title,id,title,year\n1,1995,Toy Story,r1,Toy Story,1995\n",
    );
    const items: Item[] = [
      { id: "r1", title: "Toy Story", year: 1995, text: "", categories: [], extra: {} },
      { id: "r2", title: "The Matrix", year: 1999, text: "", categories: [], extra: {} },
      { id: "r3", title: "The Matrix", year: 2021, text: "", categories: [], extra: {} },
      { id: "r4", title: "Zero Votes", year: 2001, text: "", categories: [], extra: {} },
    ];
    const prior = tmdbPopularity(
      { moviesCsv: movies, linksCsv: links, mappingCsv: mapping },
      items,
    );
    expect(prior.get("r2")).toBe(1); // the most voted film
    expect(prior.get("r1")).toBeCloseTo(Math.log1p(5000) / Math.log1p(12000), 4);
    expect(prior.has("r3")).toBe(false); // another year: another film
    expect(prior.has("r4")).toBe(false);
  });

  it("links catalog items the ReDial mapping leaves out to MovieLens by title and year, articles and aliases aside", () => {
    expect(movielensTitle("Nightmare on Elm Street, A (1984)")).toEqual({
      key: "nightmare on elm street",
      year: 1984,
    });
    expect(movielensTitle("Pan's Labyrinth (Laberinto del fauno, El) (2006)")).toEqual({
      key: "pans labyrinth",
      year: 2006,
    });
    expect(movielensTitle("Seven (a.k.a. Se7en) (1995)")).toEqual({ key: "seven", year: 1995 });
    expect(movielensTitle("Hyena Road")).toBeUndefined(); // no year: never matched
    const movies = join(dir, "ml-movies.csv");
    writeFileSync(
      movies,
      'movieId,title,genres\n1,Toy Story (1995),Animation\n2,"Nightmare on Elm Street, A (1984)",Horror\n3,Hamlet (1990),Drama\n4,Hamlet (1990),Drama\n5,Se7en (1995),Thriller\n',
    );
    const mapping = join(dir, "ml-mapping.csv");
    writeFileSync(
      mapping,
      "ml_id,ml_year,ml_title,id,title,year\n1,1995,Toy Story,r1,Toy Story,1995\n",
    );
    const items: Item[] = [
      { id: "r1", title: "Toy Story", year: 1995, text: "", categories: [], extra: {} },
      {
        id: "r2",
        title: "A Nightmare on Elm Street",
        year: 1984,
        text: "",
        categories: [],
        extra: {},
      },
      {
        id: "r3",
        title: "A Nightmare on Elm Street",
        year: 2010,
        text: "",
        categories: [],
        extra: {},
      }, // the remake: another film
      { id: "r4", title: "Hamlet", year: 1990, text: "", categories: [], extra: {} }, // two MovieLens films of that name and year: no guess
      { id: "r5", title: "Toy Story", year: 1995, text: "", categories: [], extra: {} }, // a twin the mapping leaves out
    ];
    const links = movielensLinks({ mappingCsv: mapping, moviesCsv: movies }, items);
    expect(Object.fromEntries(links)).toEqual({ "1": ["r1", "r5"], "2": ["r2"] });
    const ratings = join(dir, "ml-ratings.csv");
    writeFileSync(
      ratings,
      "userId,movieId,rating,timestamp\n1,2,4.5,1000\n2,2,3,1001\n1,1,5,1002\n1,3,5,1003\n",
    );
    const prior = movielensPopularity(ratings, { mappingCsv: mapping, moviesCsv: movies }, items);
    expect(prior.get("r2")).toBe(1); // two ratings, the most rated: its link counts
    expect(prior.has("r3")).toBe(false);
    expect(prior.has("r4")).toBe(false);
  });

  it("takes a dialogue's basket from its movieMentions and its @ids", () => {
    const line = JSON.stringify({
      movieMentions: { "111": "A (2000)" },
      messages: [{ text: "have you seen @222 or @111?" }, { text: "no" }],
    });
    expect([...dialogueBasket(line)].sort()).toEqual(["111", "222"]);
  });
});
