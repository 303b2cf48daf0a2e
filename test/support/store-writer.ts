// A child process for the crash test: writes events for several people through the real profile store and
// prints "ack <key> <seq>" as soon as each commit resolves (the moment a reply would be sent). It never
// closes the store: the parent kills it with SIGKILL while it writes.
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { personKey } from "../../src/profile/keys.ts";
import type { ItemLookup, ProfileEvent } from "../../src/profile/profile.ts";
import { ProfileStore } from "../../src/profile/store.ts";

const [dir, interval] = process.argv.slice(2);
if (!dir || !interval) throw new Error("usage: store-writer <data dir> <commit interval ms>");
const items: ItemLookup = {
  vectorOf: () => Float32Array.from([1, 0]),
  interestsOf: () => Float32Array.from([0, 1, 0]),
};
const store = await ProfileStore.open(await lancedb.connect(join(dir, "db")), {
  commitIntervalMs: Number(interval),
  compactEvery: 3,
  retentionDays: 0,
  labels: 3,
  dim: 2,
  walDir: join(dir, "wal"),
});
const people = Array.from({ length: 8 }, (_, i) =>
  personKey(Buffer.alloc(32, 7), { platform: "crash", id: `p${i}` }),
);

// Each person is one writer loop (turns are serialised per person, as the Bot does); people run concurrently.
await Promise.all(
  people.map(async (key) => {
    for (;;) {
      const state = await store.load(key, items, Date.now());
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
      process.stdout.write(`ack ${key} ${seq}\n`);
    }
  }),
);
