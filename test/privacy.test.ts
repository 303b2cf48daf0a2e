// Privacy by design, checked on the data folder itself: no raw user id, name or message text on disk unless
// text storage is enabled; the pseudonymisation secret is generated once (0600) and kept; the export holds
// every row stored under the person's key; retention expires old events.
import { TurnHost } from "../adapters/host.ts";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../adapters/webhook/server.ts";
import { Replay } from "../src/replay.ts";
import { loadConfig, type Config } from "../src/config.ts";
import { loadOrCreateSecret, personKey } from "../src/profile/keys.ts";
import { filesContaining } from "./support/data-folder.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Running {
  base: string;
  bot: Replay;
  dir: string;
  close: () => Promise<void>;
}

/** A bot behind the real HTTP server on a data folder (fresh unless given). */
async function open(
  overrides: Partial<Config>,
  dir = mkdtempSync(join(tmpdir(), "chatrec-privacy-")),
): Promise<Running> {
  if (!dirs.includes(dir)) dirs.push(dir);
  const bot = await Replay.open(
    loadConfig({}, { dataDir: dir, commitIntervalMs: 2, ...overrides }),
  );
  const app = buildServer(new TurnHost(bot), { maxBodyBytes: 16_384 });
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    base,
    bot,
    dir,
    close: async () => {
      await app.close();
      await bot.close();
    },
  };
}

/** Everything written so far is on disk (events and profile snapshots), so a scan sees it all. */
async function flushed(r: Running): Promise<string> {
  await r.bot.store.flush();
  await r.bot.store.writeSnapshots();
  return r.dir;
}

const post = (base: string, path: string, body: unknown) =>
  fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("privacy on disk", () => {
  const marker = `quokkazanzibar${Date.now()}`;
  const rawId = `privacy-person-${randomUUID()}`;
  const name = `Quentin Markerson ${randomUUID().slice(0, 8)}`;
  const chat = async (base: string, id = rawId) => {
    expect(
      (
        await post(base, "/v1/messages", {
          user: { id, name },
          text: `I loved The Matrix and ${marker} films`,
          messageId: randomUUID(),
        })
      ).status,
    ).toBe(200);
    expect(
      (await post(base, "/v1/messages", { user: { id }, text: `more ${marker}, no horror` }))
        .status,
    ).toBe(200);
  };
  let plain: Running;
  beforeAll(async () => {
    plain = await open({});
  });
  afterAll(async () => plain.close());

  it("stores pseudonymous keys only: no raw user id, name or message text anywhere in the data folder", async () => {
    await chat(plain.base);
    const dir = await flushed(plain);
    const key = personKey(loadOrCreateSecret(join(dir, "secret.key")), {
      platform: "webhook",
      id: rawId,
    });
    expect(filesContaining(dir, key).length).toBeGreaterThan(0); // the scan does read the stored rows
    expect(filesContaining(dir, rawId)).toEqual([]);
    expect(filesContaining(dir, name)).toEqual([]);
    expect(filesContaining(dir, marker)).toEqual([]);
  });

  it("exports every row stored under the person's key, in every table that has one", async () => {
    const id = `exported-${randomUUID()}`;
    await chat(plain.base, id);
    const items = (
      (await (
        await post(plain.base, "/v1/messages", { user: { id }, text: "space adventures" })
      ).json()) as { recommendations: Array<{ id: string }> }
    ).recommendations;
    expect(
      (
        await post(plain.base, "/v1/feedback", {
          user: { id },
          itemId: items[0]!.id,
          signal: "like",
        })
      ).status,
    ).toBe(200);
    const exported = (await (await fetch(`${plain.base}/v1/users/${id}/export`)).json()) as {
      profile: { seq: number };
      events: unknown[];
    };
    const dir = await flushed(plain);
    const key = personKey(loadOrCreateSecret(join(dir, "secret.key")), { platform: "webhook", id });
    const db = await lancedb.connect(join(dir, "lancedb"));
    const tablesWithKey: Record<string, number> = {};
    for (const table of await Promise.all((await db.tableNames()).map((n) => db.openTable(n)))) {
      if ((await table.schema()).fields.some((f) => f.name === "key"))
        tablesWithKey[table.name] = await table.countRows(`key = '${key}'`);
    }
    // Per-person data lives in exactly these tables, and the export covers all of it.
    expect(tablesWithKey).toEqual({ events: 4, profiles: 1 });
    expect(exported.events).toHaveLength(4);
    expect(exported.profile.seq).toBe(4);
  });

  it("generates the pseudonymisation secret once (0600) and keeps it: people are recognised after a restart", async () => {
    const secretFile = join(plain.dir, "secret.key");
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const before = readFileSync(secretFile, "utf8");
    expect(before.trim()).toMatch(/^[0-9a-f]{64}$/);
    await plain.close();
    plain = await open({}, plain.dir);
    expect((await fetch(`${plain.base}/v1/users/${rawId}/profile`)).status).toBe(200);
    expect(readFileSync(secretFile, "utf8")).toBe(before);
  });

  it("stores message text only when CHATREC_STORE_TEXT is enabled; retention expires old events", async () => {
    expect(loadConfig({ CHATREC_STORE_TEXT: "1" }).storeMessageText).toBe(true);
    expect(loadConfig({ CHATREC_RETENTION_DAYS: "0.5" }).retentionDays).toBe(0.5);
    // Retention of about one second, and compaction (where expiry runs) after every commit.
    const r = await open({ storeMessageText: true, retentionDays: 1 / 86_400, compactEvery: 1 });
    try {
      expect(
        (
          await post(r.base, "/v1/messages", {
            user: { id: rawId },
            text: `I loved Alien and ${marker}`,
            messageId: "old",
          })
        ).status,
      ).toBe(200);
      const first = (await (await fetch(`${r.base}/v1/users/${rawId}/export`)).json()) as {
        events: Array<{ text?: string }>;
      };
      expect(first.events[0]?.text).toContain(marker);
      expect(filesContaining(await flushed(r), marker).length).toBeGreaterThan(0);
      expect(filesContaining(r.dir, rawId)).toEqual([]);

      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(
        (
          await post(r.base, "/v1/messages", {
            user: { id: rawId },
            text: "space adventures",
            messageId: "new",
          })
        ).status,
      ).toBe(200);
      let ids: Array<string | undefined> = [];
      for (let i = 0; i < 50 && ids.join() !== "new"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ids = (
          (await (await fetch(`${r.base}/v1/users/${rawId}/export`)).json()) as {
            events: Array<{ messageId?: string }>;
          }
        ).events.map((e) => e.messageId);
      }
      expect(ids).toEqual(["new"]);
    } finally {
      await r.close();
    }
  });
});
