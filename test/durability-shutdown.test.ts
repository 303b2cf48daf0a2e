// Graceful shutdown (SIGTERM) of the real server under load flushes everything: every acknowledged event
// and an up-to-date profile snapshot per person are on disk when the process exits. A forgotten person
// answers 404 before and after the restart, and no file in the data folder holds their key.
import { TurnHost } from "../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ChildServer } from "../research/bench/server-child.ts";
import { simulatePeople, type Answer } from "../research/scripts/simulated-people.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";
import { loadOrCreateSecret, personKey } from "../src/profile/keys.ts";
import { filesContaining } from "./support/data-folder.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-term-"));
const env = { CHATREC_DATA_DIR: dir, CHATREC_RATE_PER_MIN: "0" };
const servers: ChildServer[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

const json = { "content-type": "application/json" };

describe("graceful shutdown and forgetting", () => {
  it("SIGTERM under load flushes events and snapshots; a forgotten person stays gone", async () => {
    const server = await spawnServer(env);
    servers.push(server);
    for (const text of ["I loved Alien", "more like the first one"]) {
      expect(
        (
          await fetch(`${server.url}/v1/messages`, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ user: { id: "leaver" }, text }),
          })
        ).status,
      ).toBe(200);
    }
    expect((await fetch(`${server.url}/v1/users/leaver`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${server.url}/v1/users/leaver/profile`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/users/leaver/export`)).status).toBe(404);
    // The server times its own requests for the load test: the five so far.
    const inside = await server.requestTimes();
    expect(inside.count).toBe(5);
    expect(inside.max).toBeGreaterThan(0);
    expect(inside.max).toBeGreaterThanOrEqual(inside.p50);

    const answers: Answer[] = [];
    let stopped = false;
    const load = simulatePeople({
      base: server.url,
      people: 6,
      prefix: "t",
      stop: () => stopped,
      onAnswer: (a) => answers.push(a),
    });
    while (answers.filter((a) => a.status === 200 && a.messageId).length < 60)
      await new Promise((r) => setTimeout(r, 20));
    server.child.kill("SIGTERM"); // requests are in flight
    expect(await server.exited).toBe(0);
    stopped = true;
    await load;
    const acked = answers.filter((a) => a.status === 200 && a.messageId);

    // On disk right after exit, before anything else opens the folder.
    const secret = loadOrCreateSecret(join(dir, "secret.key"));
    const db = await lancedb.connect(join(dir, "lancedb"));
    const events = await db.openTable("events");
    const profiles = await db.openTable("profiles");
    const people = [...new Set(acked.map((a) => a.person))];
    expect(people.length).toBe(6);
    for (const person of people) {
      const key = personKey(secret, { platform: "webhook", id: person });
      const rows = (await events.query().where(`key = '${key}'`).toArray()) as Array<{
        message_id: string | null;
      }>;
      const stored = new Set(rows.map((r) => r.message_id));
      expect(
        acked.filter((a) => a.person === person && !stored.has(a.messageId!)),
        person,
      ).toEqual([]);
      const [snapshot] = (await profiles.query().where(`key = '${key}'`).toArray()) as Array<{
        seq: bigint | number;
      }>;
      expect(Number(snapshot?.seq), `${person}'s snapshot is up to date`).toBe(rows.length);
    }
    const leaverKey = personKey(secret, { platform: "webhook", id: "leaver" });
    expect(await events.countRows(`key = '${leaverKey}'`)).toBe(0);
    expect(filesContaining(dir, leaverKey)).toEqual([]);

    // Restarted on the same folder (in-process this time, over real HTTP): the same answers.
    const bot = await Bot.create(loadConfig({}, { dataDir: dir }));
    const app = buildServer(new TurnHost(bot), { maxBodyBytes: 16_384 });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      for (const person of people) {
        const exported = (await (await fetch(`${base}/v1/users/${person}/export`)).json()) as {
          events: Array<{ messageId?: string }>;
        };
        const stored = new Set(exported.events.map((e) => e.messageId));
        expect(acked.filter((a) => a.person === person && !stored.has(a.messageId))).toEqual([]);
      }
      expect((await fetch(`${base}/v1/users/leaver/profile`)).status).toBe(404);
      expect((await fetch(`${base}/v1/users/leaver/export`)).status).toBe(404);
    } finally {
      await app.close();
      await bot.close();
    }
  }, 150_000);
});
