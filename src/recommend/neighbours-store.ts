// The LanceDB `item_neighbours` table: the shipped neighbours artefact (models/neighbours.jsonl.gz, built by
// `chatrec train neighbours`) is written to it on first start, or when the artefact changes; every start then
// reads the table into an in-memory Neighbours lookup.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type * as lancedb from "@lancedb/lancedb";
import { Field, Float32, List, Schema, Utf8 } from "apache-arrow";
import { Neighbours, type NeighbourRecord } from "./neighbours.ts";

export const NEIGHBOURS_TABLE = "item_neighbours";
export const NEIGHBOURS_FILE = "neighbours.jsonl.gz";

const floats = () => new List(new Field("item", new Float32(), true));

function neighboursSchema(): Schema {
  return new Schema([
    new Field("id", new Utf8(), false),
    new Field("neighbour_ids", new List(new Field("item", new Utf8(), true)), false),
    new Field("score", floats(), false),
    new Field("movielens", floats(), false),
    new Field("comention", floats(), false),
    new Field("source_sha", new Utf8(), false),
  ]);
}

interface NeighbourRow {
  id: string;
  neighbour_ids: string[];
  score: number[];
  movielens: number[];
  comention: number[];
  source_sha: string;
}

/** Reads the artefact: gzipped (or plain) JSONL, one `{ id, neighbours: [{ id, score, movielens, comention }] }` a line. */
export function readNeighboursFile(path: string): { records: NeighbourRecord[]; sha256: string } {
  const raw = readFileSync(path);
  const text = (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  const records = text
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = JSON.parse(l) as NeighbourRecord;
      if (typeof r.id !== "string" || !Array.isArray(r.neighbours))
        throw new Error(`${path}:${i + 1}: not a neighbour record`);
      return r;
    });
  return { records, sha256: createHash("sha256").update(raw).digest("hex") };
}

function toRow(r: NeighbourRecord, sha: string): NeighbourRow {
  return {
    id: r.id,
    neighbour_ids: r.neighbours.map((n) => n.id),
    score: r.neighbours.map((n) => n.score),
    movielens: r.neighbours.map((n) => n.movielens),
    comention: r.neighbours.map((n) => n.comention),
    source_sha: sha,
  };
}

function fromRow(row: NeighbourRow): NeighbourRecord {
  const ids = Array.from(row.neighbour_ids);
  const score = Array.from(row.score);
  const ml = Array.from(row.movielens);
  const co = Array.from(row.comention);
  return {
    id: row.id,
    neighbours: ids.map((id, i) => ({
      id,
      score: score[i]!,
      movielens: ml[i]!,
      comention: co[i]!,
    })),
  };
}

async function storedSha(table: lancedb.Table): Promise<string | undefined> {
  const [row] = (await table.query().select(["source_sha"]).limit(1).toArray()) as Array<{
    source_sha: string;
  }>;
  return row?.source_sha;
}

/**
 * Opens the neighbours for serving. `artefactPath` may be missing (another catalog, an old install): then the
 * table is used as it is, and without a table there are no neighbours (the ranker works without them).
 */
export async function openNeighbours(
  db: lancedb.Connection,
  artefactPath: string,
  log: (s: string) => void = () => undefined,
): Promise<Neighbours> {
  const exists = (await db.tableNames()).includes(NEIGHBOURS_TABLE);
  if (existsSync(artefactPath)) {
    const { records, sha256 } = readNeighboursFile(artefactPath);
    if (!exists || (await storedSha(await db.openTable(NEIGHBOURS_TABLE))) !== sha256) {
      const rows = records.map((r) => toRow(r, sha256)) as unknown as Array<
        Record<string, unknown>
      >;
      await db.createTable(NEIGHBOURS_TABLE, rows, {
        mode: "overwrite",
        schema: neighboursSchema(),
      });
      log(`stored neighbours of ${records.length} items in ${NEIGHBOURS_TABLE}`);
    }
  } else if (!exists) {
    log(`no neighbours: ${artefactPath} not found and no ${NEIGHBOURS_TABLE} table`);
    return Neighbours.empty();
  }
  const rows = (await (
    await db.openTable(NEIGHBOURS_TABLE)
  )
    .query()
    .toArray()) as unknown as NeighbourRow[];
  return new Neighbours(rows.map(fromRow));
}
