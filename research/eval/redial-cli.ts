// `chatrec eval redial --dialogues <jsonl> [--json <file>] [--mmr λ] [--ablate <group,...>] [--weights hand|<file>] [--max-dialogues n]`
import { writeFileSync } from "node:fs";
import {
  ablated,
  FEATURE_GROUPS,
  handModel,
  loadRankerModel,
  parseFeatureGroups,
} from "../../src/recommend/ranker-model.ts";
import { parseOptions } from "../../src/util/args.ts";
import { evaluateRedial, type RedialReport } from "./redial.ts";
import { loadRedialDialogues, withReplay } from "./redial-replay.ts";

const USAGE = `usage: chatrec eval redial --dialogues <ReDial jsonl> [--json <file>] [--mmr <0..1>] [--ablate <${Object.keys(FEATURE_GROUPS).join("|")}>[,...]] [--weights hand|<ranker.json>] [--max-dialogues n]`;

const f3 = (x: number) => x.toFixed(3);

export function formatRedialReport(r: RedialReport): string {
  const recalls = (x: {
    "recall@1": number;
    "recall@10": number;
    "recall@50": number;
    "mrr@50": number;
  }) =>
    `R@1 ${f3(x["recall@1"])}  R@10 ${f3(x["recall@10"])}  R@50 ${f3(x["recall@50"])}  MRR@50 ${f3(x["mrr@50"])}`;
  return [
    `ground truths: ${r.instances} (in ${r.messages} recommender messages)`,
    `chatrec:                 ${recalls(r)}`,
    `  catalog coverage@10 ${f3(r.coverage)}, intra-list diversity@10 ${f3(r.diversity)}, novelty@10 ${r.novelty.toFixed(2)} bits, mentions recognised ${f3(r.mentionRecognition)}`,
    `  per-turn latency (handleMessage): p50 ${r.latency_ms.p50.toFixed(2)} ms, p99 ${r.latency_ms.p99.toFixed(2)} ms; rank() alone: p50 ${r.rank_ms.p50.toFixed(2)} ms, p99 ${r.rank_ms.p99.toFixed(2)} ms`,
    `  without de-duplication (${r.withoutDeduplication.instances}): ${recalls(r.withoutDeduplication)}`,
    `  ground truths no train dialogue mentions (${r.byTrainMentions.never.instances}): ${recalls(r.byTrainMentions.never)}`,
    `  ground truths train dialogues mention (${r.byTrainMentions.mentioned.instances}): ${recalls(r.byTrainMentions.mentioned)}`,
    `popularity (train):      ${recalls(r.baselines.popularity)}`,
    `  without de-duplication: ${recalls(r.baselines.popularity.withoutDeduplication)}`,
    `neighbours of mentioned: ${recalls(r.baselines.neighbours)}`,
    `  without de-duplication: ${recalls(r.baselines.neighbours.withoutDeduplication)}`,
  ].join("\n");
}

export async function runEvalRedialCli(args: string[]): Promise<void> {
  const { values } = parseOptions(
    args,
    { values: ["--dialogues", "--json", "--mmr", "--ablate", "--weights", "--max-dialogues"] },
    USAGE,
  );
  const path = values.get("--dialogues");
  if (!path) throw new Error(`--dialogues is required\n${USAGE}`);
  const ablate = parseFeatureGroups(values.get("--ablate"));
  const maxDialogues = values.has("--max-dialogues")
    ? Number.parseInt(values.get("--max-dialogues")!, 10)
    : Infinity;
  if (!(maxDialogues > 0)) throw new Error("--max-dialogues must be a positive integer");
  const weights = values.get("--weights");
  const started = performance.now();
  const report = await withReplay(async (replay) => {
    const mmrLambda = values.has("--mmr") ? Number(values.get("--mmr")) : replay.config.mmrLambda;
    if (!(mmrLambda >= 0 && mmrLambda <= 1)) throw new Error("--mmr must be between 0 and 1");
    const base =
      weights === undefined
        ? replay.ranker.model
        : weights === "hand"
          ? handModel(replay.ranker.model.priors)
          : loadRankerModel(weights);
    const ranker = replay.ranker.withModel(ablated(base, ablate));
    const dialogues = loadRedialDialogues(path, replay.catalog).slice(0, maxDialogues);
    console.log(
      `replaying ${dialogues.length} dialogues from ${path} (weights: ${weights ?? `models/ranker.json (${base.source})`}${ablate.length ? `, without ${ablate.join(", ")}` : ""}, MMR λ ${mmrLambda})`,
    );
    return evaluateRedial(replay, dialogues, {
      ranker,
      mmrLambda,
      progress: (done, total) => {
        if (done % 50 === 0 || done === total)
          process.stderr.write(`  ${done}/${total} dialogues\r`);
      },
    });
  });
  process.stderr.write("\n");
  console.log(formatRedialReport(report));
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (values.get("--json"))
    writeFileSync(values.get("--json")!, `${JSON.stringify(report, null, 2)}\n`);
}
