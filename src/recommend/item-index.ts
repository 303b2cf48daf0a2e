// Candidates for large catalogs: an inverted-file index over each item's linear-stage features (see
// Ranker.linearFeatures), so a turn scores the index's best rows and the request's own rows instead of every
// row. The partitions are learnt once (src/recommend/partitions.ts) and kept in LanceDB; a search ranks
// their centres against the query, then scores the rows of the best ones that pass the request's year and
// category filters by a byte copy of their features in partition order (feature-codes.ts). The ranker
// scores the candidates with its exact features.
import * as lancedb from "@lancedb/lancedb";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { basename } from "node:path";
import type * as Arrow from "apache-arrow";
import { sortedUnion } from "../util/sorted.ts";
import { CODE_BATCH, FeatureCodes, type SharedFeatureCodes } from "./feature-codes.ts";
import { trainPartitions, type FeatureSource, type Partitions } from "./partitions.ts";
import { admits, type Admitted, type RowFilter, type RowFilters } from "./row-filter.ts";
import { topRows } from "./select.ts";

// LanceDB checks Arrow tables with instanceof against the CommonJS build it requires; the ESM build's classes
// would fail that check ("schemas must be equivalent"), so the batches are made with that same build.
const {
  Field,
  FixedSizeList,
  Float32,
  Int32,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table: ArrowTable,
} = createRequire(import.meta.url)("apache-arrow") as typeof Arrow;

/** The byte codes' file in the data folder (FeatureCodes.save). */
export const CODES_FILE = "item-codes.bin";
/** Tables of this index; older ones (of other weights or catalogs, or the earlier vector index) are dropped. */
const TABLE_PREFIX = "item_partitions_";
const OLD_PREFIXES = [TABLE_PREFIX, "item_index_"];

/** What a request asks of the index. */
export interface CandidateSearch {
  /**
   * The request's folded linear query (as wide as the rows' features) with the hard constraints (years,
   * excluded categories; undefined when there are none), then the rows boosts lift together (categories
   * asked for, the newest, the mood words' rows), each within the constraints.
   */
  searches: ReadonlyArray<{ query: Float32Array; filter: RowFilter | undefined }>;
  /** Rows the request reaches by its own terms (neighbours, people, series), scored whatever the index says. */
  rows: readonly number[];
}

/** What the index needs of the ranker: the features, their dot products, and the filters' rows. */
export interface IndexedRows extends FeatureSource {
  readonly rowFilters: RowFilters;
  featureStamp(): string;
}

/** Rows each search returns. */
const SEARCH_LIMIT = 400;
/** Partitions searched: more find more of the exact best and take longer. */
const NPROBES = 20;
/** Partitions: about the square root of the rows. */
const partitionsFor = (rows: number) => Math.max(1, Math.round(Math.sqrt(rows)));
/** A filter admitting at most this many rows gives them all instead of a search. */
const EXACT_BELOW = 10 * SEARCH_LIMIT;
/** A filtered search looks in at most this many times the partitions of an unfiltered one. */
const MAX_PROBE_SCALE = 8;

export class ItemIndex {
  /** When set (the scale bench), each ranking adds its recall@100 against the exact linear stage. */
  recall: number[] | undefined;
  /** A search's rows and their scores, grown as needed. */
  private found = new Int32Array(0);
  private scores = new Float32Array(0);
  private identity = new Int32Array(0);
  private readonly centreScores: Float32Array;
  private readonly partitionIds: Int32Array;

  private constructor(
    private readonly rows: IndexedRows,
    private readonly partitions: Partitions,
    private readonly codes: FeatureCodes,
    /** Seconds this start spent building the index; undefined when it was opened as built before. */
    readonly buildSeconds?: number,
  ) {
    this.centreScores = new Float32Array(partitions.starts.length - 1);
    this.partitionIds = Int32Array.from(this.centreScores, (_, p) => p);
  }

