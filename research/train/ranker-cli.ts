// `chatrec train ranker [--dialogues <train jsonl>] [--out <file>] [--folds k] [--fold-models <dir>] [--examples <file>] [--without <group>] [--no-rescorer] [--rescorers n] [--seeker-weight w]`
import { sourceCommit } from "./provenance.ts";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { updateCardSection } from "./neighbours-card.ts";
import { PACKAGE_ROOT } from "../../src/config.ts";
import {
  FEATURE_GROUPS,
  handModel,
  parseFeatureGroups,
  RANKER_FILE,
  type RankerPriors,
} from "../../src/recommend/ranker-model.ts";
import { parseOptions } from "../../src/util/args.ts";
import { loadCatalogItems } from "./data.ts";
import { DEFAULT_MLP, fitMlp } from "./mlp-fit.ts";
import { DATA_PATHS, DEFAULT_OUT } from "./data-paths.ts";
import { movielensPopularity, tmdbPopularity } from "./priors.ts";
import { collectCrossFitted } from "./ranker-folds.ts";
import {
  DEFAULT_RANKER_TRAINING,
  fitRanker,
  loadExamples,
  rankerFile,
  saveExamples,
} from "./ranker.ts";

const USAGE =
  "usage: chatrec train ranker [--dialogues <ReDial train jsonl>] [--out <file>] [--folds k] [--fold-models <dir>] [--max-dialogues n] [--seed n] [--epochs n] [--examples <file>] [--without <group>[,...]] [--no-rescorer] [--rescorers n] [--seeker-weight w]";

