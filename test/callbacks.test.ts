// Asynchronous replies (callbackUrl) over real HTTP: 202, a signed POST to a local receiver, retries with
// exponential backoff after 5xx and network errors, no retry after a 4xx, no redirect followed, bounded
// attempts, and refusals with reasons.
import { TurnHost } from "../adapters/host.ts";
import { createHmac } from "node:crypto";
import { rmSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATTEMPT_HEADER, DELIVERY_HEADER } from "../adapters/webhook/callbacks.ts";
import { retryAfterMs } from "../src/util/retry-after.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig, type CallbackConfig } from "../src/config.ts";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "../src/util/signature.ts";
import { seededDataDir } from "./support/adapter-driver.ts";
import { CallbackReceiver } from "./support/callback-receiver.ts";

const SECRET = "callback-secret-for-tests-0123456789";
const CALLBACKS: CallbackConfig = {
  hosts: ["127.0.0.1", "*.example.org"],
  secret: SECRET,
  attempts: 3,
  backoffMs: 40,
  timeoutMs: 2000,
};

let dir: string;
let bot: Bot;
const apps: FastifyInstance[] = [];
let base: string;
const receiver = new CallbackReceiver();

async function serve(callbacks: CallbackConfig): Promise<string> {
  const app = buildServer(new TurnHost(bot), { maxBodyBytes: 16_384, callbacks });
  apps.push(app);
  return app.listen({ port: 0, host: "127.0.0.1" });
}

