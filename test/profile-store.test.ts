import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config.ts";
import { personKey } from "../src/profile/keys.ts";
import type { ItemLookup, ProfileEvent } from "../src/profile/profile.ts";
import { ProfileStore, type StoreOptions } from "../src/profile/store.ts";
import { filesContaining } from "./support/data-folder.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const items: ItemLookup = {
  vectorOf: () => Float32Array.from([1, 0]),
  interestsOf: () => Float32Array.from([0, 1, 0]),
};
const options: StoreOptions = {
  commitIntervalMs: 5,
  compactEvery: 1000,
  retentionDays: 0,
  labels: 3,
  dim: 2,
  walDir: join(dir, "wal"),
};
const secret = Buffer.alloc(32, 7);
const alice = personKey(secret, { platform: "webhook", id: "alice" });
const bob = personKey(secret, { platform: "webhook", id: "bob" });

function event(seq: number, extra: Partial<ProfileEvent> = {}): ProfileEvent {
  return {
    seq,
    at: 1_000 + seq,
    kind: "message",
    intent: "recommend",
    messageId: `m${seq}`,
    interests: [0.1, 0.8, 0.1],
    embedding: [0, 1],
    signals: [],
    shown: [],
    ...extra,
  };
}

describe("profile store on real LanceDB", () => {
  it("commits grouped events durably and rebuilds profiles after a restart", async () => {
    const db = await lancedb.connect(join(dir, "db"));
    const store = await ProfileStore.open(db, options);
    const a = await store.load(alice, items, 0);
    const b = await store.load(bob, items, 0);
    await Promise.all([
      store.commit(alice, a, event(1, { signals: [{ itemId: "i1", signal: "like" }] }), items),
      store.commit(bob, b, event(1), items),
    ]);
    await store.commit(alice, a, event(2, { signals: [{ itemId: "i2", signal: "seen" }] }), items);
    await store.close();

    const reopened = await ProfileStore.open(await lancedb.connect(join(dir, "db")), options);
    const again = await reopened.load(alice, items, 0);
    expect(again.profile.seq).toBe(2);
    expect(again.profile.liked).toEqual(["i1"]);
    expect(again.profile.seen).toEqual(["i2"]);
    expect([...again.messageIds.keys()].sort()).toEqual(["m1", "m2"]);
    const exported = await reopened.exportPerson(alice, items);
    expect(exported?.events.map((e) => e.seq)).toEqual([1, 2]);
    await reopened.close();
  });

  it("forgets a person for real: no row and no file keeps their key", async () => {
    const store = await ProfileStore.open(await lancedb.connect(join(dir, "db")), options);
    expect(filesContaining(dir, alice).length).toBeGreaterThan(0);
    // The key index holds keys too: it must not keep a forgotten one either.
    const events = await store.connection.openTable("events");
    expect((await events.listIndices()).map((i) => i.columns)).toEqual([["key"]]);
    expect(await store.forget(alice)).toBe(true);
    expect(await store.exists(alice)).toBe(false);
    expect(await store.exportPerson(alice, items)).toBeUndefined();
    expect(filesContaining(dir, alice)).toEqual([]);
    expect(await store.exists(bob)).toBe(true);
    await store.close();
  });
});

function storeAt(root: string, extra: Partial<typeof options> = {}) {
  return lancedb
    .connect(join(root, "db"))
    .then((db) => ProfileStore.open(db, { ...options, walDir: join(root, "wal"), ...extra }));
}

async function rowsIn(store: ProfileStore): Promise<Array<{ key: string; seq: bigint }>> {
  const table = await store.connection.openTable("events");
  return (await table.query().select(["key", "seq"]).toArray()) as Array<{
    key: string;
    seq: bigint;
  }>;
}

/** Runs test/support/store-writer.ts, kills it with SIGKILL after `acks` acknowledged commits, returns them. */
function writeThenKill(
  root: string,
  intervalMs: number,
  acks: number,
): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/support/store-writer.ts", root, String(intervalMs)],
      { cwd: PACKAGE_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const acked = new Map<string, number>();
    let count = 0;
    let buffered = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const [, key, seq] = line.split(" ");
        acked.set(key!, Math.max(acked.get(key!) ?? 0, Number(seq)));
        if (++count === acks) child.kill("SIGKILL");
      }
    });
    child.on("exit", (_code, signal) =>
      signal === "SIGKILL"
        ? resolve(acked)
        : reject(new Error(`writer exited without being killed: ${stderr}`)),
    );
  });
}

