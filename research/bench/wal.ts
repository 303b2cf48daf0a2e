// Times the write-ahead log's group-commit path: 2,000 store commits by 8 people concurrently (turns are
// serialised per person, as the Bot does), and 2,000 log appends awaited one at a time.
// Usage: npx tsx research/bench/wal.ts [folder]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { personKey } from "../../src/profile/keys.ts";
import type { ItemLookup, ProfileEvent } from "../../src/profile/profile.ts";
import { ProfileStore } from "../../src/profile/store.ts";
import { WriteAheadLog } from "../../src/profile/wal.ts";

const COMMITS = 2_000;
const PEOPLE = 8;
const root = mkdtempSync(join(process.argv[2] ?? tmpdir(), "chatrec-walbench-"));
const items: ItemLookup = {
  vectorOf: () => Float32Array.from([1, 0]),
  interestsOf: () => Float32Array.from([0, 1, 0]),
};

try {
  const store = await ProfileStore.open(await lancedb.connect(join(root, "db")), {
    commitIntervalMs: 60_000,
    compactEvery: 1000,
    retentionDays: 0,
    labels: 3,
    dim: 2,
    walDir: join(root, "wal"),
  });
  const people = Array.from({ length: PEOPLE }, (_, i) =>
    personKey(Buffer.alloc(32, 7), { platform: "bench", id: `p${i}` }),
  );
  const start = performance.now();
  await Promise.all(
    people.map(async (key) => {
      const state = await store.load(key, items, Date.now());
      for (let i = 0; i < COMMITS / PEOPLE; i++) {
        const seq = state.profile.seq + 1;
        const event: ProfileEvent = {
          seq,
          at: Date.now(),
          kind: "message",
          intent: "recommend",
          messageId: `${key}-${seq}`,
          interests: [0.2, 0.6, 0.2],
          embedding: [0, 1],
          signals: [{ itemId: `item-${seq}`, signal: "like" }],
          shown: [],
        };
        await store.commit(key, state, event, items);
      }
    }),
  );
  const storeMs = performance.now() - start;
  await store.close();

  const { wal } = await WriteAheadLog.open<{ n: number; pad: string }>(join(root, "wal2"));
  const t0 = performance.now();
  for (let n = 0; n < COMMITS; n++) await wal.append({ n, pad: "x".repeat(300) });
  const serialMs = performance.now() - t0;
  const t1 = performance.now();
  await Promise.all(
    Array.from({ length: COMMITS }, (_, n) => wal.append({ n, pad: "x".repeat(300) })),
  );
  const burstMs = performance.now() - t1;
  await wal.close(true);
  console.log(
    JSON.stringify({
      storeCommits8People: Math.round(storeMs),
      walAppendsOneAtATime: Math.round(serialMs),
      walAppendsAllAtOnce: Math.round(burstMs),
    }),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
