// The LanceDB `items` table: the catalog as ingested, with the model's vectors. Loaded into memory at start-up.
import * as lancedb from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Int32, List, Schema, Utf8 } from "apache-arrow";
import { Catalog, itemInterestDistribution } from "./catalog.ts";
import { itemText } from "./item-text.ts";
import { readCatalogSource } from "./source.ts";
import type { InterestModel } from "../interest/model.ts";
import type { Item } from "../types.ts";

export const ITEMS_TABLE = "items";
const EMBED_BATCH = 128;

function itemsSchema(dim: number, labels: number): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("title", new Utf8(), false),
    new Field("year", new Int32(), true),
    new Field("text", new Utf8(), false),
    new Field("categories", new List(new Field("item", new Utf8(), true)), false),
    new Field("extra", new Utf8(), false),
    new Field("model_sha", new Utf8(), false),
    new Field("vector", new FixedSizeList(dim, new Field("item", new Float32(), true)), false),
    new Field(
      "interests",
      new FixedSizeList(labels, new Field("item", new Float32(), true)),
      false,
    ),
  ]);
}

interface ItemRow {
  id: string;
  title: string;
  year: number | null;
  text: string;
  categories: string[];
  extra: string;
  model_sha: string;
  vector: number[];
  interests: number[];
}

export type Progress = (done: number, total: number) => void;

/** Embeds items with the interest model, in batches, reporting progress. */
export async function embedItems(
  model: InterestModel,
  items: readonly Item[],
  onProgress?: Progress,
): Promise<{ vectors: Float32Array; interests: Float32Array }> {
  const vectors = new Float32Array(items.length * model.dim);
  const interests = new Float32Array(items.length * model.labels.length);
  for (let start = 0; start < items.length; start += EMBED_BATCH) {
    const batch = items.slice(start, start + EMBED_BATCH);
    const predictions = await model.predict(batch.map(itemText));
    predictions.forEach((p, i) => {
      vectors.set(p.embedding, (start + i) * model.dim);
      interests.set(
        itemInterestDistribution(batch[i]!, model.labels, p.interests),
        (start + i) * model.labels.length,
      );
    });
    onProgress?.(Math.min(start + EMBED_BATCH, items.length), items.length);
  }
  return { vectors, interests };
}

function toRows(
  items: readonly Item[],
  vectors: Float32Array,
  interests: Float32Array,
  model: InterestModel,
): ItemRow[] {
  const d = model.dim;
  const l = model.labels.length;
  return items.map((item, i) => ({
    id: item.id,
    title: item.title,
    year: item.year ?? null,
    text: item.text,
    categories: item.categories,
    extra: JSON.stringify(item.extra),
    model_sha: model.sha256,
    vector: Array.from(vectors.subarray(i * d, (i + 1) * d)),
    interests: Array.from(interests.subarray(i * l, (i + 1) * l)),
  }));
}

/** Replaces (or merges into) the items table; returns how many items it now holds. */
export async function writeItems(
  db: lancedb.Connection,
  model: InterestModel,
  items: readonly Item[],
  opts: { mode: "replace" | "merge"; onProgress?: Progress },
): Promise<number> {
  const { vectors, interests } = await embedItems(model, items, opts.onProgress);
  const rows = toRows(items, vectors, interests, model) as unknown as Array<
    Record<string, unknown>
  >;
  const names = await db.tableNames();
  if (opts.mode === "merge" && names.includes(ITEMS_TABLE)) {
    const table = await db.openTable(ITEMS_TABLE);
    await table.mergeInsert("id").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows);
    await table.optimize();
    return table.countRows();
  }
  const table = await db.createTable(ITEMS_TABLE, rows, {
    mode: "overwrite",
    schema: itemsSchema(model.dim, model.labels.length),
  });
  return table.countRows();
}

/** The catalog as stored in the data folder (after a merge: old and new items together). */
export async function readStoredItems(db: lancedb.Connection): Promise<Item[]> {
  const rows = await (await db.openTable(ITEMS_TABLE)).query().toArray();
  return (rows as unknown as ItemRow[]).map(rowToItem);
}

function rowToItem(row: ItemRow): Item {
  return {
    id: row.id,
    title: row.title,
    ...(row.year !== null && row.year !== undefined ? { year: row.year } : {}),
    text: row.text,
    categories: Array.from(row.categories ?? []),
    extra: JSON.parse(row.extra) as Item["extra"],
  };
}

/**
 * Opens the catalog for serving. The stored items table always wins: only a data folder without one is filled
 * by `seed()` (the configured catalog file); `chatrec ingest` replaces the table. A model whose sha differs
 * from the one the vectors were made with re-embeds the stored items, so a retrained model is picked up.
 */
export async function openCatalog(
  db: lancedb.Connection,
  model: InterestModel,
  seed: () => Promise<unknown>,
  commonWords: ReadonlyMap<string, number>,
  onProgress?: Progress,
): Promise<Catalog> {
  if (!(await db.tableNames()).includes(ITEMS_TABLE)) await seed();
  const table = await db.openTable(ITEMS_TABLE);
  let rows = (await table.query().toArray()) as unknown as ItemRow[];
  if (rows.length === 0)
    throw new Error("the items table is empty: ingest a catalog first (chatrec ingest <file>)");
  const stale = rows.some(
    (r) =>
      r.model_sha !== model.sha256 ||
      r.vector.length !== model.dim ||
      r.interests.length !== model.labels.length,
  );
  if (stale) {
    await writeItems(db, model, rows.map(rowToItem), { mode: "replace", onProgress });
    rows = (await (await db.openTable(ITEMS_TABLE)).query().toArray()) as unknown as ItemRow[];
  }
  const dim = model.dim;
  const l = model.labels.length;
  const vectors = new Float32Array(rows.length * dim);
  const interests = new Float32Array(rows.length * l);
  rows.forEach((r, i) => {
    vectors.set(Array.from(r.vector), i * dim);
    interests.set(Array.from(r.interests), i * l);
  });
  // The wording is the one stored by `chatrec ingest`; a data folder without a record holds the demo catalog.
  const source = await readCatalogSource(db);
  return new Catalog(
    { items: rows.map(rowToItem), vectors, dim, interests, labels: model.labels },
    commonWords,
    { settings: source?.wording, demo: !source || source.demo },
  );
}
