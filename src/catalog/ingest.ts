// Loads a catalog file (CSV or JSONL) into the LanceDB `items` table: checks the column map against the file,
// embeds the items with the interest model, records the source. Used by `chatrec ingest` and the first start.
import { existsSync, statSync } from "node:fs";
import type * as lancedb from "@lancedb/lancedb";
import {
  CatalogFormatError,
  idColumns,
  loadCatalogFile,
  type ColumnMap,
  type LoadedCatalog,
} from "./load.ts";
import { fileSha256, isDemoCatalogFile, readCatalogSource, recordCatalogSource } from "./source.ts";
import { ITEMS_TABLE, writeItems, type Progress } from "./store.ts";
import type { WordingSettings } from "./wording.ts";
import type { InterestModel } from "../interest/model.ts";
import { NEIGHBOURS_TABLE } from "../recommend/neighbours-store.ts";

export const CATALOG_FIELDS = ["id", "title", "text", "categories", "year", "popularity"] as const;
type CatalogField = (typeof CATALOG_FIELDS)[number];

/** `id=book_id,year=original_publication_year` -> { id: "book_id", year: "original_publication_year" }. */
export function parseColumnMap(spec: string): ColumnMap {
  const map: ColumnMap = {};
  for (const pair of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [field, column, ...rest] = pair.split("=").map((s) => s.trim());
    if (!field || !column || rest.length)
      throw new CatalogFormatError(
        `bad --columns entry "${pair}": use field=column, e.g. id=book_id`,
      );
    if (!(CATALOG_FIELDS as readonly string[]).includes(field))
      throw new CatalogFormatError(
        `unknown catalog field "${field}" in --columns: the fields are ${CATALOG_FIELDS.join(", ")}`,
      );
    map[field as CatalogField] = column;
  }
  return map;
}

/** A column the map names must exist in the file; id and title must exist (mapped or by their own name). */
export function checkColumns(loaded: LoadedCatalog, columns: ColumnMap, path: string): void {
  const present = new Set(loaded.columns);
  const shown =
    loaded.columns.slice(0, 30).join(", ") + (loaded.columns.length > 30 ? ", ..." : "");
  for (const field of CATALOG_FIELDS) {
    const column = columns[field];
    const required = field === "id" || field === "title";
    const needed = field === "id" ? idColumns(column ?? "id") : [column ?? field];
    const missing = needed.find((c) => !present.has(c));
    if ((column !== undefined || required) && missing !== undefined) {
      const how =
        column !== undefined ? `column "${missing}" (mapped to ${field})` : `column "${field}"`;
      throw new CatalogFormatError(
        `${path}: ${how} not found; the file has: ${shown || "no columns"}${column === undefined ? `. Map one with --columns ${field}=<column>, or make one: id=#row, id=category+file, id=#hash:title+year` : ""}`,
      );
    }
  }
  if (loaded.items.length === 0) {
    const first = loaded.skipped
      .slice(0, 3)
      .map((s) => `line ${s.line}: ${s.reason}`)
      .join("; ");
    throw new CatalogFormatError(`${path}: no usable rows${first ? ` (${first})` : ""}`);
  }
}

export interface IngestOptions {
  path: string;
  columns?: ColumnMap;
  mode: "replace" | "merge";
  /** "seed": the first start filling an empty data folder (recorded as such). */
  reason?: "seed" | "ingest";
  onProgress?: Progress;
  /** Refuse (before writing anything) when more than this share of the rows is skipped; default: no limit. */
  maxSkippedShare?: number;
  /** How replies name the items (`--noun book ...`); a merge keeps the earlier settings it does not give. */
  wording?: WordingSettings | undefined;
}

export interface IngestResult {
  /** Items read from the file and written. */
  written: number;
  /** Items in the table afterwards (more than `written` after a merge). */
  stored: number;
  skipped: LoadedCatalog["skipped"];
}

export async function ingestCatalog(
  db: lancedb.Connection,
  model: InterestModel,
  opts: IngestOptions,
): Promise<IngestResult> {
  const { path, columns = {}, mode } = opts;
  if (!existsSync(path)) throw new CatalogFormatError(`catalog file not found: ${path}`);
  if (!statSync(path).isFile()) throw new CatalogFormatError(`not a file: ${path}`);
  const loaded = loadCatalogFile(path, columns);
  checkColumns(loaded, columns, path);
  const rows = loaded.items.length + loaded.skipped.length;
  if (opts.maxSkippedShare !== undefined && loaded.skipped.length > opts.maxSkippedShare * rows) {
    const reasons = [...new Set(loaded.skipped.map((s) => s.reason.replace(/ \S+$/, "")))];
    throw new CatalogFormatError(
      `${path}: ${loaded.skipped.length} of ${rows} rows would be skipped (${reasons.slice(0, 3).join("; ")}; first at line ${loaded.skipped[0]!.line}); nothing was loaded. ` +
        `Fix the file or the --columns map (a composite id: id=category+file; a generated one: id=#row or id=#hash:title+year), or pass --allow-skips to load the rest`,
    );
  }
  const previous = await readCatalogSource(db);
  const hadItems = (await db.tableNames()).includes(ITEMS_TABLE);
  const stored = await writeItems(db, model, loaded.items, {
    mode,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const sha256 = fileSha256(path);
  // The shipped neighbours were learnt for the demo catalog's ids: another catalog must not inherit them.
  // A merge keeps what the table was (data folders from before this record held the demo catalog).
  const demo = mode === "merge" && hadItems ? (previous?.demo ?? true) : isDemoCatalogFile(sha256);
  if (!demo && (await db.tableNames()).includes(NEIGHBOURS_TABLE))
    await db.dropTable(NEIGHBOURS_TABLE);
  const merged = mode === "merge" && hadItems;
  const wording = { ...(merged ? previous?.wording : {}), ...opts.wording };
  await recordCatalogSource(db, {
    path,
    sha256,
    mode: opts.reason === "seed" ? "seed" : mode,
    items: stored,
    at: new Date().toISOString(),
    demo,
    ...(Object.keys(wording).length ? { wording } : {}),
  });
  return { written: loaded.items.length, stored, skipped: loaded.skipped };
}
