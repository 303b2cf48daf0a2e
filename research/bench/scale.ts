// `chatrec bench scale --items 10000,100000[,1000000]`: the same bot on catalogs far larger than the demo.
// Each catalog is recombined from the demo's real titles, plots and genres (two films per item), embedded
// by the shipped model through `chatrec ingest`'s own code (the vector index included), then served by a
// process of its own (scale-serve.ts): per-message p50/p99 over a fixed mix of requests and over requests
// with years and categories to keep to, the server's RSS, ingest, index and start-up time. Beside them, the
// brute-force floor: one query vector's dot product with every item vector and a top-10 pick, over the same
// vectors.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { ingestCatalog } from "../../src/catalog/ingest.ts";
import { loadConfig } from "../../src/config.ts";
import { buildItemIndexAfterIngest } from "../../src/engine.ts";
import { youngGenerationMb } from "../../src/pipeline/turn-workers.ts";
import type { ServedRow } from "./scale-serve.ts";
import { InterestModel } from "../../src/interest/model.ts";
import { DATA_PATHS } from "../train/data-paths.ts";

export type ScaleRow = ScaleIngest & ServedRow;

interface ScaleIngest {
  items: number;
  /** Reading, embedding and writing the items. */
  ingestSeconds: number;
  /** Building the vector index, the ingest's last step; undefined when the exact pass serves. */
  indexSeconds: number | undefined;
}

/** Writes `n` items, each two demo films recombined, as a catalog file. */
export function syntheticCatalog(n: number, path: string): void {
  const demo = readFileSync(DATA_PATHS.catalog, "utf8")
    .trim()
    .split("\n")
    .map(
      (l) => JSON.parse(l) as { title: string; year?: number; text: string; categories: string[] },
    )
    .filter((i) => i.text);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = demo[i % demo.length]!;
    const b = demo[(i * 7919 + 13) % demo.length]!;
    lines.push(
      JSON.stringify({
        id: `s${i}`,
        title: `${a.title} ${b.title.split(" ")[0]} ${i}`,
        ...(a.year ? { year: a.year } : {}),
        text: `${a.text} ${b.text}`,
        categories: [...new Set([...a.categories, ...b.categories.slice(0, 1)])],
      }),
    );
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** Dot product of one query with every row of `vectors`, then the best 10: the floor of any ranking. */
export function floorMs(vectors: Float32Array, dim: number, rounds: number): number[] {
  const n = vectors.length / dim;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const q = new Float32Array(dim).map(() => Math.random() - 0.5);
    const started = performance.now();
    const best = new Float32Array(10).fill(-Infinity);
    for (let row = 0; row < n; row++) {
      let s = 0;
      const off = row * dim;
      for (let d = 0; d < dim; d++) s += q[d]! * vectors[off + d]!;
      if (s > best[9]!) {
        let k = 9;
        while (k > 0 && best[k - 1]! < s) {
          best[k] = best[k - 1]!;
          k--;
        }
        best[k] = s;
      }
    }
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

const SERVE_SCRIPT = fileURLToPath(new URL("./scale-serve.ts", import.meta.url));
const execFileAsync = promisify(execFile);

export async function benchScale(sizes: number[], messages = 120): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  for (const items of sizes) {
    const dir = mkdtempSync(join(tmpdir(), "chatrec-scale-"));
    try {
      const file = join(dir, "catalog.jsonl");
      syntheticCatalog(items, file);
      const config = loadConfig(process.env, { dataDir: dir, dbUri: join(dir, "lancedb") });
      const model = await InterestModel.load(config.modelDir);
      const db = await lancedb.connect(config.dbUri);
      let started = performance.now();
      await ingestCatalog(db, model, { path: file, mode: "replace" });
      const ingestSeconds = (performance.now() - started) / 1000;
      db.close();
      await model.close();
      started = performance.now();
      await buildItemIndexAfterIngest(config, items, () => undefined);
      const indexSeconds =
        items >= config.indexFromItems ? (performance.now() - started) / 1000 : undefined;
      // Served by a process of its own, as `npm start` would be after the ingest: its RSS is the bot's alone.
      // Its young generation is the one the server gives its turn workers (a third of it is a semi-space).
      const served = await execFileAsync(
        process.execPath,
        [
          `--max-semi-space-size=${youngGenerationMb(items, config.indexFromItems) / 3}`,
          "--import",
          "tsx",
          SERVE_SCRIPT,
          dir,
          String(messages),
        ],
        { env: { ...process.env, LANCEDB_LOG: "error" }, maxBuffer: 1 << 20 },
      );
      const measured = JSON.parse(served.stdout.trim().split("\n").at(-1)!) as ServedRow;
      rows.push({ items, ingestSeconds, indexSeconds, ...measured });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function formatScale(rows: ScaleRow[]): string {
  const head =
    "   items   ingest s   index s   start s   message p50 ms   p99 ms   recall@100   constrained p50 ms   p99 ms   recall@100   RSS MB   floor p50 ms   p99 ms";
  const optional = (v: number | undefined, digits: number, width: number) =>
    (v === undefined ? "exact" : v.toFixed(digits)).padStart(width);
  return [
    head,
    ...rows.map(
      (r) =>
        `${String(r.items).padStart(8)} ${r.ingestSeconds.toFixed(1).padStart(10)} ${optional(r.indexSeconds, 1, 9)} ${r.startSeconds.toFixed(1).padStart(9)} ${r.messageP50.toFixed(2).padStart(16)} ${r.messageP99.toFixed(2).padStart(8)} ${optional(r.recall, 3, 12)} ${r.constrainedP50.toFixed(2).padStart(20)} ${r.constrainedP99.toFixed(2).padStart(8)} ${optional(r.constrainedRecall, 3, 12)} ${Math.round(r.rssMb).toString().padStart(8)} ${r.floorP50.toFixed(2).padStart(14)} ${r.floorP99.toFixed(2).padStart(8)}`,
    ),
  ].join("\n");
}
