// The LanceDB `items` table: the catalog as ingested, with the model's vectors. Loaded into memory at start-up.
import * as lancedb from "@lancedb/lancedb";
import {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  List,
  Schema,
  Utf8,
  type RecordBatch,
} from "apache-arrow";
import {
  Catalog,
  idsKey,
  itemInterestDistribution,
  type CatalogIndexes,
  type SharedCatalogArrays,
} from "./catalog.ts";
import { itemText } from "./item-text.ts";
import { readCatalogSource } from "./source.ts";
import type { InterestModel } from "../interest/model.ts";
import type { Item } from "../types.ts";
import { ItemArrays } from "../util/kernels.ts";

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
  categories: readonly string[];
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
  return (await readColumns(await db.openTable(ITEMS_TABLE), { texts: true })).items;
}

interface StoredColumns {
  /** Their texts are empty unless asked for (`hasText` says which have one). */
  items: Item[];
  hasText: Uint8Array;
  vectors: Float32Array;
  interests: Float32Array;
}

/** A FixedSizeList column's floats of one batch, copied into `out` from row `at`. */
function copyFloats(
  batch: RecordBatch,
  name: string,
  width: number,
  out: Float32Array,
  at: number,
): void {
  for (const data of batch.getChild(name)!.data) {
    // A sliced list slices its child too: the child's offset is where this chunk's floats start.
    const floats = data.children[0]!;
    const values = floats.values as Float32Array;
    out.set(values.subarray(floats.offset, floats.offset + data.length * width), at * width);
    at += data.length;
  }
}

/**
 * The items table read batch by batch, column by column. Row objects (a proxy per row and an array per
 * vector) took most of a large catalog's start-up; reading the whole table at once left the native
 * allocator holding as much again after it was freed.
 */
async function readColumns(
  table: lancedb.Table,
  opts: { texts: boolean; place?: ItemArraysPlace | undefined },
): Promise<StoredColumns> {
  const n = await table.countRows();
  const fields = (await table.schema()).fields;
  const widthOf = (name: string) =>
    (fields.find((f) => f.name === name)!.type as FixedSizeList).listSize;
  const dim = widthOf("vector");
  const labels = widthOf("interests");
  // Read straight into the kernel memory the catalog keeps them in, or read there by a turn worker.
  const place = opts.place ?? { threads: 1 };
  const shared = "shared" in place ? place : undefined;
  const arrays = shared
    ? ItemArrays.attach(shared.shared.arrays, shared.thread)
    : ItemArrays.create(n, dim, labels, "threads" in place ? place.threads : 1);
  const notTheSame = () => new Error("the items table is not the one the main thread read");
  if (arrays.size !== n || arrays.dim !== dim || arrays.labels !== labels) throw notTheSame();
  const { vectors, interests } = arrays;
  const hasText = new Uint8Array(n);
  const columns = ["id", "title", "year", "categories", "extra"];
  if (!shared) columns.push("vector", "interests");
  // Without the texts, only whether each item has one crosses into JavaScript.
  const projection = Object.fromEntries(columns.map((c) => [c, c]));
  if (opts.texts) projection.text = "text";
  else projection.has_text = "length(text) > 0";
  // Items share one frozen list per set of categories and one empty extra: a million items have a few
  // thousand sets, and most have no extra fields.
  const lists = new Map<string, readonly string[]>();
  const noExtra: Item["extra"] = Object.freeze({});
  const items: Item[] = [];
  for await (const batch of table.query().select(projection)) {
    const at = items.length;
    if (at + batch.numRows > n) throw new Error("the items table grew while it was read");
    const column = <T>(name: string) => batch.getChild(name)!.toArray() as T[];
    const [ids, titles, extras] = ["id", "title", "extra"].map((c) => column<string>(c));
    const texts = opts.texts ? column<string>("text") : undefined;
    const textFlags = opts.texts ? undefined : batch.getChild("has_text")!;
    const years = batch.getChild("year")!;
    const categories = batch.getChild("categories")!;
    for (let i = 0; i < batch.numRows; i++) {
      const text = texts?.[i] ?? "";
      hasText[at + i] = (texts ? text !== "" : textFlags!.get(i) === true) ? 1 : 0;
      const year = years.get(i) as number | null;
      const own = Array.from((categories.get(i) as Iterable<string> | null) ?? []);
      const joined = own.join("\0");
      let shared = lists.get(joined);
      if (shared === undefined) lists.set(joined, (shared = Object.freeze(own)));
      items.push({
        id: ids![i]!,
        title: titles![i]!,
        ...(year !== null && year !== undefined ? { year } : {}),
        text,
        categories: shared,
        extra: extras![i] === "{}" ? noExtra : (JSON.parse(extras![i]!) as Item["extra"]),
      });
    }
    if (!shared) {
      copyFloats(batch, "vector", dim, vectors, at);
      copyFloats(batch, "interests", labels, interests, at);
    }
  }
  if (items.length !== n) throw new Error("the items table changed while it was read");
  if (shared && idsKey(items) !== shared.shared.idsKey) throw notTheSame();
  return { items, hasText, vectors, interests };
}

