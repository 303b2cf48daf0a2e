// `npx tsx research/bench/vector-index.ts [rows] [dims] [hnswSq|ivfPq]`: a first measurement of a LanceDB
// vector index for the candidate stage. Synthetic clustered rows (7,000 centres plus noise, like recombined
// catalog items), random dot-product queries; prints index build time, per-query p50/p99 and recall@100
// against the exact top 100, for a few nprobes/ef/refine settings.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { Field, FixedSizeList, Float32, Int32, Schema } from "apache-arrow";
import { percentile } from "../../src/util/stats.ts";

const N = Number(process.argv[2] ?? 200_000);
const D = Number(process.argv[3] ?? 112);
const KIND = process.argv[4] ?? "ivfPq";
const K = 100;

let seed = 1;
const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
const centres = Array.from({ length: 7000 }, () =>
  Float32Array.from({ length: D }, () => rnd() - 0.5),
);
const vectors = new Float32Array(N * D);
for (let i = 0; i < N; i++) {
  const c = centres[i % centres.length]!;
  for (let d = 0; d < D; d++) vectors[i * D + d] = c[d]! + 0.3 * (rnd() - 0.5);
}

function exactTop(q: Float32Array): Set<number> {
  const scores = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let d = 0; d < D; d++) s += q[d]! * vectors[i * D + d]!;
    scores[i] = s;
  }
  return new Set([...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, K));
}

const dir = mkdtempSync(join(tmpdir(), "chatrec-vector-index-"));
try {
  const db = await lancedb.connect(dir);
  const schema = new Schema([
    new Field("row", new Int32(), false),
    new Field("vector", new FixedSizeList(D, new Field("item", new Float32(), true)), false),
  ]);
  const rows = Array.from({ length: N }, (_, i) => ({
    row: i,
    vector: Array.from(vectors.subarray(i * D, (i + 1) * D)),
  }));
  const table = await db.createTable("rows", rows, { schema });
  const partitions = Math.max(1, Math.round(Math.sqrt(N) / 4));
  let started = performance.now();
  await table.createIndex("vector", {
    config:
      KIND === "hnswSq"
        ? lancedb.Index.hnswSq({ distanceType: "dot", numPartitions: partitions })
        : lancedb.Index.ivfPq({
            distanceType: "dot",
            numPartitions: partitions,
            numSubVectors: D / 4,
          }),
  });
  console.log(
    `${KIND}: ${N} rows x ${D}, ${partitions} partitions, index built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const settings: Array<[number, number, number]> = [
    [partitions / 8, 400, 0],
    [partitions / 4, 400, 0],
    [partitions / 2, 600, 0],
  ];
  if (KIND !== "hnswSq") settings.push([partitions / 4, 400, 5]);
  for (const [nprobes, ef, refine] of settings) {
    const times: number[] = [];
    let hits = 0;
    let checked = 0;
    for (let r = 0; r < 40; r++) {
      const q = Float32Array.from({ length: D }, () => rnd() - 0.5);
      started = performance.now();
      let query = table
        .vectorSearch(Array.from(q))
        .distanceType("dot")
        .limit(K)
        .nprobes(Math.max(1, Math.round(nprobes)))
        .ef(ef)
        .select(["row"]);
      if (refine) query = query.refineFactor(refine);
      const got = (await query.toArray()).map((x: { row: number }) => x.row);
      times.push(performance.now() - started);
      if (r < 10) {
        const exact = exactTop(q);
        hits += got.filter((g) => exact.has(g)).length;
        checked += K;
      }
    }
    times.sort((a, b) => a - b);
    console.log(
      `  nprobes ${Math.round(nprobes)} ef ${ef} refine ${refine}: p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, recall@100 ${(hits / checked).toFixed(3)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
