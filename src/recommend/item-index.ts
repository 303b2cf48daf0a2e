// Candidates for large catalogs: a LanceDB vector index over each item's linear-stage features (see
// Ranker.linearFeatures), so a turn scores the index's best rows and the request's own rows instead of every
// row. Years and categories are columns of the index's table, so the constraints filter before the search.
import * as lancedb from "@lancedb/lancedb";
import { createRequire } from "node:module";
import type * as Arrow from "apache-arrow";
import { toHalves } from "../util/half.ts";
import { sortedUnion } from "../util/sorted.ts";
import { categoryKeys, type Ranker } from "./rank.ts";

// LanceDB checks Arrow tables with instanceof against the CommonJS build it requires; the ESM build's classes
// would fail that check ("schemas must be equivalent"), so the batches are made with that same build.
const {
  Field,
  FixedSizeList,
  Float16,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table: ArrowTable,
  Utf8,
  vectorFromArray,
} = createRequire(import.meta.url)("apache-arrow") as typeof Arrow;

const TABLE_PREFIX = "item_index_";
/**
 * The features are stored as float16. LanceDB keeps the partitions it searches in memory, a second copy of
 * what the ranker holds: at a million items half of 448 MB. The ranker re-scores the candidates with its
 * own float32 features, so only which rows come back can change, not their scores; and the searches are
 * faster (docs/scaling.md). Part of the table's name, so a table of float32 features is built again.
 */
const FEATURE_FORMAT = "f16_";
/** The vector index and the year and category indexes. */
const INDEXES = 3;
/** Rows written to the index's table at a time (a million items' features would not fit one Arrow batch well). */
const WRITE_CHUNK = 50_000;

/** What a request asks of the index. */
export interface CandidateSearch {
  /** The request's folded linear query, as wide as the rows' features. */
  query: Float32Array;
  /** SQL filter of the hard constraints (years, excluded categories); undefined when there are none. */
  where: string | undefined;
  /** Filters of the rows boosts lift together (categories asked for, the newest), within the constraints. */
  boosted: readonly string[];
  /** Rows the request reaches by its own terms (neighbours, people, series), scored whatever the index says. */
  rows: readonly number[];
}

/** Rows each search returns. */
const SEARCH_LIMIT = 400;
/** IVF partitions searched: more find more of the exact best and take longer. */
const NPROBES = 20;
/** A filter admitting at most this many rows gives them all instead of a search. */
const EXACT_BELOW = 10 * SEARCH_LIMIT;
/** Filters whose admitted rows are kept (at most 4,000 rows each). */
const FILTERS_KEPT = 1000;
/** A filtered search looks in at most this many times the partitions of an unfiltered one. */
const MAX_PROBE_SCALE = 8;

export class ItemIndex {
  /** What each filter seen admits (see admitted), the oldest dropped first. */
  private readonly filtered = new Map<string, Int32Array | number>();
  /** When set (the scale bench), each ranking adds its recall@100 against the exact linear stage. */
  recall: number[] | undefined;

  private constructor(
    private readonly table: lancedb.Table,
    /** Catalog row of each of the table's row ids (reading a row id is cheaper than reading a column). */
    private readonly rowOf: RowIds,
    /** Rows in the index (the catalog's size). */
    private readonly size: number,
    /** Seconds this start spent building the index; undefined when it was opened as built before. */
    readonly buildSeconds?: number,
  ) {}

  /**
   * The index for this ranker's catalog and weights: opened when it exists, else built (and older ones
   * dropped) when `build`, else undefined (a turn worker waits for the engine to build it).
   */
  static async open(
    db: lancedb.Connection,
    ranker: Ranker,
    opts: { build: boolean; log: (s: string) => void },
  ): Promise<ItemIndex | undefined> {
    const name = `${TABLE_PREFIX}${FEATURE_FORMAT}${ranker.featureStamp()}`;
    const names = await db.tableNames();
    if (names.includes(name)) {
      const table = await db.openTable(name);
      // A start stopped while building leaves the table without its indexes: built again below.
      if ((await table.listIndices()).length === INDEXES)
        return new ItemIndex(table, await RowIds.of(table), ranker.catalog.size);
    }
    if (!opts.build) return undefined;
    const started = performance.now();
    const table = await writeFeatures(db, name, ranker);
    await table.createIndex("features", {
      config: lancedb.Index.ivfFlat({
        distanceType: "dot",
        numPartitions: Math.max(1, Math.round(Math.sqrt(ranker.catalog.size))),
      }),
    });
    await table.createIndex("year", { config: lancedb.Index.btree() });
    await table.createIndex("categories", { config: lancedb.Index.labelList() });
    for (const old of names)
      if (old.startsWith(TABLE_PREFIX) && old !== name) await db.dropTable(old);
    const seconds = (performance.now() - started) / 1000;
    opts.log(`built the vector index of ${ranker.catalog.size} items in ${seconds.toFixed(1)} s`);
    return new ItemIndex(table, await RowIds.of(table), ranker.catalog.size, seconds);
  }

