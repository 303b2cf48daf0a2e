// `chatrec ingest <file> [--columns field=column,...] [--replace|--merge] [--data-dir <dir>]`
import { resolve } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { loadConfig } from "../config.ts";
import { InterestModel } from "../interest/model.ts";
import { CatalogFormatError, type ColumnMap } from "./load.ts";
import { ingestCatalog, parseColumnMap } from "./ingest.ts";
import { parseOptions } from "../util/args.ts";

export const INGEST_USAGE = `usage: chatrec ingest <file.csv|file.jsonl> [options]
  --columns field=column,...  which column holds each field (id, title, year, text, categories);
                              an id may be made: id=category+file (composite), id=#row (row number),
                              id=#hash:title+year (a hash of those columns)
  --replace                   the file becomes the whole catalog (default)
  --merge                     add the file's items to the catalog, replacing items with the same id
  --allow-skips               load the usable rows even when more than 1% of the rows cannot be used
  --data-dir <dir>            the data folder (default CHATREC_DATA_DIR or .chatrec)`;
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
}

export function parseIngestArgs(args: readonly string[]): IngestArgs {
  const { values, flags, positionals } = parseOptions(
    args,
    {
      values: ["--columns", "--data-dir"],
      flags: ["--replace", "--merge", "--allow-skips"],
      positionals: 1,
    },
    INGEST_USAGE,
  );
  if (flags.has("--replace") && flags.has("--merge"))
    throw new CatalogFormatError("use either --replace or --merge, not both");
  const file = positionals[0];
  if (!file) throw new CatalogFormatError(`which file?\n${INGEST_USAGE}`);
  const dataDir = values.get("--data-dir");
  return {
    file,
    columns: values.has("--columns") ? parseColumnMap(values.get("--columns")!) : {},
    mode: flags.has("--merge") ? "merge" : "replace",
    allowSkips: flags.has("--allow-skips"),
    ...(dataDir ? { dataDir } : {}),
  };
}

export async function runIngestCli(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  const a = parseIngestArgs(args);
  const config = loadConfig(process.env, a.dataDir ? { dataDir: a.dataDir } : {});
  const model = await InterestModel.load(config.modelDir);
  const db = await lancedb.connect(config.dbUri);
  try {
    let shown = 0;
    const started = Date.now();
    const result = await ingestCatalog(db, model, {
      path: resolve(a.file),
      columns: a.columns,
      mode: a.mode,
      ...(a.allowSkips ? {} : { maxSkippedShare: SKIP_TOLERANCE }),
      onProgress: (done, total) => {
        if (done < total && done - shown < PROGRESS_STEP) return;
        shown = done;
        err(`embedded ${done}/${total} items`);
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
        `the items table in ${config.dbUri} now holds ${result.stored} items. Restart the bot (npm start) to serve them.`,
    );
  } finally {
    db.close();
    await model.close();
  }
}
