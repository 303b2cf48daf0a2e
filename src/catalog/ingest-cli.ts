// `chatrec ingest <file> [--columns field=column,...] [--replace|--merge] [--data-dir <dir>]`
import { resolve } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { loadConfig } from "../config.ts";
import { InterestModel } from "../interest/model.ts";
import { CatalogFormatError, type ColumnMap } from "./load.ts";
import { ingestCatalog, parseColumnMap } from "./ingest.ts";

export const INGEST_USAGE =
  "usage: chatrec ingest <file.csv|file.jsonl> [--columns id=<col>,title=<col>,...] [--replace|--merge] [--data-dir <dir>]";
const PROGRESS_STEP = 1000;
const SKIPPED_SHOWN = 5;

interface IngestArgs {
  file: string;
  columns: ColumnMap;
  mode: "replace" | "merge";
  dataDir?: string;
}

export function parseIngestArgs(args: readonly string[]): IngestArgs {
  let file: string | undefined;
  let columns: ColumnMap = {};
  let mode: IngestArgs["mode"] | undefined;
  let dataDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined || v.startsWith("--"))
        throw new CatalogFormatError(`${arg} needs a value\n${INGEST_USAGE}`);
      return v;
    };
    if (arg === "--columns") columns = parseColumnMap(value());
    else if (arg === "--data-dir") dataDir = value();
    else if (arg === "--replace" || arg === "--merge") {
      const next = arg === "--replace" ? "replace" : "merge";
      if (mode && mode !== next)
        throw new CatalogFormatError("use either --replace or --merge, not both");
      mode = next;
    } else if (arg.startsWith("--"))
      throw new CatalogFormatError(`unknown option ${arg}\n${INGEST_USAGE}`);
    else if (file)
      throw new CatalogFormatError(
        `one catalog file at a time (got ${file} and ${arg})\n${INGEST_USAGE}`,
      );
    else file = arg;
  }
  if (!file) throw new CatalogFormatError(`which file?\n${INGEST_USAGE}`);
  return { file, columns, mode: mode ?? "replace", ...(dataDir ? { dataDir } : {}) };
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
