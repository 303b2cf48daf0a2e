// `chatrec eval interests [--json <file>] [--model <dir>] [--update-card]`
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evalInterests } from "./interests.ts";
import { writeModelCard, type InterestModelMeta } from "../train/model-card.ts";

export async function runEvalInterestsCli(args: string[]): Promise<void> {
  let json: string | undefined;
  let modelDir = "models";
  let updateCard = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--json") {
      json = args[++i];
      if (!json) throw new Error("--json needs a file");
    } else if (a === "--model") {
      const v = args[++i];
      if (!v) throw new Error("--model needs a directory");
      modelDir = v;
    } else if (a === "--update-card") updateCard = true;
    else
      throw new Error(
        `eval interests: unknown argument ${a} (usage: eval interests [--json <file>] [--model <dir>] [--update-card])`,
      );
  }
  const result = await evalInterests({
    ...(json ? { json } : {}),
    modelDir,
    log: (s) => console.log(s),
  });
  console.log(`done in ${result.seconds.toFixed(1)} s${json ? `; wrote ${json}` : ""}`);
  if (updateCard) {
    // record the evaluation in interest.json and MODEL_CARD.md (the onnx file and its sha256 do not change)
    const path = join(modelDir, "interest.json");
    const meta = JSON.parse(readFileSync(path, "utf8")) as InterestModelMeta;
    if (meta.sha256 !== result.model.sha256) throw new Error("model changed during evaluation");
    meta.metrics.evaluation = result;
    meta.metrics.evaluationCommand = "npm run eval -- interests --update-card";
    writeFileSync(path, JSON.stringify(meta, null, 2) + "\n");
    writeModelCard(modelDir, meta);
    console.log(`updated ${path} and MODEL_CARD.md`);
  }
}
