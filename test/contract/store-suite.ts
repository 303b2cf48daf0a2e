// One contract, every profile store: what the turn pipeline relies on from src/profile/store.ts. A store
// implementation registers this suite with a factory that opens it on a folder (reopening the same folder
// must see what was committed there), as test/contract/profile-store.test.ts does for the LanceDB store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { personKey } from "../../src/profile/keys.ts";
import type { ItemLookup, ProfileEvent } from "../../src/profile/profile.ts";
import type { PersonState } from "../../src/profile/store.ts";

/** The part of a profile store the pipeline and the API use. */
export interface StoreUnderTest {
  load(key: string, items: ItemLookup, now: number): Promise<PersonState>;
  commit(key: string, state: PersonState, event: ProfileEvent, items: ItemLookup): Promise<void>;
  eventAt(key: string, seq: number): Promise<ProfileEvent | undefined>;
  exists(key: string): Promise<boolean>;
  exportPerson(
    key: string,
    items: ItemLookup,
  ): Promise<{ events: Array<{ seq: number }> } | undefined>;
  forget(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export type StoreFactory = (folder: string) => Promise<StoreUnderTest>;

const items: ItemLookup = {
  vectorOf: () => Float32Array.from([1, 0]),
  interestsOf: () => Float32Array.from([0, 1, 0]),
};
const key = (name: string) => personKey(SECRET, { platform: "contract", id: name });
const SECRET = Buffer.alloc(32, 3);

function event(state: PersonState, extra: Partial<ProfileEvent> = {}): ProfileEvent {
  return {
    seq: state.profile.seq + 1,
    at: 1_000 + state.profile.seq,
    kind: "message",
    intent: "recommend",
    interests: [0.1, 0.8, 0.1],
    embedding: [0, 1],
    signals: [],
    shown: [],
    ...extra,
  };
}

export function storeContract(name: string, open: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const folder = mkdtempSync(join(tmpdir(), "chatrec-store-contract-"));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it("a person never seen loads empty and does not exist", async () => {
      const store = await open(folder);
      try {
        const state = await store.load(key("a1"), items, 0);
        expect(state.profile.seq).toBe(0);
        expect(state.messageIds.size).toBe(0);
        expect(await store.exists(key("a1"))).toBe(false);
        expect(await store.exportPerson(key("a1"), items)).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it("what was committed is there after reopening: profile, message ids and what they showed", async () => {
      const store = await open(folder);
      const ana = key("b2");
      const state = await store.load(ana, items, 0);
      await store.commit(
        ana,
        state,
        event(state, { signals: [{ itemId: "x", signal: "like" }] }),
        items,
      );
      await store.commit(ana, state, event(state, { messageId: "m-2", shown: ["p", "q"] }), items);
      await store.close();
      const reopened = await open(folder);
      const again = await reopened.load(ana, items, 0);
      expect(again.profile.seq).toBe(2);
      expect(again.profile.liked).toEqual(["x"]);
      expect(again.messageIds.get("m-2")).toBe(2);
      expect((await reopened.eventAt(ana, 2))?.shown).toEqual(["p", "q"]);
      expect(await reopened.eventAt(ana, 3)).toBeUndefined();
      expect(await reopened.exists(ana)).toBe(true);
      expect((await reopened.exportPerson(ana, items))?.events.map((e) => e.seq)).toEqual([1, 2]);
      await reopened.close();
    });

    it("people are apart, and forget removes one for good", async () => {
      const store = await open(folder);
      const [ben, cai] = [key("c3"), key("d4")];
      for (const person of [ben, cai]) {
        const state = await store.load(person, items, 0);
        await store.commit(person, state, event(state, { messageId: `${person}-1` }), items);
      }
      expect((await store.load(ben, items, 0)).messageIds.has(`${cai}-1`)).toBe(false);
      expect(await store.forget(ben)).toBe(true);
      expect(await store.exists(ben)).toBe(false);
      await store.close();
      const reopened = await open(folder);
      expect(await reopened.exists(ben)).toBe(false);
      expect((await reopened.load(ben, items, 0)).profile.seq).toBe(0);
      expect(await reopened.exists(cai)).toBe(true);
      await reopened.close();
    });
  });
}
