// Per-person rate limits (429 + Retry-After), and per-person serialisation: 100 concurrent messages for
// one person all end up in their export, a redelivered messageId counts once.
import { TurnHost } from "../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenBuckets } from "../adapters/token-buckets.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-rate-"));
let bot: Bot;
const apps: FastifyInstance[] = [];
let limited: string;
let generous: string;

beforeAll(async () => {
  bot = await Bot.create(loadConfig({}, { dataDir: dir, commitIntervalMs: 5 }));
  const start = async (security: Parameters<typeof buildServer>[1]["security"]) => {
    const app = buildServer(new TurnHost(bot), { maxBodyBytes: 16_384, security });
    apps.push(app);
    return app.listen({ port: 0, host: "127.0.0.1" });
  };
  limited = await start({ ratePerMinute: 6, rateBurst: 3 });
  generous = await start({ ratePerMinute: 100_000, rateBurst: 1_000 });
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (base: string, body: unknown) =>
  fetch(`${base}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("per-person rate limits", () => {
  it("answers 429 with Retry-After and a reason once a person's burst is spent; others are unaffected", async () => {
    for (let i = 0; i < 3; i++)
      expect((await send(limited, { user: { id: "busy" }, text: "I like westerns" })).status).toBe(
        200,
      );
    const refused = await send(limited, { user: { id: "busy" }, text: "I like westerns" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /too many requests for this person \(limit 6 per minute/,
    );
    // Reading one's own data counts against the same person, however the path is spelt.
    expect((await fetch(`${limited}/v1/users/busy/profile`)).status).toBe(429);
    expect(
      (
        await fetch(`${limited}/%761/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ user: { id: "busy" }, text: "hi" }),
        })
      ).status,
    ).toBe(429);
    expect((await send(limited, { user: { id: "calm" }, text: "I like westerns" })).status).toBe(
      200,
    );
  });

  it("token buckets refill at the configured rate and forget idle people", () => {
    const buckets = new TokenBuckets(60, 2, 3); // one token per second, at most 3 people remembered
    expect(buckets.take("a", 0).ok).toBe(true);
    expect(buckets.take("a", 0).ok).toBe(true);
    expect(buckets.take("a", 0)).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(buckets.take("a", 999).ok).toBe(false);
    expect(buckets.take("a", 1000).ok).toBe(true);
    for (const k of ["b", "c", "d", "e"]) buckets.take(k, 5000);
    expect(buckets.size).toBeLessThanOrEqual(3);
  });
});

describe("per-person serialisation and idempotency over HTTP", () => {
  it("100 concurrent messages for one person are all in the export; redeliveries count once", async () => {
    const texts = [
      "I loved Inception",
      "something with space travel",
      "funny heist movies",
      "no horror please",
      "dramas about music",
    ];
    const ids = Array.from({ length: 100 }, (_, i) => `burst-${i}`);
    const first = ids.map((id, i) =>
      send(generous, { user: { id: "crowd" }, text: texts[i % texts.length], messageId: id }),
    );
    // Redeliveries of 20 of them, racing the originals.
    const again = ids
      .slice(0, 20)
      .map((id, i) =>
        send(generous, { user: { id: "crowd" }, text: texts[i % texts.length], messageId: id }),
      );
    const statuses = await Promise.all([...first, ...again].map(async (r) => (await r).status));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const exported = (await (await fetch(`${generous}/v1/users/crowd/export`)).json()) as {
      events: Array<{ messageId?: string; seq: number }>;
      profile: { seq: number };
    };
    expect(exported.events).toHaveLength(100);
    expect(new Set(exported.events.map((e) => e.messageId))).toEqual(new Set(ids));
    expect(exported.events.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(exported.profile.seq).toBe(100);
  });
});
