// Turn workers read the main thread's item arrays in place: a real worker thread attached to them sees the
// main thread's values, computes the same sums on a scratch area of its own, and a catalog whose rows are
// not the main thread's is refused.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../research/train/rng.ts";
import { loadConfig } from "../src/config.ts";
import { loadWorkParts } from "../src/engine.ts";
import { ItemArrays } from "../src/util/kernels.ts";

const random = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

describe("item arrays shared with a worker thread", () => {
  it("are read in place, and the worker's sums are the main thread's", async () => {
    const rng = new Rng(41);
    const [size, dim, labels] = [60, 9, 5];
    const arrays = ItemArrays.create(size, dim, labels, 2);
    arrays.vectors.set(random(rng, size * dim));
    arrays.interests.set(random(rng, size * labels));
    for (let row = 0; row < size; row++)
      arrays.setGenreHits(row, row % 3 ? [row % labels, (row * 7) % labels] : []);
    const worker = new Worker(new URL("./fixtures/item-arrays-worker.mjs", import.meta.url), {
      workerData: { shared: arrays.share(), thread: 1 },
    });
    try {
      const replies: Array<{ sums: number[]; firstValue: number }> = [];
      let wake = () => {};
      worker.on("message", (m: "ready" | (typeof replies)[number]) => {
        if (m !== "ready") replies.push(m);
        wake();
      });
      const next = () => new Promise<void>((resolve) => (wake = resolve));
      await next(); // ready
      const rows = [0, 7, 59, 3, 0];
      const query = {
        rows,
        qv: random(rng, dim),
        qi: random(rng, labels),
        qg: random(rng, labels),
      };
      const mainSums = () => {
        arrays.rows.set(rows);
        return Array.from(
          arrays.linear(rows.length, query.qv, query.qi, query.qg).subarray(0, rows.length * 2),
        );
      };
      worker.postMessage(query);
      await next();
      expect(replies[0]!.sums).toEqual(mainSums());
      expect(replies[0]!.firstValue).toBe(arrays.vectors[0]);
      // A value the main thread changes is the worker's too: nothing was copied.
      arrays.vectors[0] = 42;
      worker.postMessage(query);
      await next();
      expect(replies[1]!.firstValue).toBe(42);
      expect(replies[1]!.sums).toEqual(mainSums());
      expect(replies[1]!.sums[0]).not.toBe(replies[0]!.sums[0]);
    } finally {
      await worker.terminate();
    }
  });

  it("refuse a scratch area that does not exist", () => {
    const shared = ItemArrays.create(4, 2, 2, 2).share();
    expect(() => ItemArrays.attach(shared, 2)).toThrow(/scratch area 2/);
  });
});

describe("a turn worker's catalog", () => {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-shared-"));
  const config = loadConfig({}, { dataDir: dir });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the main thread's arrays, and refuses rows that are not the main thread's", async () => {
    const db = await lancedb.connect(config.dbUri);
    const main = await loadWorkParts(config, db, () => undefined, {
      buildIndex: true,
      arrays: { threads: 2 },
    });
    const shared = main.catalog.share();
    const worker = await loadWorkParts(config, db, () => undefined, {
      buildIndex: false,
      arrays: { shared, thread: 1 },
    });
    try {
      expect(worker.catalog.arrays.share().memory).toBe(shared.arrays.memory);
      expect(worker.catalog.arrays.genreHitsFilled).toBe(true);
      expect(worker.catalog.size).toBe(main.catalog.size);
      const row = main.catalog.size - 1;
      expect(Array.from(worker.catalog.vector(row))).toEqual(Array.from(main.catalog.vector(row)));
      await expect(
        loadWorkParts(config, db, () => undefined, {
          buildIndex: false,
          arrays: { shared: { ...shared, idsKey: "another catalog" }, thread: 1 },
        }),
      ).rejects.toThrow(/not the one the main thread read/);
    } finally {
      await Promise.all([main.model.close(), worker.model.close()]);
      db.close();
    }
  }, 120_000);
});
