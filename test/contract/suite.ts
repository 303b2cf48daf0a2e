// One contract, every adapter: the same conversations over the HTTP API, the terminal, Discord and Slack,
// each driven through its real protocol (see test/support/adapter-driver.ts). Every adapter's
// test/contract/<adapter>.test.ts calls adapterContract(driverFactory).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/config.ts";
import type { AdapterDriver, AdapterDriverFactory, Person } from "../support/adapter-driver.ts";

const catalog = new Map<string, string>(
  readFileSync(join(PACKAGE_ROOT, "data/catalog/movies.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const item = JSON.parse(l) as { id: string; title: string };
      return [item.id, item.title] as const;
    }),
);
const idOf = (title: string) => [...catalog].find(([, t]) => t === title)![0];

/** Registers the contract suite for one adapter; each adapter has its own test file so each stays fast. */
export function adapterContract(factory: AdapterDriverFactory): void {
  const driver: AdapterDriver = factory();
  describe(`adapter contract: ${driver.name}`, () => {
    const ana: Person = { id: "ana", scope: "T-one" };
    const ben: Person = { id: "ben", scope: "T-one" };
    beforeAll(() => driver.start());
    afterAll(() => driver.stop());

    it("a liked title gives item cards carrying catalog ids, never the liked titles", async () => {
      const reply = await driver.say(ana, "I loved Inception and The Matrix, no horror");
      expect(reply.text).toContain("Inception");
      expect(reply.items.length).toBeGreaterThanOrEqual(3);
      for (const item of reply.items) {
        expect(catalog.get(item.id), `card ${item.title} carries a catalog id`).toBe(item.title);
      }
      const ids = reply.items.map((i) => i.id);
      expect(ids).not.toContain(idOf("Inception"));
      expect(ids).not.toContain(idOf("The Matrix"));
    });

    it("each click changes the list, and a liked, rejected or seen item never comes back", async () => {
      let reply = await driver.say(ana, "funny animated movies for kids");
      const gone: string[] = [];
      for (const action of ["like", "dislike", "seen", "more"] as const) {
        const before = reply.items.map((i) => i.id);
        const target = before[0]!;
        reply = await driver.click(ana, target, action);
        const after = reply.items.map((i) => i.id);
        expect(after.length, `${action} gives a fresh list`).toBeGreaterThan(0);
        expect(after, `${action} changes the list`).not.toEqual(before);
        expect(after, `${action}ed item is not offered again at once`).not.toContain(target);
        if (action !== "more") gone.push(target);
        for (const id of gone) expect(after).not.toContain(id);
      }
      const later = await driver.say(ana, "more animated movies please");
      for (const id of gone) expect(later.items.map((i) => i.id)).not.toContain(id);
    });

    it("two people are isolated", async () => {
      await driver.say(ben, "I loved The Godfather");
      const anas = await driver.say(ana, "what do you think I like?");
      const bens = await driver.say(ben, "what do you think I like?");
      expect(anas.text).toContain("Inception");
      expect(anas.text).not.toContain("The Godfather");
      expect(bens.text).toContain("The Godfather");
      expect(bens.text).not.toContain("Inception");
    });

    if (driver.scoped) {
      it("the same person id in two workspaces/guilds is two people", async () => {
        const elsewhere: Person = { id: ana.id, scope: "T-two" };
        const fresh = await driver.say(elsewhere, "what do you think I like?");
        expect(fresh.text).toContain("I don't know your taste yet");
        expect(fresh.text).not.toContain("Inception");
      });
    }

    it("bad input gets a polite answer, not a crash", async () => {
      const long = await driver.say(ben, "I like ".repeat(1000));
      expect(long.items).toEqual([]);
      expect(long.text).toMatch(/too long|longer than/i);
      const noise = await driver.say(ben, "}{#@!~ \u0000\u202e ⚠️");
      expect(noise.text.length).toBeGreaterThan(5);
      if (driver.buttons) {
        const forged = await driver.click(ben, "no-such-item", "like");
        expect(forged.items).toEqual([]);
        expect(forged.text).toMatch(/unknown item|catalog/i);
      }
      // Still answering normally afterwards.
      expect((await driver.say(ben, "something like Toy Story")).items.length).toBeGreaterThan(0);
    });
  });
}
