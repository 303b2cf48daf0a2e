// `chatrec ingest <file> [--columns field=column,...] [--replace|--merge] [--train [--epochs n]] [--data-dir <dir>]`
// The --train part (an interest model of the catalog's own labels) lives in research/train/ingest-train.ts:
// bin/chatrec.js routes `ingest --train` there, which calls runIngestCli first (src never imports research/).
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
  --train                     then train an interest model on the catalog's own categories and text into
                              <data-dir>/models (served instead of the shipped movie model) and re-embed
  --epochs <n>                training epochs with --train (default 12; fewer is faster and coarser)
  --data-dir <dir>            the data folder (default CHATREC_DATA_DIR or .chatrec)
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
  /** Set (true) by --train. */
  train?: boolean;
  epochs?: number;
  wording?: WordingSettings;
}

export function parseIngestArgs(args: readonly string[]): IngestArgs {
  const { values, flags, positionals } = parseOptions(
    args,
    {
      values: ["--columns", "--data-dir", "--epochs", ...Object.keys(WORDING_FLAGS)],
      flags: ["--replace", "--merge", "--allow-skips", "--train"],
      positionals: 1,
    },
    INGEST_USAGE,
  );
  if (flags.has("--replace") && flags.has("--merge"))
    throw new CatalogFormatError("use either --replace or --merge, not both");
  const file = positionals[0];
  if (!file) throw new CatalogFormatError(`which file?\n${INGEST_USAGE}`);
  const dataDir = values.get("--data-dir");
  const epochsText = values.get("--epochs");
  const epochs = epochsText === undefined ? undefined : Number(epochsText);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1))
    throw new CatalogFormatError(`--epochs must be a whole number >= 1, not "${epochsText}"`);
  if (epochs !== undefined && !flags.has("--train"))
    throw new CatalogFormatError("--epochs goes with --train");
  const wording = wordingFromFlags(values);
  return {
    file,
    columns: values.has("--columns") ? parseColumnMap(values.get("--columns")!) : {},
    mode: flags.has("--merge") ? "merge" : "replace",
    allowSkips: flags.has("--allow-skips"),
    ...(dataDir ? { dataDir } : {}),
    ...(flags.has("--train") ? { train: true } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(wording ? { wording } : {}),
  };
}

export interface IngestCliResult {
  args: IngestArgs;
  config: Config;
  stored: number;
}

/**
 * Loads the file into the data folder's items table. `training`: the caller (`ingest --train`, routed by
 * bin/chatrec.js to research/) trains and re-embeds next, so the closing hints are its own.
 */
export async function runIngestCli(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  await ingestFromArgs(args, err);
}

/** runIngestCli, returning what was loaded where (for `ingest --train`). */
export async function ingestFromArgs(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: { training?: boolean } = {},
): Promise<IngestCliResult> {
  const a = parseIngestArgs(args);
  if (a.train && !opts.training)
    throw new CatalogFormatError(
      "--train is run by the chatrec command (bin/chatrec.js): chatrec ingest <file> --train",
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
    console.log(
      `${a.mode === "merge" ? "merged" : "loaded"} ${result.written} items from ${a.file} (${result.skipped.length} rows skipped) in ${seconds} s; ` +
        `the items table in ${config.dbUri} now holds ${result.stored} items.` +
        (opts.training ? "" : " Restart the bot (npm start) to serve them."),
    );
    const source = await readCatalogSource(db);
    if (source && !source.demo && !source.wording?.noun)
      err(
        `note: replies call this catalog's entries "items"; name them with --noun (e.g. --noun book --noun-plural books, see docs/catalogs.md)`,
      );
    if (!opts.training) {
      if (modelDir === ownModelDir(config.dataDir))
        err(
          `note: the items were embedded with this data folder's own interest model (${modelDir}; labels: ${model.labels.slice(0, 6).join(", ")}${model.labels.length > 6 ? ", ..." : ""}); ` +
            `if the catalog's categories changed, retrain it: add --train (see docs/catalogs.md)`,
        );
      else if (source && !source.demo)
        err(
          `note: this catalog is served with the shipped movie interest model (movie genres); add --train to learn its own categories (see docs/catalogs.md)`,
        );
    }
    return { args: a, config, stored: result.stored };
  } finally {
    db.close();
    await model.close();
  }
}

/** "embedded 200000/1000000 items, 5120 items/s, about 2 min 36 s left". */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  if (done >= total || rate === 0) return `embedded ${done}/${total} items`;
  const left = Math.round((total - done) / rate);
  const time = left >= 60 ? `${Math.floor(left / 60)} min ${left % 60} s` : `${left} s`;
  return `embedded ${done}/${total} items, ${Math.round(rate)} items/s, about ${time} left`;
}
