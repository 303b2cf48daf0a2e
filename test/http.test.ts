import { TurnHost } from "../adapters/host.ts";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-http-"));
let bot: Bot;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  const config = loadConfig({}, { dataDir: dir, commitIntervalMs: 2 });
  bot = await Bot.create(config);
  app = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app.close();
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, body: unknown) =>
  fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("HTTP API over real HTTP", () => {
  it("answers a message with the documented shape and honours limit", async () => {
    const res = await post("/v1/messages", {
      user: { id: "h1", name: "Hana" },
      text: "I loved Inception and The Matrix, no horror",
      limit: 3,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      reply: string;
      recommendations: Array<{
        id: string;
        title: string;
        score: number;
        reasons: Array<{ code: string; text: string }>;
      }>;
      interests: Array<{ label: string; weight: number }>;
    };
    expect(typeof body.reply).toBe("string");
    expect(body.recommendations).toHaveLength(3);
    for (const r of body.recommendations) {
      expect(r).toMatchObject({
        id: expect.any(String),
        title: expect.any(String),
        score: expect.any(Number),
      });
      expect(r.reasons[0]).toMatchObject({ code: expect.any(String), text: expect.any(String) });
    }
    expect(body.interests.length).toBeGreaterThan(0);
  });

  it("feedback changes the list, profile and export reflect it, forget makes them 404", async () => {
    const first = (await (
      await post("/v1/messages", { user: { id: "h2" }, text: "funny animated movies for kids" })
    ).json()) as { recommendations: Array<{ id: string }> };
    const top = first.recommendations[0]!.id;
    const fb = await post("/v1/feedback", { user: { id: "h2" }, itemId: top, signal: "dislike" });
    expect(fb.status).toBe(200);
    expect(
      ((await fb.json()) as { recommendations: Array<{ id: string }> }).recommendations.map(
        (r) => r.id,
      ),
    ).not.toContain(top);
    const profile = (await (await fetch(`${base}/v1/users/h2/profile`)).json()) as {
      disliked: string[];
    };
    expect(profile.disliked).toContain(top);
    const exported = (await (await fetch(`${base}/v1/users/h2/export`)).json()) as {
      events: unknown[];
    };
    expect(exported.events).toHaveLength(2);
    expect((await fetch(`${base}/v1/users/h2`, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(`${base}/v1/users/h2/profile`)).status).toBe(404);
    expect((await fetch(`${base}/v1/users/h2/export`)).status).toBe(404);
  });

  it("the export lists one event per processed message or feedback, questions and greetings included", async () => {
    const say = async (text: string, messageId?: string) => {
      const res = await post("/v1/messages", {
        user: { id: "h3" },
        text,
        ...(messageId ? { messageId } : {}),
      });
      expect(res.status, text).toBe(200);
      return (await res.json()) as {
        recommendations: Array<{ id: string }>;
        interests: Array<{ label: string; weight: number }>;
      };
    };
    await say("hello");
    const list = await say("I loved Inception and The Matrix, no horror");
    const before = (await (await fetch(`${base}/v1/users/h3/profile`)).json()) as unknown;
    await say("why?", "q-1");
    await say("why?", "q-1"); // redelivered: answered again, counted once
    await say("what do you think I like?");
    await say("help");
    // Questions leave the profile exactly as it was.
    expect(await (await fetch(`${base}/v1/users/h3/profile`)).json()).toEqual(before);
    expect(
      (
        await post("/v1/feedback", {
          user: { id: "h3" },
          itemId: list.recommendations[0]!.id,
          signal: "seen",
        })
      ).status,
    ).toBe(200);
    const exported = (await (await fetch(`${base}/v1/users/h3/export`)).json()) as {
      events: Array<{ seq: number; kind: string; intent: string; messageId?: string }>;
      profile: { seq: number };
    };
    expect(exported.events.map((e) => [e.kind, e.intent])).toEqual([
      ["message", "greeting"],
      ["message", "recommend"],
      ["message", "explain"],
      ["message", "profile"],
      ["message", "help"],
      ["feedback", "feedback"],
    ]);
    expect(exported.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(exported.events[2]!.messageId).toBe("q-1");
    expect(exported.profile.seq).toBe(6);
  });

  it("rejects bad input with a 4xx and a reason", async () => {
    const cases: Array<[unknown, number]> = [
      ["{not json", 400],
      [{ user: { id: "x" } }, 400],
      [{ user: { id: "" }, text: "hi" }, 400],
      [{ user: { id: "x" }, text: "x".repeat(2001) }, 400],
      [{ user: { id: "x" }, text: "hi", limit: 21 }, 400],
      [{ user: { id: "x" }, text: "y".repeat(20_000) }, 413],
    ];
    for (const [body, status] of cases) {
      const res = await post("/v1/messages", body);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(3);
    }
    const unknown = await post("/v1/feedback", {
      user: { id: "x" },
      itemId: "no-such-item",
      signal: "like",
    });
    expect(unknown.status).toBe(404);
    expect(
      (await post("/v1/feedback", { user: { id: "x" }, itemId: "1", signal: "love" })).status,
    ).toBe(400);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await (await fetch(`${base}/`)).text()).toContain("<title>chatrec</title>");
  });

  it("answers a retried messageId with the reply it first sent, and records it once", async () => {
    const body = { user: { id: "h-retry" }, text: "funny animated movies", messageId: "r-1" };
    const first = await (await post("/v1/messages", body)).json();
    const retried = await (await post("/v1/messages", body)).json();
    expect(retried).toEqual(first);
    const click = { user: { id: "h-retry" }, itemId: (first as Ids).recommendations[0]!.id };
    const liked = await (
      await post("/v1/feedback", { ...click, signal: "like", messageId: "r-2" })
    ).json();
    const likedAgain = await (
      await post("/v1/feedback", { ...click, signal: "like", messageId: "r-2" })
    ).json();
    expect(likedAgain).toEqual(liked);
    const events = (
      (await (await fetch(`${base}/v1/users/h-retry/export`)).json()) as {
        events: unknown[];
      }
    ).events;
    expect(events).toHaveLength(2);
  });
});

type Ids = { recommendations: Array<{ id: string }> };

describe("an oversized body", () => {
  const huge = JSON.stringify({ user: { id: "h-big" }, text: "x".repeat(3_000_000) });

  it("reaches Node's fetch as a 413 with its reason, and the connection is closed", async () => {
    const res = await post("/v1/messages", huge);
    expect(res.status).toBe(413);
    expect(res.headers.get("connection")).toBe("close");
    expect(((await res.json()) as { error: string }).error).toBe("body larger than 16384 bytes");
  });

  it("reaches Python's urllib as a 413 with its reason", async () => {
    const script = [
      "import sys, urllib.request, urllib.error",
      "body = b'{\"text\": \"' + b'x' * 3000000 + b'\"}'",
      "req = urllib.request.Request(sys.argv[1], data=body, headers={'content-type': 'application/json'})",
      "try:",
      "    urllib.request.urlopen(req)",
      "except urllib.error.HTTPError as e:",
      "    print(e.code, e.read().decode())",
    ].join("\n");
    // Asynchronously: the server runs in this process and must keep answering.
    const out = await promisify(execFile)("python3", ["-c", script, `${base}/v1/messages`]);
    expect(out.stderr).toBe("");
    expect(out.stdout.trim()).toBe('413 {"error":"body larger than 16384 bytes"}');
  });
});
