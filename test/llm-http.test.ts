// LLM explanations through the HTTP API (real server, real bot) against a fake OpenAI-compatible server.
import { TurnHost } from "../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";
import { CallbackReceiver } from "./support/callback-receiver.ts";
import { answerNamingPromptTitles, FakeOpenAI, type FakeAnswer } from "./support/fake-openai.ts";

const BUDGET_MS = 800;
const dir = mkdtempSync(join(tmpdir(), "chatrec-llm-http-"));
const fake = new FakeOpenAI(() => ({ content: "" }));
const receiver = new CallbackReceiver();
let bot: Bot;
let app: FastifyInstance;
let base: string;

interface ApiReply {
  reply: string;
  recommendations: Array<{ id: string; title: string }>;
  explanation?: string;
}

const post = (path: string, body: unknown) =>
  fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const answerFor = (r: ApiReply) =>
  `${r.recommendations[0]!.title} and ${r.recommendations[1]!.title} both fit what you told me.`;
/** Answers each request with a text built from the titles in its own prompt (the fake does not know the list in advance). */
function answerFromPrompt(extra: Partial<FakeAnswer> = {}): void {
  fake.setScript((_n, req) => ({ content: answerNamingPromptTitles(req), ...extra }));
}

beforeAll(async () => {
  await fake.listen();
  await receiver.start();
  const config = loadConfig(
    {
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: fake.baseUrl,
      CHATREC_LLM_TIMEOUT_MS: String(BUDGET_MS),
    },
    { dataDir: dir, commitIntervalMs: 2 },
  );
  bot = await Bot.create(config);
  app = buildServer(new TurnHost(bot), {
    maxBodyBytes: config.maxBodyBytes,
    callbacks: {
      hosts: ["127.0.0.1"],
      secret: "callback-secret-for-llm-tests",
      attempts: 2,
      backoffMs: 50,
      timeoutMs: 2000,
    },
  });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app.close();
  await bot.close();
  await fake.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe("HTTP API with LLM explanations", () => {
  it("without explain, replies with no explanation and makes no LLM call", async () => {
    answerFromPrompt();
    const res = await post("/v1/messages", {
      user: { id: "u1" },
      text: "I loved Inception and The Matrix, no horror",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ApiReply;
    expect(body.recommendations.length).toBe(5);
    expect(body).not.toHaveProperty("explanation");
    expect(fake.requests).toHaveLength(0);
  });

  it("with explain: true, carries the checked explanation (messages and feedback)", async () => {
    answerFromPrompt();
    const body = (await (
      await post("/v1/messages", {
        user: { id: "u2" },
        text: "funny animated movies for kids",
        explain: true,
      })
    ).json()) as ApiReply;
    expect(body.explanation).toBe(answerFor(body));
    const fb = (await (
      await post("/v1/feedback", {
        user: { id: "u2" },
        itemId: body.recommendations[0]!.id,
        signal: "dislike",
        explain: true,
      })
    ).json()) as ApiReply;
    expect(fb.explanation).toBe(answerFor(fb));
    expect(fake.requests).toHaveLength(2);
  });

  it("with explain: true, a slow LLM costs at most the budget and the reply comes without explanation", async () => {
    answerFromPrompt({ delayMs: 5_000 });
    const started = Date.now();
    const res = await post("/v1/messages", {
      user: { id: "u3" },
      text: "a gritty crime thriller",
      explain: true,
    });
    const elapsed = Date.now() - started;
    const body = (await res.json()) as ApiReply;
    expect(res.status).toBe(200);
    expect(body.recommendations.length).toBe(5);
    expect(body).not.toHaveProperty("explanation");
    expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS - 50);
    expect(elapsed).toBeLessThan(BUDGET_MS + 1_500);
  });

  it("with explain: true and a callbackUrl, the delivered reply carries the explanation", async () => {
    answerFromPrompt();
    const res = await post("/v1/messages", {
      user: { id: "u8" },
      text: "classic westerns",
      explain: true,
      callbackUrl: receiver.url,
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const [delivered] = await receiver.count(1, 10_000, (d) => d.body.id === id);
    const body = delivered!.body as unknown as ApiReply;
    expect(body.recommendations).toHaveLength(5);
    expect(body.explanation).toBe(answerFor(body));
  });

  it("POST /v1/explanations explains the person's latest list, as JSON and as an SSE stream", async () => {
    const list = (await (
      await post("/v1/messages", { user: { id: "u4" }, text: "space adventure with aliens" })
    ).json()) as ApiReply;
    answerFromPrompt();
    const json = (await (await post("/v1/explanations", { user: { id: "u4" } })).json()) as {
      explanation: string | null;
    };
    expect(json.explanation).toBe(answerFor(list));
    // A new list, streamed in chunks.
    const list2 = (await (
      await post("/v1/feedback", {
        user: { id: "u4" },
        itemId: list.recommendations[0]!.id,
        signal: "seen",
      })
    ).json()) as ApiReply;
    const text = answerFor(list2);
    fake.setScript(() => ({ chunks: text.split(/(?<= )/), chunkDelayMs: 2 }));
    const res = await post("/v1/explanations", { user: { id: "u4" }, stream: true });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = [...(await res.text()).matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      event: m[1],
      data: JSON.parse(m[2]!) as Record<string, unknown>,
    }));
    expect(events.at(-1)).toEqual({ event: "done", data: { explanation: text } });
    expect(events.filter((e) => e.event === "text").at(-1)?.data.text).toBe(text);
    expect(fake.requests.at(-1)!.body.stream).toBe(true);
  });

  it("a stream whose answer names an item that was not recommended ends with explanation null", async () => {
    await post("/v1/messages", { user: { id: "u5" }, text: "romantic comedies set in New York" });
    fake.setScript(() => ({
      chunks: ["You will like these. ", "Especially if you loved Jurassic Park."],
    }));
    const text = await (
      await post("/v1/explanations", { user: { id: "u5" }, stream: true })
    ).text();
    expect(text.trim().endsWith('event: done\ndata: {"explanation":null}')).toBe(true);
  });

  it("bad explanation requests get a 4xx with a reason", async () => {
    expect((await post("/v1/explanations", { user: { id: "" } })).status).toBe(400);
    const unknown = await post("/v1/explanations", { user: { id: "nobody" } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(
      /no recent recommendations/,
    );
    expect(
      (await post("/v1/messages", { user: { id: "u6" }, text: "hi", explain: "yes" })).status,
    ).toBe(400);
  });

  it("forgetting a person drops their remembered list", async () => {
    await post("/v1/messages", { user: { id: "u7" }, text: "westerns" });
    expect(bot.latestReplyOf({ platform: "webhook", id: "u7" })).toBeDefined();
    expect((await fetch(`${base}/v1/users/u7`, { method: "DELETE" })).status).toBe(204);
    expect((await post("/v1/explanations", { user: { id: "u7" } })).status).toBe(404);
  });
});

describe("HTTP API without an LLM key", () => {
  it("explain: true and /v1/explanations answer without any LLM call", async () => {
    const noKeyDir = mkdtempSync(join(tmpdir(), "chatrec-llm-http-nokey-"));
    const config = loadConfig(
      { OPENAI_BASE_URL: fake.baseUrl },
      { dataDir: noKeyDir, commitIntervalMs: 2 },
    );
    const quiet = await Bot.create(config);
    const server = buildServer(new TurnHost(quiet), { maxBodyBytes: config.maxBodyBytes });
    const url = await server.listen({ port: 0, host: "127.0.0.1" });
    try {
      const send = (path: string, body: unknown) =>
        fetch(url + path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const body = (await (
        await send("/v1/messages", { user: { id: "n1" }, text: "I loved Inception", explain: true })
      ).json()) as ApiReply;
      expect(body.recommendations.length).toBe(5);
      expect(body).not.toHaveProperty("explanation");
      expect(await (await send("/v1/explanations", { user: { id: "n1" } })).json()).toEqual({
        explanation: null,
      });
      expect(
        await (await send("/v1/explanations", { user: { id: "n1" }, stream: true })).text(),
      ).toBe('event: done\ndata: {"explanation":null}\n\n');
      expect(fake.requests).toHaveLength(0);
    } finally {
      await server.close();
      await quiet.close();
      rmSync(noKeyDir, { recursive: true, force: true });
    }
  });
});
