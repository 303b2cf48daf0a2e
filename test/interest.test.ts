// The shipped interest model (models/), loaded through the runtime wrapper; real model, no mocks.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InterestModel, InterestModelError } from "../src/interest/model.ts";
import { benchInterestModel } from "../research/bench/interest-model.ts";
import { loadCatalogItems } from "../research/train/data.ts";
import { itemText } from "../src/catalog/item-text.ts";
import type { Item } from "../src/types.ts";

let model: InterestModel;
let items: Item[];
let itemEmb: Float32Array;

function topLabels(m: InterestModel, p: Float32Array, k: number): string[] {
  return Array.from(p.keys())
    .sort((a, b) => p[b]! - p[a]!)
    .slice(0, k)
    .map((i) => m.labels[i]!);
}

function nearest(query: Float32Array, k: number, exclude = -1): number[] {
  const D = model.dim;
  const scores = items.map((_, i) => {
    if (i === exclude) return -Infinity;
    let s = 0;
    for (let m = 0; m < D; m++) s += query[m]! * itemEmb[i * D + m]!;
    return s;
  });
  return Array.from(scores.keys())
    .sort((a, b) => scores[b]! - scores[a]!)
    .slice(0, k);
}

beforeAll(async () => {
  model = await InterestModel.load("models");
  items = loadCatalogItems("data/catalog/movies.jsonl");
  itemEmb = new Float32Array(items.length * model.dim);
  for (let i = 0; i < items.length; i += 512) {
    const preds = await model.predict(items.slice(i, i + 512).map((it) => itemText(it)));
    preds.forEach((p, j) => itemEmb.set(p.embedding, (i + j) * model.dim));
  }
});
afterAll(async () => {
  await model?.close();
});