  /**
   * The index for these rows' catalog and weights: opened when it exists, else built (and older ones
   * dropped) when `build`, else undefined (a turn worker waits for the engine to build it). `codes`: a
   * scratch area for each of `threads` threads, or another thread's codes (share()) read in place.
   * `codesFile`: where the byte codes are saved (when `build`) and read back at the next start.
   */
  static async open(
    db: lancedb.Connection,
    rows: IndexedRows,
    opts: {
      build: boolean;
      log: (s: string) => void;
      codes: { threads: number } | { shared: SharedFeatureCodes; thread: number };
      codesFile?: string;
    },
  ): Promise<ItemIndex | undefined> {
    const name = `${TABLE_PREFIX}${rows.featureStamp()}`;
    const names = await db.tableNames();
    const codesOf = (partitions: Partitions) =>
      "shared" in opts.codes
        ? FeatureCodes.attach(opts.codes.shared, opts.codes.thread)
        : openCodes(rows, partitions.members, name, { ...opts, threads: opts.codes.threads });
    if (names.includes(name)) {
      const partitions = await readPartitions(await db.openTable(name), rows);
      // A start stopped while writing leaves a table short of rows: built again below.
      if (partitions) return new ItemIndex(rows, partitions, codesOf(partitions));
    }
    if (!opts.build) return undefined;
    const started = performance.now();
    const partitions = trainPartitions(rows, partitionsFor(rows.catalog.size));
    await writePartitions(db, name, partitions);
    for (const old of names)
      if (OLD_PREFIXES.some((p) => old.startsWith(p)) && old !== name) await db.dropTable(old);
    const seconds = (performance.now() - started) / 1000;
    opts.log(`built the vector index of ${rows.catalog.size} items in ${seconds.toFixed(1)} s`);
    return new ItemIndex(rows, partitions, codesOf(partitions), seconds);
  }

  /** The byte codes, for turn workers to read in place. */
  share(): SharedFeatureCodes {
    return this.codes.share();
  }

  /** The rows to score: the index's best for the query, those of the boosted searches, and the request's own. */
  candidates(search: CandidateSearch): Int32Array {
    // Most searches of a request share its query: its partitions are ranked once.
    const nearestOf = new Map<Float32Array, number[]>();
    const found = search.searches.map(({ query, filter }) => {
      let nearest = nearestOf.get(query);
      if (!nearest) nearestOf.set(query, (nearest = this.nearest(query)));
      return this.search(query, filter, nearest);
    });
    // In row order, as the exact pass scores them, so ties break the same way.
    return sortedUnion([...found, Int32Array.from(search.rows)]);
  }

  /**
   * The index's best rows for `query` among those `filter` admits. A filter that admits few rows gives them
   * all (the exact pass scores them); one that admits a share of the rows may search more partitions in
   * proportion, since a partition near the query then holds that share of admitted rows. `nearest`: the
   * partitions nearest the query, nearest first (at least as many as are searched).
   */
  private search(
    query: Float32Array,
    filter: RowFilter | undefined,
    nearest: readonly number[],
  ): Int32Array {
    let admitted: Admitted | undefined;
    let probes = NPROBES;
    if (filter) {
      admitted = this.rows.rowFilters.admitted(filter);
      if (admitted.count <= EXACT_BELOW) return rowsOf(admitted);
      probes = Math.ceil(
        probes * Math.min(MAX_PROBE_SCALE, this.rows.catalog.size / admitted.count),
      );
    }
    const { starts, members } = this.partitions;
    const { codes } = this;
    const { positions } = codes;
    const bits = admitted?.bits;
    codes.setQuery(query);
    let count = 0;
    let pending = 0;
    const scorePending = () => {
      const sums = codes.score(pending);
      this.reserve(count + pending);
      const { found, scores } = this;
      for (let i = 0; i < pending; i++) {
        found[count] = members[positions[i]!]!;
        scores[count++] = sums[i]!;
      }
      pending = 0;
    };
    // A filtered search stops once it has scored twice the rows an unfiltered one reads: where the admitted
    // rows lie thick near the query, the nearest partitions already hold the best of them.
    const enough = bits
      ? Math.ceil((2 * NPROBES * members.length) / (starts.length - 1))
      : Infinity;
    for (const p of nearest.slice(0, probes)) {
      if (count + pending >= enough) break;
      const to = starts[p + 1]!;
      for (let k = starts[p]!; k < to; k++) {
        if (bits && !admits(bits, members[k]!)) continue;
        positions[pending++] = k;
        if (pending === CODE_BATCH) scorePending();
      }
    }
    scorePending();
    const best = topRows(this.identity.subarray(0, count), this.scores, SEARCH_LIMIT);
    return Int32Array.from(best, (i) => this.found[i]!).sort();
  }

  /** The most partitions a search reads, by the dot products of their centres with `query`, largest first. */
  private nearest(query: Float32Array): number[] {
    const { centroids, width } = this.partitions;
    const scores = this.centreScores;
    for (let p = 0; p < scores.length; p++) {
      let s = 0;
      for (let d = 0, o = p * width; d < width; d++) s += query[d]! * centroids[o + d]!;
      scores[p] = s;
    }
    return topRows(this.partitionIds, scores, Math.min(MAX_PROBE_SCALE * NPROBES, scores.length));
  }

