// `chatrec bench people --people 100000`: loading a person who is not in memory, with many people stored.
// Writes `people` people with three events each straight into a fresh events table (the rows the store
// itself writes), opens the store, and times load() for people it has not seen since opening: once with
// nothing written since, and once more after BUSY_COMMITS commits of new people (as a running bot makes
// between two compactions), whose rows no index covers yet.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { personKey } from "../../src/profile/keys.ts";
import type { ItemLookup } from "../../src/profile/profile.ts";
import { ProfileStore } from "../../src/profile/store.ts";
import { percentile } from "../../src/util/stats.ts";

const items: ItemLookup = {
  vectorOf: () => undefined,
  interestsOf: () => undefined,
};
const SECRET = Buffer.alloc(32, 9);
const BATCH = 50_000;
/** Commits before the second timing: the store's default compactEvery, its worst case. */
const BUSY_COMMITS = 200;

export async function benchPeople(people: number, loads = 1000) {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-people-"));
  try {
    const options = {
      commitIntervalMs: 1000,
      compactEvery: 1_000_000,
      retentionDays: 0,
      labels: 3,
      dim: 2,
      walDir: join(dir, "wal"),
    };
    const db = await lancedb.connect(join(dir, "db"));
    const first = await ProfileStore.open(db, options);
    await first.close();
    const events = await db.openTable("events");
    let started = performance.now();
    for (let from = 0; from < people; from += BATCH) {
      const rows = [];
      for (let p = from; p < Math.min(people, from + BATCH); p++) {
        const key = personKey(SECRET, { platform: "bench", id: `p${p}` });
        for (let seq = 1; seq <= 3; seq++)
          rows.push({
            key,
            seq: BigInt(seq),
            at: 1_700_000_000_000 + seq,
            kind: "message",
            message_id: `m${p}-${seq}`,
            data: JSON.stringify({
              seq,
              at: 1_700_000_000_000 + seq,
              kind: "message",
              intent: "recommend",
              signals: [],
              shown: [],
            }),
          });
      }
      await events.add(rows);
    }
    const writeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const store = await ProfileStore.open(await lancedb.connect(join(dir, "db")), options);
    const openSeconds = (performance.now() - started) / 1000;
    const timeLoads = async () => {
      const times: number[] = [];
      for (let i = 0; i < loads; i++) {
        const key = personKey(SECRET, {
          platform: "bench",
          id: `p${Math.floor(Math.random() * people)}`,
        });
        const t = performance.now();
        const state = await store.load(key, items, Date.now());
        times.push(performance.now() - t);
        if (state.profile.seq !== 3) throw new Error(`loaded seq ${state.profile.seq}, expected 3`);
      }
      return times.sort((a, b) => a - b);
    };
    const times = await timeLoads();
    for (let i = 0; i < BUSY_COMMITS; i++) {
      const key = personKey(SECRET, { platform: "bench-new", id: `n${i}` });
      const event = { seq: 1, at: Date.now(), kind: "message", intent: "recommend" } as const;
      await store.commit(
        key,
        await store.load(key, items, Date.now()),
        { ...event, messageId: `n${i}`, signals: [], shown: [] },
        items,
      );
      await store.flush();
    }
    const busy = await timeLoads();
    await store.close();
    // A restart once the key index exists: what start-up costs with this many people stored.
    started = performance.now();
    const again = await ProfileStore.open(await lancedb.connect(join(dir, "db")), options);
    const reopenSeconds = (performance.now() - started) / 1000;
    await again.close();
    return {
      people,
      writeSeconds,
      openSeconds,
      reopenSeconds,
      loadP50: percentile(times, 0.5),
      loadP99: percentile(times, 0.99),
      [`loadP50After${BUSY_COMMITS}Commits`]: percentile(busy, 0.5),
      [`loadP99After${BUSY_COMMITS}Commits`]: percentile(busy, 0.99),
      rssMb: process.memoryUsage().rss / 1e6,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