describe("shipped interest model", () => {
  it("has the labels and dims of interest.json and the sha256 of interest.onnx", () => {
    const meta = JSON.parse(readFileSync("models/interest.json", "utf8")) as {
      labels: string[];
      dim: number;
      sha256: string;
    };
    expect(model.labels).toEqual(meta.labels);
    expect(model.labels).toContain("sci-fi");
    expect(model.dim).toBe(meta.dim);
    expect(model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.sha256).toBe(meta.sha256);
  });

  it("returns one prediction per text with softmax interests and unit embeddings", async () => {
    const texts = [
      "a funny movie for the family",
      "I loved The Godfather",
      "scary movies with ghosts please",
    ];
    const preds = await model.predict(texts);
    expect(preds).toHaveLength(3);
    for (const p of preds) {
      expect(p.interests).toBeInstanceOf(Float32Array);
      expect(p.interests.length).toBe(model.labels.length);
      expect(p.embedding.length).toBe(model.dim);
      const sum = p.interests.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      expect(p.interests.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(Math.abs(Math.hypot(...p.embedding) - 1)).toBeLessThan(1e-4);
    }
    expect(topLabels(model, preds[2]!.interests, 2)).toContain("horror");
  });

  it("is batched: a text gets the same output alone and in a batch of mixed lengths", async () => {
    const texts = [
      "robots",
      "a very long sentence about a detective who solves a murder in a small town at night",
      "",
      "war",
    ];
    const batch = await model.predict(texts);
    for (let i = 0; i < texts.length; i++) {
      const [alone] = await model.predict([texts[i]!]);
      for (let l = 0; l < model.labels.length; l++)
        expect(Math.abs(alone!.interests[l]! - batch[i]!.interests[l]!)).toBeLessThan(1e-6);
      for (let m = 0; m < model.dim; m++)
        expect(Math.abs(alone!.embedding[m]! - batch[i]!.embedding[m]!)).toBeLessThan(1e-6);
    }
  });

  it("handles empty input, empty text and odd unicode without NaN", async () => {
    expect(await model.predict([])).toEqual([]);
    const preds = await model.predict([
      "",
      "   ",
      "😀🎬 ñandú İstanbul \u212Aelvin",
      "\u0000\uFFFF\uD800",
      "!!!???",
    ]);
    expect(preds).toHaveLength(5);
    for (const p of preds) {
      expect(p.interests.every(Number.isFinite)).toBe(true);
      expect(p.embedding.every(Number.isFinite)).toBe(true);
      expect(Math.abs(p.interests.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
    // no known word: the label prior and a zero embedding (cosine 0 with everything)
    expect(Math.hypot(...preds[0]!.embedding)).toBe(0);
    expect(Math.hypot(...preds[4]!.embedding)).toBe(0);
    // "istanbul" / "kelvin" are known words: the unicode text is embedded
    expect(Math.abs(Math.hypot(...preds[2]!.embedding) - 1)).toBeLessThan(1e-4);
  });

  it("puts sci-fi in the top interests of 'space adventure with robots' and retrieves mostly sci-fi items", async () => {
    const [p] = await model.predict(["space adventure with robots"]);
    expect(topLabels(model, p!.interests, 3)).toContain("sci-fi");
    const top = nearest(p!.embedding, 10);
    const scifi = top.filter((i) => items[i]!.categories.includes("sci-fi")).length;
    expect(scifi).toBeGreaterThanOrEqual(6);
  });

  it("maps a genre request to that genre", async () => {
    const cases: Array<[string, string]> = [
      ["I want a scary horror movie", "horror"],
      ["something romantic for date night", "romance"],
      ["a good cartoon for my kids", "animation"],
      ["a documentary", "documentary"],
      ["an old western with cowboys", "western"],
    ];
    const preds = await model.predict(cases.map((c) => c[0]));
    preds.forEach((p, i) =>
      expect(topLabels(model, p.interests, 3), cases[i]![0]).toContain(cases[i]![1]),
    );
  });

  it("item neighbours share genres (precision@10 over 300 items)", () => {
    const withGenres = items
      .map((it, i) => ({ it, i }))
      .filter(({ it }) => it.categories.length > 0);
    let total = 0;
    const sample = withGenres
      .filter((_, k) => k % Math.floor(withGenres.length / 300) === 0)
      .slice(0, 300);
    for (const { it, i } of sample) {
      const nn = nearest(itemEmb.subarray(i * model.dim, (i + 1) * model.dim), 10, i);
      total +=
        nn.filter((j) => items[j]!.categories.some((c) => it.categories.includes(c))).length / 10;
    }
    expect(total / sample.length).toBeGreaterThan(0.85);
  });

  it("answers a single message fast", async () => {
    const r = await benchInterestModel(model, { iterations: 500 });
    expect(r.singleMs.p50).toBeLessThan(1); // measured ~0.03 ms; loose bound for noisy CI machines
    expect(r.batch64Ms).toBeGreaterThan(0);
    expect(r.perCoreTextsPerSec).toBeGreaterThan(1000);
  });
});

describe("InterestModel.load errors", () => {
  it("fails clearly when the files are missing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "interest-missing-"));
    await expect(InterestModel.load(dir)).rejects.toMatchObject({
      name: "InterestModelError",
      code: "MODEL",
      problem: "missing",
    });
  });

  it("fails clearly when interest.json does not match interest.onnx", async () => {
    const dir = mkdtempSync(join(tmpdir(), "interest-mismatch-"));
    copyFileSync("models/interest.onnx", join(dir, "interest.onnx"));
    const meta = JSON.parse(readFileSync("models/interest.json", "utf8")) as Record<
      string,
      unknown
    >;
    writeFileSync(join(dir, "interest.json"), JSON.stringify({ ...meta, sha256: "0".repeat(64) }));
    const err = await InterestModel.load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterestModelError);
    expect((err as InterestModelError).problem).toBe("mismatch");
    writeFileSync(join(dir, "interest.json"), JSON.stringify({ ...meta, dim: 32 }));
    await expect(InterestModel.load(dir)).rejects.toMatchObject({
      code: "MODEL",
      problem: "mismatch",
    });
  });
});
