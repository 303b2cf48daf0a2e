// Which file the `items` table was filled from, kept in LanceDB next to it (table `catalog_source`, one row),
// so the data folder alone says what it serves and whether the shipped item neighbours (learnt for the demo
// movie catalog) apply to it, and how replies name its items (`wording`, set by `chatrec ingest --noun ...`).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type * as lancedb from "@lancedb/lancedb";
import { Bool, Field, Int32, Schema, Utf8 } from "apache-arrow";
import { PACKAGE_ROOT } from "../config.ts";
import type { WordingSettings } from "./wording.ts";

export const CATALOG_SOURCE_TABLE = "catalog_source";
export const DEMO_CATALOG_PATH = resolve(PACKAGE_ROOT, "data/catalog/movies.jsonl");

export interface CatalogSource {
  path: string;
  sha256: string;
  /** How the last write used it: first-start seed, `ingest --replace` or `ingest --merge`. */
  mode: "seed" | "replace" | "merge";
  /** Items in the table after that write. */
  items: number;
  at: string;
  /** The table holds the shipped demo catalog (possibly with merged additions): the shipped neighbours apply. */
  demo: boolean;
  /** How replies name the items ("book"/"books"); absent: movie wording for the demo, else "item"/"items". */
  wording?: WordingSettings;
}

const schema = new Schema([
  new Field("path", new Utf8(), false),
  new Field("sha256", new Utf8(), false),
  new Field("mode", new Utf8(), false),
  new Field("items", new Int32(), false),
  new Field("at", new Utf8(), false),
  new Field("demo", new Bool(), false),
  // JSON of WordingSettings; null (or no column, in a data folder from before it) when none was set.
  new Field("wording", new Utf8(), true),
]);

export function fileSha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

let demoSha: string | undefined;
/** True for the shipped demo catalog file (compared by content, wherever it was copied). */
export function isDemoCatalogFile(sha256: string): boolean {
  demoSha ??= fileSha256(DEMO_CATALOG_PATH);
  return sha256 === demoSha;
}

export async function readCatalogSource(
  db: lancedb.Connection,
): Promise<CatalogSource | undefined> {
  if (!(await db.tableNames()).includes(CATALOG_SOURCE_TABLE)) return undefined;
  const [row] = (await (
    await db.openTable(CATALOG_SOURCE_TABLE)
  )
    .query()
    .limit(1)
    .toArray()) as Array<Omit<CatalogSource, "wording"> & { wording?: string | null }>;
  return row
    ? {
        path: row.path,
        sha256: row.sha256,
        mode: row.mode,
        items: Number(row.items),
        at: row.at,
        demo: Boolean(row.demo),
        ...(row.wording ? { wording: JSON.parse(row.wording) as WordingSettings } : {}),
      }
    : undefined;
}

export async function recordCatalogSource(
  db: lancedb.Connection,
  source: CatalogSource,
): Promise<void> {
  const row = { ...source, wording: source.wording ? JSON.stringify(source.wording) : null };
  await db.createTable(CATALOG_SOURCE_TABLE, [row], {
    mode: "overwrite",
    schema,
  });
}