beforeAll(async () => {
  dir = await seededDataDir("callbacks");
  bot = await Bot.create(loadConfig({}, { dataDir: dir, commitIntervalMs: 2 }));
  base = await serve(CALLBACKS);
  await receiver.start();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await bot.close();
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("webhook callbacks", () => {
  it("answers 202 at once and POSTs the signed reply to the callback URL", async () => {
    receiver.received.length = 0;
    const res = await post(`${base}/v1/messages`, {
      user: { id: "cb1" },
      text: "I loved Inception and The Matrix, no horror",
      callbackUrl: receiver.url,
      limit: 3,
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [got] = await receiver.count(1);
    expect(got!.headers[DELIVERY_HEADER]).toBe(res.body.id);
    const check = verifySignature(
      SECRET,
      got!.headers[TIMESTAMP_HEADER] as string,
      got!.headers[SIGNATURE_HEADER] as string,
      got!.raw,
    );
    expect(check).toEqual({ ok: true });
    // The documented scheme, written out here rather than through our own helper: v1=hex HMAC-SHA256("<ts>.<body>").
    const ts = got!.headers[TIMESTAMP_HEADER] as string;
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(got!.headers[SIGNATURE_HEADER]).toBe(
      `v1=${createHmac("sha256", SECRET).update(`${ts}.${got!.raw}`).digest("hex")}`,
    );
    expect(got!.headers["content-type"]).toBe("application/json");
    expect(
      verifySignature(
        "another-secret-entirely-0000",
        got!.headers[TIMESTAMP_HEADER] as string,
        got!.headers[SIGNATURE_HEADER] as string,
        got!.raw,
      ).ok,
    ).toBe(false);
    expect(got!.body).toMatchObject({
      id: res.body.id,
      reply: expect.stringContaining("Inception"),
      interests: expect.any(Array),
    });
    expect(got!.body.recommendations).toHaveLength(3);
    // The same shape as the synchronous answer.
    const sync = await post(`${base}/v1/messages`, {
      user: { id: "cb1-sync" },
      text: "I loved Inception and The Matrix, no horror",
      limit: 3,
    });
    expect(Object.keys(got!.body).sort()).toEqual(["id", ...Object.keys(sync.body)].sort());
  });

  it("retries after a 500 with backoff, signing each attempt", async () => {
    receiver.received.length = 0;
    receiver.script = [500];
    const first = (await (
      await fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: { id: "cb2" }, text: "funny animated movies" }),
      })
    ).json()) as { recommendations: Array<{ id: string }> };
    const res = await post(`${base}/v1/feedback`, {
      user: { id: "cb2" },
      itemId: first.recommendations[0]!.id,
      signal: "dislike",
      callbackUrl: receiver.url,
    });
    expect(res.status).toBe(202);
    const got = await receiver.count(2);
    expect(got).toHaveLength(2);
    expect(got.map((r) => r.headers[ATTEMPT_HEADER])).toEqual(["1", "2"]);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(CALLBACKS.backoffMs - 5);
    for (const r of got)
      expect(
        verifySignature(
          SECRET,
          r.headers[TIMESTAMP_HEADER] as string,
          r.headers[SIGNATURE_HEADER] as string,
          r.raw,
        ),
      ).toEqual({ ok: true });
    expect((got[1]!.body.recommendations as Array<{ id: string }>).map((r) => r.id)).not.toContain(
      first.recommendations[0]!.id,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.received).toHaveLength(2);
  });

  it("waits as long as the receiver's Retry-After asks (longer than the backoff), then delivers", async () => {
    receiver.received.length = 0;
    receiver.script = [{ status: 429, headers: { "retry-after": "1" } }];
    const res = await post(`${base}/v1/messages`, {
      user: { id: "cb7" },
      text: "space adventures",
      callbackUrl: receiver.url,
    });
    expect(res.status).toBe(202);
    const got = await receiver.count(2);
    expect(got.map((r) => r.headers[ATTEMPT_HEADER])).toEqual(["1", "2"]);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(995); // not the 40 ms backoff
    const h = (init: Record<string, string>) => new Headers(init);
    expect(retryAfterMs(h({ "retry-after": "120" }), 60_000)).toBe(60_000); // capped
    expect(retryAfterMs(h({ "retry-after": "1.5" }))).toBe(1500);
    expect(retryAfterMs(h({ "retry-after-ms": "250", "retry-after": "9" }))).toBe(250);
    expect(
      retryAfterMs(h({ "retry-after": new Date(Date.now() + 5_000).toUTCString() })),
    ).toBeGreaterThan(3_000);
    expect(retryAfterMs(h({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMs(h({}))).toBeUndefined();
  });

  it("retries after a network error (connection dropped without an answer)", async () => {
    receiver.received.length = 0;
    receiver.script = [0];
    const res = await post(`${base}/v1/messages`, {
      user: { id: "cb6" },
      text: "heist movies",
      callbackUrl: receiver.url,
    });
    expect(res.status).toBe(202);
    const got = await receiver.count(2);
    expect(got.map((r) => r.headers[ATTEMPT_HEADER])).toEqual(["1", "2"]);
    expect(got[1]!.body.id).toBe(res.body.id);
  });

  it("gives up after the configured attempts, waiting twice as long before each further retry, and does not retry a 4xx", async () => {
    receiver.received.length = 0;
    receiver.script = [503, 502, 500, 500];
    expect(
      (
        await post(`${base}/v1/messages`, {
          user: { id: "cb3" },
          text: "space adventures",
          callbackUrl: receiver.url,
        })
      ).status,
    ).toBe(202);
    const got = await receiver.count(3);
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(CALLBACKS.backoffMs - 5);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(2 * CALLBACKS.backoffMs - 5);
    expect(got.map((r) => r.headers[ATTEMPT_HEADER])).toEqual(["1", "2", "3"]);
    expect(new Set(got.map((r) => r.body.id)).size).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received).toHaveLength(CALLBACKS.attempts);

    receiver.received.length = 0;
    receiver.script = [410];
    expect(
      (
        await post(`${base}/v1/messages`, {
          user: { id: "cb3" },
          text: "space adventures",
          callbackUrl: receiver.url,
        })
      ).status,
    ).toBe(202);
    await receiver.count(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received).toHaveLength(1);
  });

  it("does not follow a redirect, not even to an allowed host", async () => {
    receiver.received.length = 0;
    receiver.script = [{ status: 307, headers: { location: `${receiver.url}/elsewhere` } }];
    expect(
      (
        await post(`${base}/v1/messages`, {
          user: { id: "cb7" },
          text: "westerns",
          callbackUrl: receiver.url,
        })
      ).status,
    ).toBe(202);
    await receiver.count(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.received.map((r) => r.path)).toEqual(["/hook"]);
  });

  it("refuses callbacks to hosts off the allow-list, insecure or malformed URLs, with a 400 and a reason", async () => {
    receiver.received.length = 0;
    const cases: Array<[string, RegExp]> = [
      [
        "https://evil.example.com/hook",
        /host evil\.example\.com is not on this server's allow-list/,
      ],
      ["http://api.example.org/hook", /must use https/],
      ["https://user:pw@api.example.org/hook", /credentials/],
      ["not a url", /not a valid URL/],
      [
        `${receiver.url.replace("127.0.0.1", "localhost")}`,
        /host localhost is not on this server's allow-list/,
      ],
    ];
    for (const [callbackUrl, reason] of cases) {
      const res = await post(`${base}/v1/messages`, {
        user: { id: "cb4" },
        text: "hi",
        callbackUrl,
      });
      expect(res.status, callbackUrl).toBe(400);
      expect(String(res.body.error)).toMatch(reason);
    }
    const unknown = await post(`${base}/v1/feedback`, {
      user: { id: "cb4" },
      itemId: "no-such-item",
      signal: "like",
      callbackUrl: receiver.url,
    });
    expect(unknown.status).toBe(404);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(0);
  });

  it("with no allowed host or no secret, callbacks are disabled with a clear 400", async () => {
    const noHosts = await serve({ ...CALLBACKS, hosts: [] });
    const noSecret = await serve({
      hosts: ["127.0.0.1"],
      attempts: 3,
      backoffMs: 10,
      timeoutMs: 1000,
    });
    const a = await post(`${noHosts}/v1/messages`, {
      user: { id: "cb5" },
      text: "hi",
      callbackUrl: receiver.url,
    });
    expect(a).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/callbacks are disabled.*CHATREC_CALLBACK_HOSTS/) },
    });
    const b = await post(`${noSecret}/v1/messages`, {
      user: { id: "cb5" },
      text: "hi",
      callbackUrl: receiver.url,
    });
    expect(b).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/callbacks are disabled.*CHATREC_CALLBACK_SECRET/) },
    });
  });

  it("reads its settings from the environment", () => {
    const c = loadConfig({
      CHATREC_CALLBACK_HOSTS: " Hooks.Example.com, *.corp.example ,",
      CHATREC_CALLBACK_SECRET: SECRET,
      CHATREC_CALLBACK_ATTEMPTS: "4",
    }).callbacks;
    expect(c).toMatchObject({
      hosts: ["hooks.example.com", "*.corp.example"],
      secret: SECRET,
      attempts: 4,
      backoffMs: 500,
    });
    expect(
      loadConfig({ CHATREC_WEBHOOK_SECRET: "the-api-secret-0123456789" }).callbacks.secret,
    ).toBe("the-api-secret-0123456789");
    expect(loadConfig({}).callbacks).toMatchObject({ hosts: [] });
    expect(loadConfig({}).callbacks.secret).toBeUndefined();
    expect(() =>
      loadConfig({ CHATREC_CALLBACK_SECRET: "short", CHATREC_CALLBACK_HOSTS: "a.example" }),
    ).toThrow(/CHATREC_CALLBACK_SECRET/);
  });

  it("half-configured callbacks or a malformed host stop the start with the variable named", () => {
    expect(() => loadConfig({ CHATREC_CALLBACK_HOSTS: "hooks.example.com" })).toThrow(
      /CHATREC_CALLBACK_SECRET is missing: CHATREC_CALLBACK_HOSTS is set/,
    );
    expect(() => loadConfig({ CHATREC_CALLBACK_SECRET: SECRET })).toThrow(
      /CHATREC_CALLBACK_HOSTS is missing: CHATREC_CALLBACK_SECRET is set/,
    );
    for (const bad of [
      "https://hooks.example.com",
      "hooks.example.com:8443",
      "hooks.example.com/path",
      "*.",
      "*",
    ]) {
      expect(
        () => loadConfig({ CHATREC_CALLBACK_HOSTS: bad, CHATREC_CALLBACK_SECRET: SECRET }),
        bad,
      ).toThrow(/CHATREC_CALLBACK_HOSTS: .* is not a host name/);
    }
    expect(
      loadConfig({
        CHATREC_CALLBACK_HOSTS: "127.0.0.1,[::1],*.example.org",
        CHATREC_WEBHOOK_SECRET: SECRET,
      }).callbacks.hosts,
    ).toEqual(["127.0.0.1", "[::1]", "*.example.org"]);
  });
});
