import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { personKey } from "../src/profile/keys.ts";
import type { ItemLookup, ProfileEvent } from "../src/profile/profile.ts";
import { ProfileStore } from "../src/profile/store.ts";
import { filesContaining } from "./support/data-folder.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const items: ItemLookup = { vectorOf: () => Float32Array.from([1, 0]), interestsOf: () => Float32Array.from([0, 1, 0]) };
const options = { commitIntervalMs: 5, compactEvery: 1000, retentionDays: 0, labels: 3, dim: 2 };
const secret = Buffer.alloc(32, 7);
const alice = personKey(secret, { platform: "webhook", id: "alice" });
const bob = personKey(secret, { platform: "webhook", id: "bob" });

function event(seq: number, extra: Partial<ProfileEvent> = {}): ProfileEvent {
  return { seq, at: 1_000 + seq, kind: "message", intent: "recommend", messageId: `m${seq}`, interests: [0.1, 0.8, 0.1], embedding: [0, 1], signals: [], shown: [], ...extra };
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
    expect([...again.messageIds].sort()).toEqual(["m1", "m2"]);
    const exported = await reopened.exportPerson(alice, items);
    expect(exported?.events.map((e) => e.seq)).toEqual([1, 2]);
    await reopened.close();
  });

  it("forgets a person for real: no row and no file keeps their key", async () => {
    const store = await ProfileStore.open(await lancedb.connect(join(dir, "db")), options);
    expect(filesContaining(dir, alice).length).toBeGreaterThan(0);
    expect(await store.forget(alice)).toBe(true);
    expect(await store.exists(alice)).toBe(false);
    expect(await store.exportPerson(alice, items)).toBeUndefined();
    expect(filesContaining(dir, alice)).toEqual([]);
    expect(await store.exists(bob)).toBe(true);
    await store.close();
  });
});
