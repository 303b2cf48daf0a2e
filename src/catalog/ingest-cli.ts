// `chatrec ingest <file> [--columns field=column,...] [--replace|--merge] [--train|--no-train] [--epochs n] [--data-dir <dir>]`
// Training (an interest model of the catalog's own labels, the default for a catalog other than the demo one)
// lives in research/train/ingest-train.ts: bin/chatrec.js routes every `ingest` without --no-train there,
// which loads the file with ingestFromArgs first (src never imports research/). This module alone is the
// --no-train ingest.
import { resolve } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { interestModelDir, loadConfig, ownModelDir, type Config } from "../config.ts";
import { InterestModel } from "../interest/model.ts";
import { CatalogFormatError, type ColumnMap } from "./load.ts";
import { ingestCatalog, parseColumnMap } from "./ingest.ts";
import { parseOptions } from "../util/args.ts";
import { readCatalogSource } from "./source.ts";
import { WORDING_FLAGS, wordingFromFlags, type WordingSettings } from "./wording.ts";

export const INGEST_USAGE = `usage: chatrec ingest <file.csv|file.jsonl> [options]
  --columns field=column,...  which column holds each field (id, title, year, text, categories);
                              an id may be made: id=category+file (composite), id=#row (row number),
                              id=#hash:title+year (a hash of those columns)
  --replace                   the file becomes the whole catalog (default)
  --merge                     add the file's items to the catalog, replacing items with the same id
  --allow-skips               load the usable rows even when more than 1% of the rows cannot be used
  --data-dir <dir>            the data folder (default CHATREC_DATA_DIR or .chatrec)
The interest model: a catalog other than the shipped demo movie catalog gets its own by default, trained
after loading on the stored catalog's categories and text into <data-dir>/models (served instead of the
shipped movie model), and the items are re-embedded with it. A catalog without 2 categories of at least
20 items each is loaded and served with the shipped model (or the data folder's own), with a note.
  --no-train                  load only and keep the served model (a quick --merge of a few items)
  --train                     train even the demo catalog; fail when the catalog cannot be trained
  --epochs <n>                training epochs (default 12; fewer is faster and coarser)
How replies name the items (stored with the catalog; a --merge keeps what it does not set):
  --noun <word>               one item: book, article (default: item; film for the demo catalog)
  --noun-plural <word>        several: books (default: the noun + s)
  --others <phrase>           who recommends popular items: "other readers" (default: other people)
  --conversations <phrase>    where items were brought up together (default: conversations)
  --examples "<A>|<B>"        the help text's example titles (default: the two most popular)
  --example-constraint <text> the help text's example filter: "no poetry" (default: no <commonest category>)
  --scope-note <sentence>     said when a name is not found: "I only know novels, not comics"`;
/** More skipped rows than this share stops the ingest unless --allow-skips. */
const SKIP_TOLERANCE = 0.01;
const PROGRESS_STEP = 1000;
const SKIPPED_SHOWN = 5;

interface IngestArgs {
  file: string;
  columns: ColumnMap;
  mode: "replace" | "merge";
  allowSkips: boolean;
  dataDir?: string;
  /** Set (true) by --train: train whatever the catalog, and fail when it cannot be trained. */
  train?: boolean;
  /** Set (true) by --no-train: load only. Neither flag: train a catalog other than the demo one. */
  noTrain?: boolean;
  epochs?: number;
  wording?: WordingSettings;
}

export function parseIngestArgs(args: readonly string[]): IngestArgs {
  const { values, flags, positionals } = parseOptions(
    args,
    {
      values: ["--columns", "--data-dir", "--epochs", ...Object.keys(WORDING_FLAGS)],
      flags: ["--replace", "--merge", "--allow-skips", "--train", "--no-train"],
      positionals: 1,
    },
    INGEST_USAGE,
  );
  if (flags.has("--replace") && flags.has("--merge"))
    throw new CatalogFormatError("use either --replace or --merge, not both");
  if (flags.has("--train") && flags.has("--no-train"))
    throw new CatalogFormatError("use either --train or --no-train, not both");
  const file = positionals[0];
  if (!file) throw new CatalogFormatError(`which file?\n${INGEST_USAGE}`);
  const dataDir = values.get("--data-dir");
  const epochsText = values.get("--epochs");
  const epochs = epochsText === undefined ? undefined : Number(epochsText);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1))
    throw new CatalogFormatError(`--epochs must be a whole number >= 1, not "${epochsText}"`);
  if (epochs !== undefined && flags.has("--no-train"))
    throw new CatalogFormatError("--epochs goes with training, not with --no-train");
  const wording = wordingFromFlags(values);
  return {
    file,
    columns: values.has("--columns") ? parseColumnMap(values.get("--columns")!) : {},
    mode: flags.has("--merge") ? "merge" : "replace",
    allowSkips: flags.has("--allow-skips"),
    ...(dataDir ? { dataDir } : {}),
    ...(flags.has("--train") ? { train: true } : {}),
    ...(flags.has("--no-train") ? { noTrain: true } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(wording ? { wording } : {}),
  };
}

