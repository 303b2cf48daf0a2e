// Restarting the HTTP server on the same data folder: the person's profile and export come back intact.
import { TurnHost } from "../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";

const dataDir = mkdtempSync(join(tmpdir(), "chatrec-restart-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(): Promise<{ bot: Bot; app: FastifyInstance; base: string }> {
  const config = loadConfig({}, { dataDir, commitIntervalMs: 2 });
  const bot = await Bot.create(config);
  const app = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
  return { bot, app, base: await app.listen({ port: 0, host: "127.0.0.1" }) };
}

const post = async (base: string, path: string, body: unknown) => {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    recommendations: Array<{ id: string }>;
    interests: Array<{ label: string; weight: number }>;
  };
};
const get = async (base: string, path: string) => {
  const res = await fetch(base + path);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown> & {
    liked: string[];
    disliked: string[];
    seen: string[];
    events: unknown[];
  };
};

describe("restart on the same data folder", () => {
  it("keeps the person's liked / disliked / seen items, interests and export", async () => {
    const first = await start();
    const list = await post(first.base, "/v1/messages", {
      user: { id: "ines", name: "Ines" },
      text: "I loved Inception and The Matrix, no horror",
      messageId: "ines-1",
    });
    const [liked, disliked, seen] = list.recommendations.map((r) => r.id);
    await post(first.base, "/v1/feedback", { user: { id: "ines" }, itemId: liked, signal: "like" });
    await post(first.base, "/v1/feedback", {
      user: { id: "ines" },
      itemId: disliked,
      signal: "dislike",
    });
    await post(first.base, "/v1/feedback", { user: { id: "ines" }, itemId: seen, signal: "seen" });
    const profileBefore = await get(first.base, "/v1/users/ines/profile");
    const exportBefore = await get(first.base, "/v1/users/ines/export");
    expect(profileBefore.liked).toContain(liked);
    expect(exportBefore.events).toHaveLength(4);
    await first.app.close();
    await first.bot.close();

    const second = await start();
    try {
      const profileAfter = await get(second.base, "/v1/users/ines/profile");
      expect(profileAfter.liked).toContain(liked);
      expect(profileAfter.disliked).toContain(disliked);
      expect(profileAfter.seen).toContain(seen);
      // Time decay moves weights a little between the two reads; the interests themselves are the same.
      const labels = (p: Record<string, unknown>) =>
        (p.interests as Array<{ label: string }>)
          .slice(0, 3)
          .map((i) => i.label)
          .sort();
      expect(labels(profileAfter)).toEqual(labels(profileBefore));
      const exportAfter = await get(second.base, "/v1/users/ines/export");
      expect(exportAfter.events).toEqual(exportBefore.events);
      expect(exportAfter.profile).toMatchObject({
        liked: (exportBefore.profile as { liked: string[] }).liked,
        disliked: (exportBefore.profile as { disliked: string[] }).disliked,
      });
      // A client retrying its first message after the restart gets that list again, and nothing is recorded.
      const retried = await post(second.base, "/v1/messages", {
        user: { id: "ines" },
        text: "I loved Inception and The Matrix, no horror",
        messageId: "ines-1",
      });
      expect(retried.recommendations.map((r) => r.id)).toEqual(
        list.recommendations.map((r) => r.id),
      );
      expect((await get(second.base, "/v1/users/ines/export")).events).toHaveLength(4);
      const again = await post(second.base, "/v1/messages", {
        user: { id: "ines" },
        text: "more please",
      });
      expect(again.recommendations.map((r) => r.id)).not.toContain(disliked);
      expect(again.recommendations.map((r) => r.id)).not.toContain(seen);
      expect((await get(second.base, "/v1/users/ines/export")).events).toHaveLength(5);
      expect((await fetch(`${second.base}/v1/users/nobody/profile`)).status).toBe(404);
    } finally {
      await second.app.close();
      await second.bot.close();
    }
  });
});
