// Contract driver for the HTTP API: a person is a user id, a click is POST /v1/feedback.
// A 4xx answer is what an API client "sees" instead of a chat reply: its reason becomes the reply text.
import { rmSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";
import { seededDataDir, type AdapterDriver, type ClickAction, type Person, type Reply } from "./adapter-driver.ts";

interface ApiReply {
  reply?: string;
  error?: string;
  recommendations?: Array<{ id: string; title: string }>;
}

export function webhookDriver(): AdapterDriver {
  let dir = "";
  let bot: Bot | undefined;
  let app: FastifyInstance | undefined;
  let base = "";

  const post = async (path: string, body: unknown): Promise<Reply> => {
    const res = await fetch(base + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (res.status >= 500) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    const json = (await res.json()) as ApiReply;
    if (res.status >= 400) return { text: json.error ?? "", items: [] };
    return { text: json.reply ?? "", items: (json.recommendations ?? []).map((r) => ({ id: r.id, title: r.title })) };
  };

  return {
    name: "webhook",
    scoped: false,
    buttons: true,
    async start() {
      dir = await seededDataDir("webhook");
      const config = loadConfig({}, { dataDir: dir, commitIntervalMs: 2 });
      bot = await Bot.create(config);
      app = buildServer(bot, { maxBodyBytes: config.maxBodyBytes });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
    },
    say: (person: Person, text: string) => post("/v1/messages", { user: { id: person.id }, text }),
    click: (person: Person, itemId: string, action: ClickAction) => post("/v1/feedback", { user: { id: person.id }, itemId, signal: action }),
    async stop() {
      await app?.close();
      await bot?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
