// API authentication over real HTTP: HMAC-signed /v1 requests, the web chat page's same-origin session,
// loopback-only without a secret.
import { NEW_SESSIONS_PER_MINUTE } from "../adapters/webhook/auth.ts";
import { TurnHost } from "../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer } from "../research/bench/server-child.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";
import { signedHeaders } from "../src/util/signature.ts";

const SECRET = "test-secret-0123456789abcdef";
const dir = mkdtempSync(join(tmpdir(), "chatrec-auth-"));
let bot: Bot;
const apps: FastifyInstance[] = [];
let signedOnly: string; // secret set, web chat not enabled
let withPage: string; // secret set, CHATREC_WEB_CHAT=1
let open: string; // no secret

beforeAll(async () => {
  bot = await Bot.create(loadConfig({}, { dataDir: dir, commitIntervalMs: 1 }));
  const start = async (security: Parameters<typeof buildServer>[1]["security"]) => {
    const app = buildServer(new TurnHost(bot), { maxBodyBytes: 16_384, security });
    apps.push(app);
    return app.listen({ port: 0, host: "127.0.0.1" });
  };
  signedOnly = await start({ webhookSecret: SECRET });
  withPage = await start({ webhookSecret: SECRET, webChat: true });
  open = await start({});
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = { "content-type": "application/json" };
const message = (id: string, text = "I loved The Matrix") => JSON.stringify({ user: { id }, text });
async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

describe("HMAC-signed API requests", () => {
  it("accepts signed requests: POST over the raw body, GET and DELETE over the empty body", async () => {
    const body = message("signed-1");
    const res = await fetch(`${signedOnly}/v1/messages`, {
      method: "POST",
      headers: { ...json, ...signedHeaders(SECRET, body) },
      body,
    });
    expect(res.status).toBe(200);
    const exported = await fetch(`${signedOnly}/v1/users/signed-1/export`, {
      headers: signedHeaders(SECRET, ""),
    });
    expect(exported.status).toBe(200);
    expect(((await exported.json()) as { events: unknown[] }).events).toHaveLength(1);
    expect(
      (
        await fetch(`${signedOnly}/v1/users/signed-1`, {
          method: "DELETE",
          headers: signedHeaders(SECRET, ""),
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await fetch(`${signedOnly}/v1/users/signed-1/profile`, {
          headers: signedHeaders(SECRET, ""),
        })
      ).status,
    ).toBe(404);
  });

  it("refuses everything else with 401 and a reason", async () => {
    const body = message("signed-2");
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{}, body, /missing or malformed x-chatrec-timestamp/],
      [{ "x-chatrec-timestamp": String(now) }, body, /missing x-chatrec-signature/],
      [signedHeaders("another-secret-0123456789", body), body, /bad signature/],
      [signedHeaders(SECRET, body), message("someone-else"), /bad signature/], // body changed after signing
      // 30 s beyond the window either side: `now` is read before the requests, and seconds pass on a busy machine
      // (with 301, a request sent one second later was inside the window again).
      [signedHeaders(SECRET, body, now - 330), body, /5-minute window/],
      [signedHeaders(SECRET, body, now + 330), body, /5-minute window/],
      [{ ...signedHeaders(SECRET, body), "x-chatrec-signature": "v1=00" }, body, /bad signature/],
      [{ ...signedHeaders(SECRET, body), "x-chatrec-timestamp": "12abc" }, body, /malformed/],
    ];
    for (const [headers, sent, reason] of cases) {
      const res = await fetch(`${signedOnly}/v1/messages`, {
        method: "POST",
        headers: { ...json, ...headers },
        body: sent,
      });
      expect(res.status).toBe(401);
      expect(await errorOf(res)).toMatch(reason);
    }
    // A GET signed over a non-empty body, and an unsigned GET / DELETE, are refused too.
    expect(
      (await fetch(`${signedOnly}/v1/users/x/profile`, { headers: signedHeaders(SECRET, "x") }))
        .status,
    ).toBe(401);
    expect((await fetch(`${signedOnly}/v1/users/x`, { method: "DELETE" })).status).toBe(401);
    // Authentication comes before input checks: an unsigned bad body learns only "401".
    expect(
      (await fetch(`${signedOnly}/v1/messages`, { method: "POST", headers: json, body: "{oops" }))
        .status,
    ).toBe(401);
    const signedBad = await fetch(`${signedOnly}/v1/messages`, {
      method: "POST",
      headers: { ...json, ...signedHeaders(SECRET, "{oops") },
      body: "{oops",
    });
    expect(signedBad.status).toBe(400);
    // /health stays open.
    expect((await fetch(`${signedOnly}/health`)).status).toBe(200);
  });

  it("judges a request by the route it reaches, not by how its path is spelt (percent-escapes, unknown paths)", async () => {
    const body = message("escaped");
    // The router decodes %76 to "v": these ARE /v1/messages, /v1/users/:id/export and DELETE /v1/users/:id.
    const spellings: Array<[string, string, string | undefined]> = [
      ["POST", "/%761/messages", body],
      ["POST", "/v1/%6Dessages", body],
      ["GET", "/v1/users/escaped/%65xport", undefined],
      ["GET", "/%761/users/escaped/profile", undefined],
      ["DELETE", "/%761/users/escaped", undefined],
    ];
    for (const [method, path, sent] of spellings) {
      const res = await fetch(`${signedOnly}${path}`, {
        method,
        headers: json,
        ...(sent ? { body: sent } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    // Signed, the same spelling works like the plain path.
    const signed = await fetch(`${signedOnly}/%761/messages`, {
      method: "POST",
      headers: { ...json, ...signedHeaders(SECRET, body) },
      body,
    });
    expect(signed.status).toBe(200);
    // Unknown paths under any spelling answer 401 unsigned and 404 signed: nothing is learnt without the secret.
    expect((await fetch(`${signedOnly}/v1/nothing-here`)).status).toBe(401);
    expect((await fetch(`${signedOnly}/nothing-here`)).status).toBe(401);
    expect(
      (await fetch(`${signedOnly}/v1/nothing-here`, { headers: signedHeaders(SECRET, "") })).status,
    ).toBe(404);
  });

  it("accepts the hex digits in upper case, and a signed request carrying a stray cookie", async () => {
    const body = message("upper");
    const headers = signedHeaders(SECRET, body);
    headers["x-chatrec-signature"] = "v1=" + headers["x-chatrec-signature"]!.slice(3).toUpperCase();
    expect(
      (
        await fetch(`${signedOnly}/v1/messages`, {
          method: "POST",
          headers: { ...json, ...headers },
          body,
        })
      ).status,
    ).toBe(200);
    const withCookie = await fetch(`${withPage}/v1/messages`, {
      method: "POST",
      headers: { ...json, ...signedHeaders(SECRET, body), cookie: "chatrec_session=stale.1.x" },
      body,
    });
    expect(withCookie.status).toBe(200);
  });
});

describe("web chat page with a secret", () => {
  it("is not served unless enabled", async () => {
    const res = await fetch(`${signedOnly}/`);
    expect(res.status).toBe(404);
    expect(await errorOf(res)).toMatch(/CHATREC_WEB_CHAT=1/);
  });

  it("when enabled, GET / sets an HttpOnly SameSite=Strict session accepted only same-origin, scoped to its visitor", async () => {
    const page = await fetch(`${withPage}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>chatrec</title>");
    const setCookie = page.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(
      /^chatrec_session=[\w-]+\.\d+\.[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    const cookie = setCookie.split(";")[0]!;
    const origin = withPage;

    const ok = await fetch(`${withPage}/v1/messages`, {
      method: "POST",
      headers: { ...json, cookie, origin },
      body: message("visitor"),
    });
    expect(ok.status).toBe(200);
    const crossSite = await fetch(`${withPage}/v1/messages`, {
      method: "POST",
      headers: { ...json, cookie, origin: "https://evil.example" },
      body: message("visitor"),
    });
    expect(crossSite.status).toBe(401);
    expect(await errorOf(crossSite)).toMatch(/same-origin/);
    expect(
      (
        await fetch(`${withPage}/v1/messages`, {
          method: "POST",
          headers: { ...json, cookie },
          body: message("visitor"),
        })
      ).status,
    ).toBe(401);
    const forged = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect(
      (
        await fetch(`${withPage}/v1/messages`, {
          method: "POST",
          headers: { ...json, cookie: forged, origin },
          body: message("visitor"),
        })
      ).status,
    ).toBe(401);

    // The session sees its own person; the same user id through the signed API or another session is someone else.
    const mine = await fetch(`${withPage}/v1/users/visitor/export`, {
      headers: { cookie, "sec-fetch-site": "same-origin" },
    });
    expect(mine.status).toBe(200);
    expect(((await mine.json()) as { events: unknown[] }).events).toHaveLength(1);
    expect(
      (await fetch(`${withPage}/v1/users/visitor/export`, { headers: signedHeaders(SECRET, "") }))
        .status,
    ).toBe(404);
    const other = (await fetch(`${withPage}/`)).headers.get("set-cookie")!.split(";")[0]!;
    expect(other).not.toBe(cookie);
    expect(
      (
        await fetch(`${withPage}/v1/users/visitor/export`, {
          headers: { cookie: other, "sec-fetch-site": "same-origin" },
        })
      ).status,
    ).toBe(404);
    // Behind a TLS-terminating proxy the cookie is Secure; the page cannot be framed by another site.
    expect(
      (await fetch(`${withPage}/`, { headers: { "x-forwarded-proto": "https" } })).headers.get(
        "set-cookie",
      ),
    ).toMatch(/; Secure$/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    // A returning visitor keeps the session it has.
    expect(
      (await fetch(`${withPage}/`, { headers: { cookie } })).headers
        .get("set-cookie")!
        .split(";")[0],
    ).toBe(cookie);
    // Signed API calls still work on this server.
    const body = message("api-person");
    expect(
      (
        await fetch(`${withPage}/v1/messages`, {
          method: "POST",
          headers: { ...json, ...signedHeaders(SECRET, body) },
          body,
        })
      ).status,
    ).toBe(200);
  });
});

describe("without a secret", () => {
  it("serves the page and the API, but only to loopback host names", async () => {
    expect((await fetch(`${open}/`)).status).toBe(200);
    expect(
      (
        await fetch(`${open}/v1/messages`, {
          method: "POST",
          headers: json,
          body: message("open-1"),
        })
      ).status,
    ).toBe(200);
    const port = new URL(open).port;
    const viaHost = (host: string, path = "/v1/users/open-1/profile") =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    expect(await viaHost(`localhost:${port}`)).toBe(200);
    expect(await viaHost(`attacker.example:${port}`)).toBe(403); // DNS rebinding
    expect(await viaHost(`attacker.example:${port}`, "/%761/users/open-1/profile")).toBe(403); // however the path is spelt
    expect(await viaHost(`attacker.example:${port}`, "/health")).toBe(200);
  });

  it("refuses to start on a non-loopback address with a clear error", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "chatrec-auth-host-"));
    try {
      await expect(spawnServer({ CHATREC_DATA_DIR: tmp, HOST: "0.0.0.0" })).rejects.toThrow(
        /refusing to listen on 0\.0\.0\.0 without CHATREC_WEBHOOK_SECRET/,
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("web chat sessions and the rate limit", () => {
  it("a fresh cookie does not reset the limit: new sessions are limited per address", async () => {
    const app = buildServer(new TurnHost(bot), {
      maxBodyBytes: 16_384,
      security: { webhookSecret: SECRET, webChat: true, ratePerMinute: 6, rateBurst: 3 },
    });
    apps.push(app);
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    const statuses: number[] = [];
    // An attacker loads the page before every post to get a fresh session each time.
    for (let i = 0; i < 30; i++) {
      const page = await fetch(`${base}/`);
      if (page.status !== 200) {
        statuses.push(page.status);
        continue;
      }
      const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0]!;
      const res = await fetch(`${base}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, origin: base },
        body: JSON.stringify({ user: { id: "reset" }, text: "I like westerns" }),
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(NEW_SESSIONS_PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - NEW_SESSIONS_PER_MINUTE);
    const refused = await fetch(`${base}/`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { error: string }).error).toMatch(/new web chat sessions/);
  });
});