/** Whether the stored vectors were made by another model (or another model's shape): they are made again. */
async function embeddedByAnotherModel(
  table: lancedb.Table,
  model: InterestModel,
): Promise<boolean> {
  const fields = (await table.schema()).fields;
  const widthOf = (name: string) =>
    (fields.find((f) => f.name === name)?.type as FixedSizeList | undefined)?.listSize;
  if (widthOf("vector") !== model.dim || widthOf("interests") !== model.labels.length) return true;
  return (await table.countRows(`model_sha != '${model.sha256.replace(/'/g, "''")}'`)) > 0;
}

/** One item's text, read from the table by its row ("" when the table no longer has it there). */
async function readText(table: lancedb.Table, row: number, id: string): Promise<string> {
  const [found] = (await table.takeOffsets([row]).select(["id", "text"]).toArray()) as Array<{
    id: string;
    text: string;
  }>;
  return found?.id === id ? found.text : "";
}

/**
 * Where a catalog's item arrays go: new ones with a scratch area for each of `threads` scoring threads, or
 * the main thread's, read in place by turn worker `thread` (its rows checked to be the same items).
 */
export type ItemArraysPlace = { threads: number } | { shared: SharedCatalogArrays; thread: number };

/**
 * Opens the catalog for serving. The stored items table always wins: only a data folder without one is filled
 * by `seed()` (the configured catalog file); `chatrec ingest` replaces the table. A model whose sha differs
 * from the one the vectors were made with re-embeds the stored items, so a retrained model is picked up.
 * `savedIndexes`: the indexes saved for the items table as it is then (src/catalog/snapshot.ts), if any.
 */
export async function openCatalog(
  db: lancedb.Connection,
  model: InterestModel,
  seed: () => Promise<unknown>,
  commonWords: ReadonlyMap<string, number>,
  onProgress?: Progress,
  savedIndexes?: (items: lancedb.Table) => Promise<CatalogIndexes | undefined>,
  place?: ItemArraysPlace,
): Promise<Catalog> {
  if (!(await db.tableNames()).includes(ITEMS_TABLE)) await seed();
  let table = await db.openTable(ITEMS_TABLE);
  if ((await table.countRows()) === 0)
    throw new Error("the items table is empty: ingest a catalog first (chatrec ingest <file>)");
  if (await embeddedByAnotherModel(table, model)) {
    const { items } = await readColumns(table, { texts: true });
    await writeItems(db, model, items, { mode: "replace", onProgress });
    table = await db.openTable(ITEMS_TABLE);
  }
  const saved = await savedIndexes?.(table);
  // Texts only to build the indexes: a message reads the few it needs from the table (Catalog.textOf).
  const { items, hasText, vectors, interests } = await readColumns(table, { texts: !saved, place });
  // The wording is the one stored by `chatrec ingest`; a data folder without a record holds the demo catalog.
  const source = await readCatalogSource(db);
  return new Catalog(
    {
      items,
      vectors,
      dim: model.dim,
      interests,
      labels: model.labels,
      texts: { hasText, read: (row) => readText(table, row, items[row]!.id) },
    },
    commonWords,
    { settings: source?.wording, demo: !source || source.demo },
    saved,
  );
}
