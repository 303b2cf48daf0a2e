// `chatrec train ranker [--dialogues <train jsonl>] [--out <file>] [--ratings <csv>] [--mapping <csv>] [--max-dialogues n]`
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../config.ts";
import { loadRedialDialogues, withReplayBot } from "../eval/redial-replay.ts";
import { FEATURE_GROUPS, parseFeatureGroups, RANKER_FILE } from "../recommend/ranker-model.ts";
import { parseOptions } from "../util/args.ts";
import { collectExamples, DEFAULT_RANKER_TRAINING, dialogueLines, fitRanker, loadExamples, movielensPopularity, rankerFile, saveExamples } from "./ranker.ts";

const USAGE = "usage: chatrec train ranker [--dialogues <ReDial train jsonl>] [--out <file>] [--ratings <csv>] [--mapping <csv>] [--max-dialogues n] [--seed n] [--examples <file>] [--without <group>[,...]]";

export async function runRankerCli(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { values: ["--dialogues", "--out", "--ratings", "--mapping", "--max-dialogues", "--seed", "--examples", "--without"] }, USAGE);
  const path = values.get("--dialogues") ?? join(PACKAGE_ROOT, "data/redial/train.jsonl");
  if (/(^|\/)dev\.jsonl$/.test(path)) throw new Error("--dialogues must be a train split: dev is for evaluation only");
  const out = values.get("--out") ?? join(PACKAGE_ROOT, "models", RANKER_FILE);
  const sources = { ratingsCsv: values.get("--ratings") ?? join(PACKAGE_ROOT, "data/movielens/ratings.csv"), mappingCsv: values.get("--mapping") ?? join(PACKAGE_ROOT, "data/redial/redial_to_movielens.csv") };
  const maxDialogues = values.has("--max-dialogues") ? Number.parseInt(values.get("--max-dialogues")!, 10) : Infinity;
  if (!(maxDialogues > 0)) throw new Error("--max-dialogues must be a positive integer");
  const opts = { ...DEFAULT_RANKER_TRAINING, ...(values.has("--seed") ? { seed: Number.parseInt(values.get("--seed")!, 10) } : {}) };
  const started = performance.now();
  await withReplayBot(async (bot) => {
    const prior = movielensPopularity(sources.ratingsCsv, sources.mappingCsv, new Set(bot.catalog.items.map((i) => i.id)));
    const dialogues = loadRedialDialogues(path, bot.catalog).slice(0, maxDialogues);
    const lines = dialogueLines(path).slice(0, maxDialogues);
    console.log(`replaying ${dialogues.length} train dialogues (MovieLens popularity for ${prior.size} movies)`);
    // --examples: reuse the candidates of an earlier replay (same features) instead of replaying again.
    const cache = values.get("--examples");
    const collected = cache && existsSync(cache)
      ? loadExamples(cache)
      : await collectExamples(bot, dialogues, lines, sources, { ...bot.ranker.model, movielensPopularity: prior }, {
          ...opts,
          progress: (done, total) => { if (done % 50 === 0 || done === total) process.stderr.write(`  ${done}/${total} dialogues\r`); },
        });
    if (cache && !existsSync(cache)) saveExamples(cache, collected);
    process.stderr.write("\n");
    const without = parseFeatureGroups(values.get("--without"));
    const fit = fitRanker(collected.examples, opts, new Set(without.flatMap((g) => FEATURE_GROUPS[g])));
    const training = {
      command: ["npx chatrec train ranker", ...args].join(" "),
      data: "ReDial train.jsonl (replayed through the bot), MovieLens ml-latest-small rating counts; never dev",
      dialogues: dialogues.length,
      ...(without.length ? { without } : {}),
      instances: collected.instances,
      groundTruths: collected.groundTruths,
      unreachable: collected.unreachable,
      examples: collected.examples.length,
      loss: "listwise softmax over each ground truth and its instance's sampled negatives",
      finalLoss: Math.round(fit.loss * 1e4) / 1e4,
      sampledTop1: Math.round(fit.sampledTop1 * 1e4) / 1e4,
      options: { seed: opts.seed, hardPerSignal: opts.hardPerSignal, randomNegatives: opts.randomNegatives, epochs: opts.epochs, l2: opts.l2 },
      trainedAt: new Date().toISOString(),
    };
    writeFileSync(out, `${JSON.stringify(rankerFile(fit.weights, prior, training), null, 1)}\n`);
    console.log(`weights: ${Object.entries(fit.weights).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    console.log(`${collected.examples.length} examples from ${collected.instances} instances (${collected.groundTruths} ground truths, ${collected.unreachable} unreachable); loss ${fit.loss.toFixed(4)}, sampled top-1 ${fit.sampledTop1.toFixed(3)}`);
  });
  console.log(`wrote ${out} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
