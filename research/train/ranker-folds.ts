// Cross-fitting for the ranker's training examples. The interest model learns from the ReDial train
// dialogues (seeker text -> liked movie), so on a train dialogue its text and item vectors already "know" the
// answer (measured: with the shipped model, train recall@10 of a refit was 0.69 against 0.10 on dev). Each
// fold's dialogues are therefore replayed with an interest model trained on the other folds only, and the
// catalog embedded by that model; the shipped model (trained on all of train) serves dev and real people.
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRedialDialogues, withReplay } from "../eval/redial-replay.ts";
import { NEIGHBOURS_FILE } from "../../src/recommend/neighbours-store.ts";
import type { RankerModel } from "../../src/recommend/ranker-model.ts";
import {
  collectExamples,
  dialogueLines,
  emptyCollection,
  type CollectedExamples,
  type RankerTrainingOptions,
} from "./ranker.ts";
import { trainInterestModel } from "./train.ts";

export interface CrossFitSources {
  /** ReDial train dialogues (JSONL). */
  dialogues: string;
  /** The catalog the interest model is trained on (the demo movies). */
  catalogPath: string;
  /** The shipped model folder: its neighbours artefact serves every fold (co-mentions are left out per dialogue). */
  modelDir: string;
  maxDialogues: number;
  /** Keep (and reuse) the fold models here: they only change when the interest model's training or the catalog does. */
  foldModels?: string;
}

/** Fold of dialogue i: i mod K (train.jsonl has no order that a modulus would align with). */
export function foldOf(i: number, folds: number): number {
  return i % folds;
}

export async function collectCrossFitted(
  src: CrossFitSources,
  model: RankerModel,
  opts: RankerTrainingOptions,
  log: (s: string) => void,
): Promise<CollectedExamples> {
  const lines = dialogueLines(src.dialogues).slice(0, src.maxDialogues);
  const out = emptyCollection();
  if (opts.folds <= 1) {
    await withReplay(async (replay) =>
      collectExamples(
        replay,
        loadRedialDialogues(src.dialogues, replay.catalog).slice(0, src.maxDialogues),
        lines,
        model,
        opts,
        out,
      ),
    );
    return out;
  }
  const work = mkdtempSync(join(tmpdir(), "chatrec-folds-"));
  const modelsRoot = src.foldModels ?? work;
  const shippedSha = String(
    (JSON.parse(readFileSync(join(src.modelDir, "interest.json"), "utf8")) as { sha256?: string })
      .sha256 ?? "unknown",
  );
  const catalogSha = createHash("sha256")
    .update(readFileSync(src.catalogPath))
    .digest("hex")
    .slice(0, 12);
  try {
    for (let k = 0; k < opts.folds; k++) {
      const held = lines.map((_, i) => i).filter((i) => foldOf(i, opts.folds) === k);
      const rest = lines.filter((_, i) => foldOf(i, opts.folds) !== k);
      const trainFile = join(work, `train-without-fold-${k}.jsonl`);
      writeFileSync(trainFile, rest.join("\n") + "\n");
      // Named after the shipped model's sha and the catalog's: retraining the interest model (new code or data)
      // or a corrected catalog the shipped model was not retrained on retrains the folds.
      const modelDir = join(
        modelsRoot,
        `model-${k}-of-${opts.folds}-seed-${opts.seed}-for-${shippedSha.slice(0, 12)}-catalog-${catalogSha}`,
      );
      const started = performance.now();
      if (!existsSync(join(modelDir, "interest.onnx"))) {
        mkdirSync(modelDir, { recursive: true });
        await trainInterestModel({
          catalogPath: src.catalogPath,
          outDir: modelDir,
          redialTrain: trainFile,
          seed: opts.seed,
          skipMetrics: true,
          command: `cross-fitting fold ${k + 1}/${opts.folds}`,
        });
      }
      const neighbours = join(src.modelDir, NEIGHBOURS_FILE);
      if (existsSync(neighbours)) copyFileSync(neighbours, join(modelDir, NEIGHBOURS_FILE));
      log(
        `fold ${k + 1}/${opts.folds}: interest model trained on ${rest.length} dialogues (${((performance.now() - started) / 1000).toFixed(0)} s); replaying the other ${held.length}`,
      );
      await withReplay(
        async (replay) => {
          const all = loadRedialDialogues(src.dialogues, replay.catalog);
          await collectExamples(
            replay,
            held.map((i) => all[i]!),
            held.map((i) => lines[i]!),
            model,
            opts,
            out,
          );
        },
        () => undefined,
        modelDir,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}