describe("write-ahead log: durability without waiting for LanceDB", () => {
  for (const intervalMs of [60_000, 3]) {
    it(`loses no acknowledged event when killed with SIGKILL (events moved to LanceDB every ${intervalMs} ms)`, async () => {
      const root = mkdtempSync(join(dir, "crash-"));
      const acked = await writeThenKill(root, intervalMs, 400);
      expect(acked.size).toBe(8);
      const store = await storeAt(root);
      for (const [key, seq] of acked) {
        const exported = await store.exportPerson(key, items);
        const seqs = exported!.events.map((e) => e.seq);
        // Every acknowledged event is there, in order, once; at most the unacknowledged ones in flight follow.
        expect(seqs.slice(0, seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
        expect(exported!.profile.seq).toBe(seqs.length);
        expect(exported!.profile.liked).toContain(`item-${seq}`);
      }
      const rows = await rowsIn(store);
      expect(new Set(rows.map((r) => `${r.key}/${r.seq}`)).size).toBe(rows.length);
      expect(rows.length).toBeGreaterThanOrEqual(400);
      await store.close();
    });
  }

  it("export includes events still only in the log, and close() moves everything into LanceDB", async () => {
    const root = mkdtempSync(join(dir, "log-"));
    const store = await storeAt(root, { commitIntervalMs: 60_000 });
    const state = await store.load(alice, items, 0);
    for (let seq = 1; seq <= 3; seq++) await store.commit(alice, state, event(seq), items);
    expect(await rowsIn(store)).toHaveLength(0);
    expect((await store.exportPerson(alice, items))?.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    await store.close();
    expect(readdirSync(join(root, "wal"))).toEqual([]);
    const reopened = await storeAt(root, { commitIntervalMs: 60_000 });
    expect(await rowsIn(reopened)).toHaveLength(3);
    expect((await reopened.load(alice, items, 0)).profile.seq).toBe(3);
    await reopened.close();
  });

  it("forget removes the person from memory, the log and the tables; others are untouched", async () => {
    const root = mkdtempSync(join(dir, "forget-"));
    const store = await storeAt(root, { commitIntervalMs: 60_000 });
    const a = await store.load(alice, items, 0);
    const b = await store.load(bob, items, 0);
    await store.commit(
      alice,
      a,
      event(1, { signals: [{ itemId: "secret-item", signal: "like" }] }),
      items,
    );
    await store.commit(bob, b, event(1), items);
    await store.flush(); // alice's first event in LanceDB, her second only in the log
    await store.commit(alice, a, event(2), items);
    expect(filesContaining(join(root, "wal"), alice).length).toBeGreaterThan(0);
    expect(await store.forget(alice)).toBe(true);
    expect(filesContaining(root, alice)).toEqual([]);
    expect(filesContaining(root, "secret-item")).toEqual([]);
    // The cache must not hand back the forgotten profile: a new turn starts from nothing.
    const fresh = await store.load(alice, items, 0);
    expect(fresh.profile.seq).toBe(0);
    expect(fresh.profile.liked).toEqual([]);
    expect(await store.exists(alice)).toBe(false);
    expect((await store.exportPerson(bob, items))?.events).toHaveLength(1);
    await store.close();
    const reopened = await storeAt(root);
    expect(await reopened.exists(alice)).toBe(false);
    expect((await reopened.load(bob, items, 0)).profile.seq).toBe(1);
    await reopened.close();
  });

  it("keeps a bounded number of people in memory and rebuilds the others exactly", async () => {
    const root = mkdtempSync(join(dir, "lru-"));
    const store = await storeAt(root, { commitIntervalMs: 60_000, cacheLimit: 2 });
    const keys = ["a", "b", "c", "d"].map((id) => personKey(secret, { platform: "webhook", id }));
    for (const key of keys) {
      const state = await store.load(key, items, 0);
      await store.commit(
        key,
        state,
        event(1, { signals: [{ itemId: `liked-${key}`, signal: "like" }] }),
        items,
      );
      await store.commit(key, state, event(2), items);
    }
    expect(store.stats.cachedPeople).toBe(2);
    for (const key of keys) {
      const { profile, messageIds } = await store.load(key, items, 0);
      expect(profile.seq).toBe(2);
      expect(profile.liked).toEqual([`liked-${key}`]);
      expect([...messageIds.keys()].sort()).toEqual(["m1", "m2"]);
    }
    await store.close();
  });

  it("still expires events past the retention period", async () => {
    const root = mkdtempSync(join(dir, "retention-"));
    const store = await storeAt(root, {
      commitIntervalMs: 60_000,
      compactEvery: 1,
      retentionDays: 1,
    });
    const state = await store.load(alice, items, 0);
    const now = Date.now();
    await store.commit(alice, state, event(1, { at: now - 3 * 86_400_000 }), items);
    await store.commit(alice, state, event(2, { at: now }), items);
    await store.flush();
    await store.close(); // waits for the compaction the flush started
    const reopened = await storeAt(root);
    expect((await reopened.exportPerson(alice, items))?.events.map((e) => e.seq)).toEqual([2]);
    await reopened.close();
  });

  it("loads people from the key index alone, except those written since the last compaction", async () => {
    const root = mkdtempSync(join(dir, "indexed-"));
    const first = await storeAt(root);
    await first.commit(alice, await first.load(alice, items, 0), event(1), items);
    await first.close();
    // Reopened, the index covers alice; bob and alice's second event land after it.
    const store = await storeAt(root, { cacheLimit: 1 });
    await store.commit(bob, await store.load(bob, items, 0), event(1), items);
    await store.flush();
    const seqOf = async (key: string) => (await store.load(key, items, 0)).profile.seq;
    expect(await seqOf(alice)).toBe(1); // from the index (bob is dropped from memory)
    expect(await seqOf(bob)).toBe(1); // from the fragments written since
    await store.commit(alice, await store.load(alice, items, 0), event(2), items);
    await store.flush();
    await store.load(bob, items, 0); // drops alice from memory
    expect(await seqOf(alice)).toBe(2); // her new row is outside the index: not the index alone
    await store.close();
    const reopened = await storeAt(root, { cacheLimit: 1 });
    await reopened.close(); // waits for the compaction the start queued for rows not indexed
    const after = await storeAt(root, { cacheLimit: 1 });
    expect((await after.load(alice, items, 0)).profile.seq).toBe(2);
    expect((await after.load(bob, items, 0)).profile.seq).toBe(1);
    await after.close();
  });

  it("compacts at start the small fragments that restarts left behind", async () => {
    const root = mkdtempSync(join(dir, "restarts-"));
    const smallFragments = async () => {
      const db = await lancedb.connect(join(root, "db"));
      const stats = await (await db.openTable("events")).stats();
      db.close();
      return stats.fragmentStats.numSmallFragments;
    };
    // Three short runs of one commit each, below compactEvery.
    for (let run = 1; run <= 3; run++) {
      const store = await storeAt(root, { compactEvery: 1000 });
      const state = await store.load(alice, items, 0);
      await store.commit(alice, state, event(run), items);
      await store.close();
    }
    expect(await smallFragments()).toBe(3);
    const fourth = await storeAt(root, { compactEvery: 3 });
    await fourth.close(); // waits for the compaction the start queued
    expect(await smallFragments()).toBeLessThan(3);
    const reopened = await storeAt(root);
    expect((await reopened.exportPerson(alice, items))?.events.map((e) => e.seq)).toEqual([
      1, 2, 3,
    ]);
    await reopened.close();
  });

  it("expires old events at start too, so a server without new events does not keep them", async () => {
    const root = mkdtempSync(join(dir, "retention-idle-"));
    const keeping = await storeAt(root, { retentionDays: 0 });
    const state = await keeping.load(alice, items, 0);
    await keeping.commit(alice, state, event(1, { at: Date.now() - 3 * 86_400_000 }), items);
    await keeping.commit(alice, state, event(2, { at: Date.now() }), items);
    await keeping.close();
    const expiring = await storeAt(root, { retentionDays: 1 });
    expect((await expiring.exportPerson(alice, items))?.events.map((e) => e.seq)).toEqual([2]);
    expect((await expiring.load(alice, items, Date.now())).profile.seq).toBe(2); // the profile itself stays
    await expiring.close();
  });
});

describe("one process per data folder", () => {
  it("refuses a second store on a folder in use, and takes over one whose owner was killed", async () => {
    const root = mkdtempSync(join(dir, "lock-"));
    const first = await storeAt(root);
    await expect(storeAt(root)).rejects.toThrow(/is in use by another chatrec process/);
    await first.close();
    const second = await storeAt(root); // closed cleanly: free again
    await second.close();
    await writeThenKill(root, 60_000, 20); // a writer process that died holding the folder
    const third = await storeAt(root);
    await third.close();
  });
});