function positiveInt(values: Map<string, string>, name: string, fallback: number): number {
  if (!values.has(name)) return fallback;
  const n = Number(values.get(name));
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

export async function runRankerCli(args: string[]): Promise<void> {
  const { values, flags } = parseOptions(
    args,
    {
      values: [
        "--dialogues",
        "--out",
        "--max-dialogues",
        "--seed",
        "--epochs",
        "--folds",
        "--fold-models",
        "--examples",
        "--without",
        "--rescorers",
        "--seeker-weight",
      ],
      flags: ["--no-rescorer"],
    },
    USAGE,
  );
  const path = values.get("--dialogues") ?? DATA_PATHS.redialTrain;
  if (/(^|\/)dev\.jsonl$/.test(path))
    throw new Error("--dialogues must be a train split: dev is for evaluation only");
  const out = values.get("--out") ?? join(DEFAULT_OUT, RANKER_FILE);
  const catalogPath = DATA_PATHS.catalog;
  const maxDialogues = positiveInt(values, "--max-dialogues", Number.MAX_SAFE_INTEGER);
  const opts = {
    ...DEFAULT_RANKER_TRAINING,
    seed: positiveInt(values, "--seed", DEFAULT_RANKER_TRAINING.seed),
    epochs: positiveInt(values, "--epochs", DEFAULT_RANKER_TRAINING.epochs),
    folds: positiveInt(values, "--folds", DEFAULT_RANKER_TRAINING.folds),
    seekerWeight: values.has("--seeker-weight")
      ? Number(values.get("--seeker-weight"))
      : DEFAULT_RANKER_TRAINING.seekerWeight,
  };
  if (!(opts.seekerWeight >= 0 && opts.seekerWeight <= 1))
    throw new Error("--seeker-weight must be between 0 and 1");
  const started = performance.now();
  const items = loadCatalogItems(catalogPath);
  const mapping = DATA_PATHS.redialToMovielens;
  const priors: RankerPriors = {
    movielens: movielensPopularity(
      DATA_PATHS.movielensRatings,
      { mappingCsv: mapping, moviesCsv: DATA_PATHS.movielensMovies },
      items,
    ),
    tmdb: tmdbPopularity(
      {
        moviesCsv: DATA_PATHS.tmdbMovies,
        linksCsv: DATA_PATHS.movielensLinks,
        mappingCsv: mapping,
      },
      items,
    ),
  };
  // --examples: reuse the candidates of an earlier replay (same features) instead of replaying again.
  const cache = values.get("--examples");
  const about = {
    dialogues: path,
    folds: opts.folds,
    maxDialogues,
    seed: opts.seed,
    negatives: opts.negatives,
    seekerWeight: opts.seekerWeight,
  };
  let collected;
  if (cache && existsSync(cache)) {
    collected = loadExamples(cache);
    console.log(`examples from ${cache}`);
  } else {
    console.log(
      `replaying ${path} with ${opts.folds > 1 ? `${opts.folds}-fold cross-fitted interest models` : "the shipped interest model (no cross-fitting)"} (priors: MovieLens ${priors.movielens.size}, TMDB ${priors.tmdb.size} movies)`,
    );
    const foldModels = values.get("--fold-models");
    collected = await collectCrossFitted(
      {
        dialogues: path,
        catalogPath,
        modelDir: join(PACKAGE_ROOT, "models"),
        maxDialogues,
        ...(foldModels ? { foldModels } : {}),
      },
      handModel(priors),
      {
        ...opts,
        progress: (done, total) => {
          if (done % 50 === 0 || done === total)
            process.stderr.write(`  ${done}/${total} dialogues\r`);
        },
      },
      (s) => console.log(s),
    );
    process.stderr.write("\n");
    if (cache) saveExamples(cache, collected, about);
  }
  const without = parseFeatureGroups(values.get("--without"));
  const fit = fitRanker(
    collected.examples,
    opts,
    new Set(without.flatMap((g) => FEATURE_GROUPS[g])),
  );
  console.log(
    `linear weights: ${Object.entries(fit.weights)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}; loss ${fit.loss.toFixed(4)}`,
  );
  // The re-scorer needs every feature; an ablation (--without) is the linear ranker alone.
  const members = positiveInt(values, "--rescorers", DEFAULT_MLP.members);
  const rescorer =
    flags.has("--no-rescorer") || without.length > 0
      ? undefined
      : fitMlp(collected.examples, {
          ...DEFAULT_MLP,
          seed: opts.seed,
          members,
          log: (s) => console.log(s),
        });
  const training = {
    command: ["npx chatrec train ranker", ...args].join(" "),
    commit: sourceCommit(),
    data: "ReDial train.jsonl (replayed through the bot; instances at recommender messages, and at seeker messages that bring up new movies with weight seekerWeight; interest model cross-fitted by fold; popularity and co-mentions leave-one-dialogue-out), MovieLens ml-latest-small rating counts, TMDB 5000 vote counts; never dev",
    ...about,
    ...(without.length ? { without } : {}),
    instances: collected.instances,
    seekerInstances: collected.seekerInstances,
    groundTruths: collected.groundTruths,
    unreachable: collected.unreachable,
    examples: collected.examples.length,
    loss: "softmax over each ground truth and uniformly sampled other movies of its instance",
    linear: {
      finalLoss: Math.round(fit.loss * 1e4) / 1e4,
      sampledTop1: Math.round(fit.sampledTop1 * 1e4) / 1e4,
      epochs: opts.epochs,
      l2: opts.l2,
    },
    ...(rescorer
      ? {
          rescorer: {
            finalLoss: Math.round(rescorer.loss * 1e4) / 1e4,
            members,
            hidden: DEFAULT_MLP.hidden,
            epochs: DEFAULT_MLP.epochs,
            batch: DEFAULT_MLP.batch,
            lr: DEFAULT_MLP.lr,
            l2: DEFAULT_MLP.l2,
            negativesPerEpoch: DEFAULT_MLP.negatives,
          },
        }
      : {}),
    trainedAt: new Date().toISOString(),
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(rankerFile(fit.weights, priors, rescorer?.mlp, training), null, 1)}\n`,
  );
  console.log(
    `${collected.examples.length} examples from ${collected.instances} instances (${collected.seekerInstances} at seeker messages; ${collected.groundTruths} ground truths, ${collected.unreachable} unreachable)`,
  );
  const seconds = (performance.now() - started) / 1000;
  const sha256 = createHash("sha256").update(readFileSync(out)).digest("hex");
  updateCardSection(join(dirname(out), "MODEL_CARD.md"), "ranker", [
    "# Model card: ranker",
    "",
    `\`${basename(out)}\`: sha256 \`${sha256}\`; feature weights learnt on ReDial train only (never dev), with a small re-scorer when present. Built by \`${training.command}\` at commit \`${training.commit}\` in ${Math.round(seconds / 60)} min on 2 cores; the file's \`training\` field has the data, options and final losses.`,
  ]);
  console.log(`wrote ${out} (${seconds.toFixed(1)} s)`);
}
