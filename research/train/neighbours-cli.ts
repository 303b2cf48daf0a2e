// `chatrec train neighbours [--ratings <csv>] [--mapping <csv>] [--movies <csv>] [--redial <jsonl>] [--catalog <jsonl>] [--out <file>] [--k n]`
import { sourceCommit } from "./provenance.ts";
import { dirname, join } from "node:path";
import { parseOptions } from "../../src/util/args.ts";
import { DATA_PATHS, DEFAULT_OUT } from "./data-paths.ts";
import { NEIGHBOURS_FILE } from "../../src/recommend/neighbours-store.ts";
import { loadCatalogItems } from "./data.ts";
import { updateNeighboursCard } from "./neighbours-card.ts";
import { buildNeighbours, writeNeighbours } from "./neighbours.ts";

const USAGE =
  "usage: chatrec train neighbours [--ratings <csv>] [--mapping <csv>] [--movies <csv>] [--redial <train jsonl>] [--catalog <jsonl>] [--out <file>] [--k n] [--no-card]";

export function runNeighboursCli(args: string[]): void {
  const { values, flags } = parseOptions(
    args,
    {
      values: ["--ratings", "--mapping", "--movies", "--redial", "--catalog", "--out", "--k"],
      flags: ["--no-card"],
    },
    USAGE,
  );
  const opts = {
    ratings: values.get("--ratings") ?? DATA_PATHS.movielensRatings,
    mapping: values.get("--mapping") ?? DATA_PATHS.redialToMovielens,
    movies: values.get("--movies") ?? DATA_PATHS.movielensMovies,
    redial: values.get("--redial") ?? DATA_PATHS.redialTrain,
    catalog: values.get("--catalog") ?? DATA_PATHS.catalog,
    out: values.get("--out") ?? join(DEFAULT_OUT, NEIGHBOURS_FILE),
    k: Number.parseInt(values.get("--k") ?? "100", 10),
    card: !flags.has("--no-card"),
  };
  if (!Number.isInteger(opts.k) || opts.k < 1) throw new Error("--k must be a positive integer");
  if (/(^|\/)dev\.jsonl$/.test(opts.redial))
    throw new Error("--redial must be a train split: dev is for evaluation only");
  const started = performance.now();
  const items = loadCatalogItems(opts.catalog);
  const { records, stats } = buildNeighbours({
    ratingsCsv: opts.ratings,
    mappingCsv: opts.mapping,
    moviesCsv: opts.movies,
    redialTrain: opts.redial,
    items,
    topK: opts.k,
  });
  const file = writeNeighbours(opts.out, records);
  const seconds = (performance.now() - started) / 1000;
  const command = `npx chatrec train neighbours ${args.join(" ")}`.trim();
  if (opts.card)
    // The card goes beside the file it describes: the shipped card changes only with `--out models/...`.
    updateNeighboursCard(join(dirname(opts.out), "MODEL_CARD.md"), {
      ...stats,
      ...file,
      k: opts.k,
      command,
      commit: sourceCommit(),
      out: opts.out,
    });
  console.log(
    JSON.stringify(
      { out: opts.out, ...file, ...stats, k: opts.k, seconds: Math.round(seconds * 10) / 10 },
      null,
      2,
    ),
  );
}