  private reserve(count: number): void {
    if (count <= this.found.length) return;
    const size = Math.min(this.rows.catalog.size, Math.max(count, 2 * this.found.length));
    const found = new Int32Array(size);
    found.set(this.found);
    this.found = found;
    this.scores = new Float32Array(size);
    this.identity = Int32Array.from({ length: size }, (_, i) => i);
  }
}

/**
 * The byte codes of `rows` in the partition order `members`, read from `codesFile` when saved there for
 * these (`name`: the partitions table, named by the features), else built, and saved when `build`.
 */
function openCodes(
  rows: IndexedRows,
  members: Int32Array,
  name: string,
  opts: { threads: number; codesFile?: string; build: boolean; log: (s: string) => void },
): FeatureCodes {
  const { threads, codesFile } = opts;
  const key = createHash("sha256")
    .update(name)
    .update(new Uint8Array(members.buffer, members.byteOffset, members.byteLength))
    .digest("hex")
    .slice(0, 32);
  const saved =
    codesFile && FeatureCodes.read(codesFile, key, rows.catalog.size, rows.featureWidth, threads);
  if (saved) {
    opts.log(`read the vector index's byte codes from ${basename(codesFile)}`);
    return saved;
  }
  const built = FeatureCodes.build(rows, members, threads);
  if (codesFile && opts.build) {
    try {
      built.save(codesFile, key);
    } catch (err) {
      opts.log(`could not save the vector index's byte codes: ${(err as Error).message}`);
    }
  }
  return built;
}

/** Every row a filter admits, ascending. */
function rowsOf({ bits, count }: Admitted): Int32Array {
  const out = new Int32Array(count);
  let n = 0;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w]!;
    while (word !== 0) {
      const bit = 31 - Math.clz32(word & -word);
      out[n++] = (w << 5) | bit;
      word &= word - 1;
    }
  }
  return out;
}

async function writePartitions(
  db: lancedb.Connection,
  name: string,
  { width, centroids, starts, members }: Partitions,
): Promise<void> {
  const count = starts.length - 1;
  const centreType = new FixedSizeList(width, new Field("item", new Float32(), false));
  const membersType = new List(new Field("item", new Int32(), false));
  const schema = new Schema([
    new Field("partition", new Int32(), false),
    new Field("centroid", centreType, false),
    new Field("members", membersType, false),
  ]);
  const columns = [
    makeData({
      type: new Int32(),
      length: count,
      data: Int32Array.from({ length: count }, (_, p) => p),
    }),
    makeData({
      type: centreType,
      length: count,
      nullCount: 0,
      child: makeData({ type: new Float32(), length: centroids.length, data: centroids }),
    }),
    makeData({
      type: membersType,
      length: count,
      nullCount: 0,
      valueOffsets: starts,
      child: makeData({ type: new Int32(), length: members.length, data: members }),
    }),
  ];
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children: columns }),
  );
  await db.createTable(name, new ArrowTable(schema, [batch]), { mode: "overwrite" });
}

/** The partitions a table holds, or undefined when it does not hold every row of the catalog once. */
async function readPartitions(
  table: lancedb.Table,
  rows: IndexedRows,
): Promise<Partitions | undefined> {
  const width = rows.featureWidth;
  const size = rows.catalog.size;
  const data = await table.query().select(["partition", "centroid", "members"]).toArrow();
  const count = data.numRows;
  const centroids = new Float32Array(count * width);
  const lists: Int32Array[] = new Array<Int32Array>(count);
  for (const batch of data.batches) {
    const ids = batch.getChild("partition")!.toArray() as Int32Array;
    const centres = batch.getChild("centroid")!.data[0]!;
    const centreValues = centres.children[0]!.values as Float32Array;
    const memberLists = batch.getChild("members")!.data[0]!;
    const offsets = memberLists.valueOffsets as Int32Array;
    const values = memberLists.children[0]!.values as Int32Array;
    ids.forEach((p, i) => {
      const at = (centres.offset + i) * width;
      centroids.set(centreValues.subarray(at, at + width), p * width);
      const j = memberLists.offset + i;
      lists[p] = values.subarray(offsets[j]!, offsets[j + 1]!);
    });
  }
  const starts = new Int32Array(count + 1);
  for (let p = 0; p < count; p++) starts[p + 1] = starts[p]! + (lists[p]?.length ?? 0);
  if (starts[count] !== size) return undefined;
  const members = new Int32Array(size);
  const seen = new Uint8Array(size);
  for (let p = 0; p < count; p++) {
    members.set(lists[p]!, starts[p]!);
    for (const row of lists[p]!) {
      if (row < 0 || row >= size || seen[row]) return undefined;
      seen[row] = 1;
    }
  }
  return { width, centroids, starts, members };
}