export interface IngestCliResult {
  args: IngestArgs;
  config: Config;
  stored: number;
  /** The table holds the shipped demo catalog (possibly with merged additions). */
  demo: boolean;
  /** The "loaded N items from ... in s" line, not printed yet: the caller ends it. */
  summary: string;
  /** The interest model the items were embedded with (the one served at the next start) and its labels. */
  modelDir: string;
  modelLabels: readonly string[];
}

/**
 * `chatrec ingest --no-train`: loads the file into the data folder's items table and says which interest
 * model serves it. Training is the caller's (research/train/ingest-train.ts, routed by bin/chatrec.js):
 * --train or --epochs here is an error.
 */
export async function runIngestCli(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<IngestCliResult> {
  const loaded = await ingestFromArgs(args, err);
  reportServedModel(loaded, err);
  return loaded;
}

/**
 * Loads the file as the arguments say and returns what was loaded where; prints progress and skipped rows
 * but not the summary line (see reportServedModel). `trainer`: the caller trains next, so --train and
 * --epochs are its to use.
 */
export async function ingestFromArgs(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: { trainer?: boolean } = {},
): Promise<IngestCliResult> {
  const a = parseIngestArgs(args);
  if ((a.train || a.epochs !== undefined) && !opts.trainer)
    throw new CatalogFormatError(
      "training is run by the chatrec command (bin/chatrec.js): chatrec ingest <file> [--train] [--epochs n]",
    );
  const config = loadConfig(process.env, a.dataDir ? { dataDir: a.dataDir } : {});
  const modelDir = interestModelDir(config);
  const model = await InterestModel.load(modelDir);
  const db = await lancedb.connect(config.dbUri);
  try {
    let shown = 0;
    const started = Date.now();
    const result = await ingestCatalog(db, model, {
      path: resolve(a.file),
      columns: a.columns,
      mode: a.mode,
      ...(a.allowSkips ? {} : { maxSkippedShare: SKIP_TOLERANCE }),
      wording: a.wording,
      onProgress: (done, total) => {
        if (done < total && done - shown < PROGRESS_STEP) return;
        shown = done;
        err(progressLine(done, total, Date.now() - started));
      },
    });
    for (const s of result.skipped.slice(0, SKIPPED_SHOWN))
      err(`skipped line ${s.line}: ${s.reason}`);
    if (result.skipped.length > SKIPPED_SHOWN)
      err(`... and ${result.skipped.length - SKIPPED_SHOWN} more skipped rows`);
    if (result.skipped.length > 0)
      err(`WARNING: ${result.skipped.length} rows were skipped (see above)`);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const summary =
      `${a.mode === "merge" ? "merged" : "loaded"} ${result.written} items from ${a.file} (${result.skipped.length} rows skipped) in ${seconds} s; ` +
      `the items table in ${config.dbUri} now holds ${result.stored} items.`;
    const source = await readCatalogSource(db);
    if (source && !source.demo && !source.wording?.noun)
      err(
        `note: replies call this catalog's entries "items"; name them with --noun (e.g. --noun book --noun-plural books, see docs/catalogs.md)`,
      );
    return {
      args: a,
      config,
      stored: result.stored,
      demo: source?.demo ?? false,
      summary,
      modelDir,
      modelLabels: model.labels,
    };
  } finally {
    db.close();
    await model.close();
  }
}

/**
 * Ends an ingest that did not train: the summary line, and a note on the interest model that serves the
 * catalog. `untrainable`: why a default ingest could not train (the catalog's categories, as the trainer
 * counted them), said instead of the --no-train note.
 */
export function reportServedModel(
  loaded: IngestCliResult,
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: { untrainable?: string } = {},
): void {
  console.log(`${loaded.summary} Restart the bot (npm start) to serve them.`);
  const { modelDir, modelLabels, config } = loaded;
  const own = modelDir === ownModelDir(config.dataDir);
  const served = own
    ? `this data folder's existing interest model (${modelDir}, trained on an earlier catalog; labels: ${modelLabels.slice(0, 6).join(", ")}${modelLabels.length > 6 ? ", ..." : ""})`
    : "the shipped movie interest model (it reads the items' text; its movie genres are not shown as interests unless they are this catalog's categories)";
  if (opts.untrainable !== undefined)
    err(
      `note: this catalog has too few categories to train its own interest model (${opts.untrainable}), ` +
        `so it is served with ${served}; training needs at least 2 categories with at least 20 items each (see docs/catalogs.md)`,
    );
  else if (own && loaded.demo)
    err(
      `note: the demo movie catalog was embedded with ${served}; delete ${modelDir} to serve it with the shipped movie model`,
    );
  else if (own)
    err(
      `note: the items were embedded with ${served}; if the catalog's categories changed, ingest it without --no-train to retrain it (see docs/catalogs.md)`,
    );
  else if (!loaded.demo)
    err(
      `note: this catalog is served with ${served}; ingest it without --no-train to train its own model on its categories (see docs/catalogs.md)`,
    );
}

/** "embedded 200000/1000000 items, 5120 items/s, about 2 min 36 s left". */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  if (done >= total || rate === 0) return `embedded ${done}/${total} items`;
  const left = Math.round((total - done) / rate);
  const time = left >= 60 ? `${Math.floor(left / 60)} min ${left % 60} s` : `${left} s`;
  return `embedded ${done}/${total} items, ${Math.round(rate)} items/s, about ${time} left`;
}
