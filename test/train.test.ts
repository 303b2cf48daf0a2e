// A quick real training run on a small catalog subset: TS forward pass vs the exported ONNX graph.
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { trainInterestModel, type TrainReport } from "../research/train/train.ts";
import { forwardText } from "../research/train/model.ts";
import { tokenize } from "../research/train/tokenize.ts";
import { InterestModel } from "../src/interest/model.ts";
import { loadRedial } from "../research/train/data.ts";

let dir: string;
let report: TrainReport;
let catalogPath: string;

function smallCatalog(): string {
  const rows = readFileSync("data/catalog/movies.jsonl", "utf8").split("\n").filter(Boolean);
  const picked = rows.filter((_, i) => i % 15 === 0); // ~460 movies
  const d = mkdtempSync(join(tmpdir(), "interest-train-"));
  const p = join(d, "small.jsonl");
  writeFileSync(p, picked.join("\n") + "\n");
  return p;
}

beforeAll(async () => {
  catalogPath = smallCatalog();
  dir = mkdtempSync(join(tmpdir(), "interest-out-"));
  report = await trainInterestModel({
    catalogPath,
    outDir: dir,
    seed: 7,
    epochs: 2,
    skipMetrics: true,
  });
});

describe("trainInterestModel (small run)", () => {
  it("writes interest.onnx, interest.json and MODEL_CARD.md that the runtime loads", async () => {
    const meta = JSON.parse(readFileSync(join(dir, "interest.json"), "utf8")) as Record<
      string,
      unknown
    >;
    expect(meta.labels).toEqual(report.labels);
    expect(meta.activation).toBe("softmax");
    expect(meta.sha256).toBe(report.sha256);
    expect(meta.seed).toBe(7);
    expect(readFileSync(join(dir, "MODEL_CARD.md"), "utf8")).toContain(report.sha256);
    // a catalog that is not the demo movie catalog trains without ReDial
    expect(report.examples.seekerUtterances).toBe(0);
    expect(report.examples.contextPairs).toBe(0);
    const m = await InterestModel.load(dir);
    expect(m.labels).toEqual(report.labels);
    expect(m.sha256).toBe(report.sha256);
    await m.close();
  });

  it("the ONNX graph computes exactly the TS forward pass (max abs diff < 1e-4) on real texts", async () => {
    const convs = loadRedial("data/redial/dev.jsonl", new Map());
    const utterances = convs.slice(0, 40).flatMap((c) => c.messages.map((m) => m.text));
    const catalog = readFileSync(catalogPath, "utf8").split("\n").filter(Boolean).slice(0, 60);
    const texts = [
      ...utterances,
      ...catalog.map((l) => String((JSON.parse(l) as { text: string }).text)),
      "",
      "İSTANBUL Kelvin \u212Aelvin ÀÉÎ straße",
      "SPACE-Adventure_with ROBOTS!!! 2001",
      "😀 emoji only 🎬",
    ];
    const model = await InterestModel.load(dir);
    const preds = await model.predict(texts);
    let maxDiff = 0;
    texts.forEach((t, i) => {
      const ts = forwardText(report.weights, t);
      for (let l = 0; l < ts.interests.length; l++)
        maxDiff = Math.max(maxDiff, Math.abs(ts.interests[l]! - preds[i]!.interests[l]!));
      for (let m = 0; m < ts.embedding.length; m++)
        maxDiff = Math.max(maxDiff, Math.abs(ts.embedding[m]! - preds[i]!.embedding[m]!));
    });
    await model.close();
    expect(texts.length).toBeGreaterThan(200);
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it("is deterministic for a seed", async () => {
    const again = await trainInterestModel({
      catalogPath,
      outDir: mkdtempSync(join(tmpdir(), "interest-out2-")),
      seed: 7,
      epochs: 2,
      skipMetrics: true,
    });
    expect(again.sha256).toBe(report.sha256);
    const other = await trainInterestModel({
      catalogPath,
      outDir: mkdtempSync(join(tmpdir(), "interest-out3-")),
      seed: 8,
      epochs: 2,
      skipMetrics: true,
    });
    expect(other.sha256).not.toBe(report.sha256);
  });
});

describe("tokenize", () => {
  it("lowercases and splits on non-alphanumerics like the graph", () => {
    expect(tokenize("Hello, World! SCI-FI 2001: a Space_Odyssey")).toEqual([
      "hello",
      "world",
      "sci",
      "fi",
      "2001",
      "a",
      "space",
      "odyssey",
    ]);
    expect(tokenize("İstanbul café")).toEqual(["istanbul", "caf"]);
    expect(tokenize("")).toEqual([]);
  });
});
