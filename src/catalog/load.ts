// Reads a catalog file (JSONL or CSV) into Items. Columns: id, title, text, categories, year, popularity;
// any other column is kept in `extra`. A column map renames source columns (e.g. id=book_id).
import { createHash } from "node:crypto";
import { withoutControls } from "../util/text.ts";
import { ChatrecError } from "../errors.ts";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseCsvObjects } from "../util/csv.ts";
import type { Item } from "../types.ts";

export type ColumnMap = Partial<
  Record<"id" | "title" | "text" | "categories" | "year" | "popularity", string>
>;

export class CatalogFormatError extends ChatrecError {
  override name = "CatalogFormatError";
  constructor(message: string) {
    super("CATALOG_FORMAT", message);
  }
}

export interface LoadedCatalog {
  items: Item[];
  /** Rows that did not become items, by line (JSONL: the file line; CSV: the row number, header = 1). */
  skipped: Array<{ line: number; reason: string }>;
  /** The source columns (CSV: the header; JSONL: every key seen), for checking a column map. */
  columns: string[];
}

const LIST_SEPARATOR = /\s*[|;]\s*/;

function toList(value: unknown): string[] {
  if (Array.isArray(value))
    return value.map((v) => withoutControls(String(v)).trim()).filter(Boolean);
  if (typeof value === "string")
    return withoutControls(value)
      .split(LIST_SEPARATOR)
      .map((v) => v.trim())
      .filter(Boolean);
  return [];
}

function toYear(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : Number.parseFloat(String(value ?? ""));
  return Number.isFinite(n) && n >= 1000 && n <= 3000 ? Math.trunc(n) : undefined;
}

function toExtra(value: unknown): string | string[] | number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") return withoutControls(value);
  if (Array.isArray(value)) return value.map((v) => withoutControls(String(v)));
  return undefined;
}

/**
 * The columns an id is made of: `file` (one column), `category+file` (a composite, joined with ":"),
 * `#row` (the row's line number) or `#hash:title+year` (a short hash of those columns' values).
 */
export function idColumns(spec: string): string[] {
  if (spec === ROW_ID) return [];
  return (spec.startsWith(HASH_ID) ? spec.slice(HASH_ID.length) : spec).split("+");
}
const ROW_ID = "#row";
const HASH_ID = "#hash:";

function idOf(row: Record<string, unknown>, spec: string, line: number): string {
  if (spec === ROW_ID) return String(line);
  const parts = idColumns(spec).map((c) => String(row[c] ?? "").trim());
  if (parts.some((p) => p === "")) return "";
  const joined = parts.join(":");
  return spec.startsWith(HASH_ID)
    ? createHash("sha256").update(joined).digest("hex").slice(0, 16)
    : joined;
}

export function rowToItem(row: Record<string, unknown>, columns: ColumnMap = {}, line = 0): Item {
  const col = (name: keyof ColumnMap) => row[columns[name] ?? name];
  const id = idOf(row, columns.id ?? "id", line);
  // Bidi overrides and control characters would make a title or plot display as something it is not.
  const title = withoutControls(String(col("title") ?? ""))
    .replace(/\s+/g, " ")
    .trim();
  if (!id) throw new CatalogFormatError("missing id");
  if (!title) throw new CatalogFormatError("missing title");
  const used = new Set(Object.keys(columns).map((k) => columns[k as keyof ColumnMap]!));
  for (const k of ["title", "text", "categories", "year"])
    used.add(columns[k as keyof ColumnMap] ?? k);
  for (const c of idColumns(columns.id ?? "id")) used.add(c);
  const extra: Item["extra"] = {};
  for (const [key, value] of Object.entries(row)) {
    if (used.has(key)) continue;
    const v = toExtra(value);
    if (v !== undefined && v !== "") extra[key] = v;
  }
  const popularity = Number(col("popularity"));
  if (Number.isFinite(popularity)) extra.popularity = popularity;
  const year = toYear(col("year"));
  return {
    id,
    title,
    ...(year !== undefined ? { year } : {}),
    text: withoutControls(String(col("text") ?? "")).trim(),
    categories: toList(col("categories")).map((c) => c.toLowerCase()),
    extra,
  };
}

export function readCatalogText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
}

export function parseCatalog(
  text: string,
  format: "jsonl" | "csv",
  columns: ColumnMap = {},
): LoadedCatalog {
  const items: Item[] = [];
  const skipped: LoadedCatalog["skipped"] = [];
  const seen = new Set<string>();
  const names = new Set<string>();
  const rows: Array<{ line: number; row: Record<string, unknown> }> =
    format === "csv"
      ? parseCsvObjects(text).map((row, i) => ({ line: i + 2, row }))
      : text.split("\n").flatMap((line, i) => {
          if (!line.trim()) return [];
          try {
            const parsed: unknown = JSON.parse(line);
            if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
              return [{ line: i + 1, row: parsed as Record<string, unknown> }];
            skipped.push({ line: i + 1, reason: "not a JSON object" });
          } catch {
            skipped.push({ line: i + 1, reason: "invalid JSON" });
          }
          return [];
        });
  for (const { line, row } of rows) {
    for (const key of Object.keys(row)) names.add(key);
    try {
      const item = rowToItem(row, columns, line);
      if (seen.has(item.id)) throw new CatalogFormatError(`duplicate id ${item.id}`);
      seen.add(item.id);
      items.push(item);
    } catch (err) {
      skipped.push({ line, reason: (err as Error).message });
    }
  }
  skipped.sort((x, y) => x.line - y.line);
  return { items, skipped, columns: [...names] };
}

export function loadCatalogFile(path: string, columns: ColumnMap = {}): LoadedCatalog {
  const format = /\.csv(\.gz)?$/i.test(path)
    ? "csv"
    : /\.jsonl?(\.gz)?$|\.ndjson$/i.test(path)
      ? "jsonl"
      : undefined;
  if (!format)
    throw new CatalogFormatError(
      `unsupported catalog file ${path}: use .jsonl or .csv (optionally .gz)`,
    );
  return parseCatalog(readCatalogText(path), format, columns);
}