  /** The rows to score: the index's best for the query, those of the boosted search, and the request's own. */
  async candidates(search: CandidateSearch): Promise<Int32Array> {
    const found = await Promise.all(
      [search.where, ...search.boosted].map((where) => this.search(search.query, where)),
    );
    // In row order, as the exact pass scores them, so ties break the same way.
    return sortedUnion([...found, Int32Array.from(search.rows)]);
  }

  /**
   * The index's best rows for `query` among those `where` admits. A filter that admits few rows gives them
   * all (the exact pass scores them); one that admits a share of the rows searches more partitions in
   * proportion, since a partition near the query then holds that share of admitted rows.
   */
  private async search(query: Float32Array, where: string | undefined): Promise<Int32Array> {
    let nprobes = NPROBES;
    if (where) {
      const admitted = await this.admitted(where);
      if (admitted instanceof Int32Array) return admitted;
      nprobes = Math.ceil(nprobes * Math.min(MAX_PROBE_SCALE, this.size / admitted));
    }
    let q = this.table
      .vectorSearch(query)
      .distanceType("dot")
      .nprobes(nprobes)
      .limit(SEARCH_LIMIT)
      .select([])
      .withRowId();
    if (where) q = q.where(where);
    return this.rowsOf(q);
  }

  /** The rows `where` admits when they are few, else how many; kept, as the index does not change. */
  private async admitted(where: string): Promise<Int32Array | number> {
    let found = this.filtered.get(where);
    if (found === undefined) {
      const count = await this.table.countRows(where);
      found =
        count <= EXACT_BELOW
          ? await this.rowsOf(this.table.query().where(where).select([]).withRowId())
          : count;
      if (this.filtered.size >= FILTERS_KEPT)
        this.filtered.delete(this.filtered.keys().next().value!);
      this.filtered.set(where, found);
    }
    return found;
  }

  private async rowsOf(q: lancedb.Query | lancedb.VectorQuery): Promise<Int32Array> {
    const ids = (await q.toArrow()).getChild("_rowid")?.toArray() as BigUint64Array | undefined;
    return ids ? Int32Array.from(ids, (id) => this.rowOf.row(id)) : new Int32Array(0);
  }
}

/** Catalog rows by Lance row id: the fragment is the id's high 32 bits, the offset in it the low. */
class RowIds {
  private constructor(private readonly byFragment: Map<number, Int32Array>) {}

  static async of(table: lancedb.Table): Promise<RowIds> {
    const data = await table.query().select(["row"]).withRowId().toArrow();
    const ids = data.getChild("_rowid")!.toArray() as BigUint64Array;
    const rows = data.getChild("row")!.toArray() as Int32Array;
    const sizes = new Map<number, number>();
    for (const id of ids) {
      const fragment = Number(id >> 32n);
      sizes.set(fragment, Math.max(sizes.get(fragment) ?? 0, Number(id & 0xffffffffn) + 1));
    }
    const byFragment = new Map([...sizes].map(([f, size]) => [f, new Int32Array(size).fill(-1)]));
    ids.forEach((id, i) => {
      byFragment.get(Number(id >> 32n))![Number(id & 0xffffffffn)] = rows[i]!;
    });
    return new RowIds(byFragment);
  }

  row(id: bigint): number {
    const row = this.byFragment.get(Number(id >> 32n))?.[Number(id & 0xffffffffn)];
    if (row === undefined || row < 0) throw new Error(`vector index: unknown row id ${id}`);
    return row;
  }
}

async function writeFeatures(
  db: lancedb.Connection,
  name: string,
  ranker: Ranker,
): Promise<lancedb.Table> {
  const { catalog } = ranker;
  const width = ranker.featureWidth;
  const featureType = new FixedSizeList(width, new Field("item", new Float16(), true));
  const categoriesType = new List(new Field("item", new Utf8(), true));
  const schema = new Schema([
    new Field("row", new Int32(), false),
    new Field("year", new Int32(), true),
    new Field("categories", categoriesType, false),
    new Field("features", featureType, false),
  ]);
  let table: lancedb.Table | undefined;
  for (let from = 0; from < catalog.size; from += WRITE_CHUNK) {
    const to = Math.min(catalog.size, from + WRITE_CHUNK);
    const length = to - from;
    const items = catalog.items.slice(from, to);
    const columns = [
      makeData({
        type: new Int32(),
        length,
        data: Int32Array.from({ length }, (_, i) => from + i),
      }),
      vectorFromArray(
        items.map((item) => item.year ?? null),
        new Int32(),
      ).data[0]!,
      vectorFromArray(
        items.map((item) => categoryKeys(item.categories)),
        categoriesType,
      ).data[0]!,
      makeData({
        type: featureType,
        length,
        nullCount: 0,
        child: makeData({
          type: new Float16(),
          length: length * width,
          data: toHalves(ranker.linearFeatures(from, to)),
        }),
      }),
    ];
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: columns }),
    );
    const chunk = new ArrowTable(schema, [batch]);
    if (table) await table.add(chunk);
    else table = await db.createTable(name, chunk, { mode: "overwrite" });
  }
  if (!table) throw new Error("the vector index needs at least one item");
  return table;
}
