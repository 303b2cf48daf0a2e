// Property-based tests: generated bodies, bytes, paths and texts thrown at the real HTTP server and at the
// pipeline. Whatever comes in: never a 5xx, never a throw, and every answer is well-formed.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Replay } from "../src/replay.ts";
import type { OutgoingReply } from "../src/types.ts";
import { startApiServer, type ApiServer } from "./support/api-server.ts";

let server: ApiServer;
let bot: Replay;
let base: string;

beforeAll(async () => {
  server = await startApiServer({ commitIntervalMs: 1 });
  ({ bot, base } = server);
});
afterAll(() => server.close());

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any string: every UTF-16 code unit can appear, so control characters and lone surrogates do. */
const anyString = (maxLength = 60) =>
  fc.oneof(
    fc.string({ unit: "binary", maxLength }),
    fc.string({ unit: "grapheme", maxLength }),
    fc.constantFrom(
      "",
      " ",
      "\u0000",
      "\ud800",
      "\udfff x",
      "\u202e evil",
      "e\u0301",
      "\r\n\t",
      "😀".repeat(3),
    ),
  );
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e308, -1e308, 2 ** 53 + 1, 5.5, 20, 21),
);
const anyJson = fc.jsonValue({ maxDepth: 4 });

function expectWellFormedReply(data: {
  reply: string;
  recommendations: unknown[];
  interests: unknown[];
}): void {
  expect(typeof data.reply).toBe("string");
  expect(data.reply.length).toBeGreaterThan(0);
  expect(LONE_SURROGATE.test(data.reply)).toBe(false);
  for (const r of data.recommendations as Array<{
    id: string;
    title: string;
    score: number;
    reasons: Array<{ code: string; text: string }>;
  }>) {
    expect(bot.catalog.item(r.id)?.title).toBe(r.title);
    expect(Number.isFinite(r.score)).toBe(true);
    for (const reason of r.reasons)
      expect(typeof reason.code === "string" && typeof reason.text === "string").toBe(true);
  }
  for (const i of data.interests as Array<{ label: string; weight: number }>)
    expect(typeof i.label === "string" && Number.isFinite(i.weight)).toBe(true);
}

/** Sends a request; checks no 5xx, a JSON error with a reason on 4xx, a well-formed reply on 200. */
async function expectClearAnswer(path: string, init: RequestInit): Promise<number> {
  const res = await fetch(base + path, init);
  const text = await res.text();
  expect(res.status, `${init.method ?? "GET"} ${path} -> ${res.status} ${text}`).toBeLessThan(500);
  if (res.status === 204) return res.status;
  const data = JSON.parse(text) as {
    error?: unknown;
    reply: string;
    recommendations: unknown[];
    interests: unknown[];
  };
  if (res.status >= 400)
    expect(typeof data.error === "string" && data.error.length > 3, text).toBe(true);
  else if (path === "/v1/messages" || path === "/v1/feedback") expectWellFormedReply(data);
  return res.status;
}

const postJson = (body: string | Uint8Array, contentType = "application/json"): RequestInit => ({
  method: "POST",
  headers: { "content-type": contentType },
  body: typeof body === "string" ? body : new Blob([Buffer.from(body)]),
});

describe("generated input against the real HTTP server", () => {
  it("random JSON values as bodies of every POST endpoint", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/messages", "/v1/feedback"),
        anyJson,
        async (path, body) => {
          await expectClearAnswer(path, postJson(JSON.stringify(body)));
        },
      ),
      { numRuns: 120 },
    );
  });

  it("message bodies of the right shape with hostile strings and numbers", async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            // Half plain ids and sensible limits, so that many bodies reach the pipeline, not only the validator.
            user: fc.record(
              {
                id: fc.oneof(fc.stringMatching(/^[\w-]{1,30}$/), anyString(40)),
                name: anyString(20),
              },
              { requiredKeys: ["id"] },
            ),
            text: anyString(200),
            messageId: fc.oneof(fc.uuid(), anyString(20)),
            conversationId: anyString(20),
            limit: fc.oneof(fc.integer({ min: 1, max: 20 }), anyNumber),
          },
          { requiredKeys: ["user", "text"] },
        ),
        async (body) => {
          statuses.add(await expectClearAnswer("/v1/messages", postJson(JSON.stringify(body))));
        },
      ),
      { numRuns: 80 },
    );
    // The generator reaches the pipeline as well as the validator.
    expect(statuses.has(200)).toBe(true);
    expect(statuses.has(400)).toBe(true);
  });

  it("feedback with generated item ids and signals", async () => {
    const known = bot.catalog.items.slice(0, 50).map((i) => i.id);
    await fc.assert(
      fc.asyncProperty(
        anyString(20),
        fc.oneof(fc.constantFrom(...known), anyString(10)),
        fc.oneof(fc.constantFrom("like", "dislike", "seen", "click"), anyString(6)),
        async (id, itemId, signal) => {
          await expectClearAnswer(
            "/v1/feedback",
            postJson(JSON.stringify({ user: { id }, itemId, signal })),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("raw bytes, broken UTF-8, odd content types and oversized bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ unit: "binary", maxLength: 300 }).map((s) => new TextEncoder().encode(s)),
          fc.integer({ min: 16_000, max: 40_000 }).map((n) => new Uint8Array(n).fill(0x7b)),
        ),
        fc.constantFrom(
          "application/json",
          "application/json; charset=utf-8",
          "application/json; charset=latin1",
          "text/plain",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/vnd.api+json",
        ),
        fc.constantFrom("/v1/messages", "/v1/feedback"),
        async (bytes, contentType, path) => {
          const status = await expectClearAnswer(path, postJson(bytes, contentType));
          expect(status).toBeGreaterThanOrEqual(400);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("generated user ids in paths (percent-encoded bytes) for profile, export and forget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.constantFrom("profile", "export", "delete"),
        async (bytes, what) => {
          const id = Array.from(bytes, (b) => "%" + b.toString(16).padStart(2, "0")).join("");
          const path = what === "delete" ? `/v1/users/${id}` : `/v1/users/${id}/${what}`;
          const status = await expectClearAnswer(path, {
            method: what === "delete" ? "DELETE" : "GET",
          });
          // 200 only for someone an earlier property created (a short id such as "a").
          expect(what === "delete" ? [204, 400] : [200, 400, 404]).toContain(status);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("clear reasons for the classic mistakes", async () => {
    const cases: Array<[RequestInit, number, RegExp]> = [
      [postJson("{not json"), 400, /invalid JSON/],
      [postJson(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, /UTF-8/],
      [postJson('{"user":{"id":"a"},"text":"hi"}', "text/plain"), 415, /content-type/],
      [
        {
          method: "POST",
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          body: '{"user":{"id":"a"},"text":"hi"}',
        },
        415,
        /content-encoding gzip/,
      ],
      [
        postJson(JSON.stringify({ user: { id: "a" }, text: "hi", limt: 3 })),
        400,
        /unknown field "limt"/,
      ],
      [
        postJson(JSON.stringify({ user: { id: "a\u0000b" }, text: "hi" })),
        400,
        /user\.id must not contain control characters/,
      ],
      [postJson(JSON.stringify({ user: { id: "a\ud800" }, text: "hi" })), 400, /lone surrogates/],
      [
        postJson(JSON.stringify({ user: { id: "a" }, text: "\u0000\u0007\u001b" })),
        400,
        /text must not be empty/,
      ],
      [postJson(JSON.stringify({ user: { id: "a" }, text: "hi", limit: 1e308 })), 400, /limit/],
      [postJson(JSON.stringify({ user: { id: "a" }, text: 42 })), 400, /text/],
      [
        postJson('{"user":{"id":"a"},"text":"hi","__proto__":{"admin":true}}'),
        400,
        /unknown field "__proto__"/,
      ],
      [
        postJson("[".repeat(5000) + "]".repeat(5000)),
        400,
        /^the body must be a JSON object, not an array$/,
      ],
      [{ method: "POST", body: "" }, 400, /^the body is empty: send a JSON object$/],
      [postJson("null"), 400, /^the body must be a JSON object, not null$/],
      [
        postJson("{}"),
        400,
        /^user: missing \(must be an object\); text: missing \(must be a string\)$/,
      ],
      [
        postJson(JSON.stringify({ user: { id: 7 }, text: "hi" })),
        400,
        /^user\.id: must be a string, not 7$/,
      ],
      [
        postJson(JSON.stringify({ user: { id: "a" }, text: "hi", limit: 2.5 })),
        400,
        /^limit: must be an integer, not 2\.5$/,
      ],
      [
        postJson(JSON.stringify({ user: { id: "a" }, text: "hi", limit: "3" })),
        400,
        /^limit: must be a number, not a string$/,
      ],
      [{ method: "GET" }, 404, /no such endpoint/],
    ];
    for (const [init, status, reason] of cases) {
      const res = await fetch(base + "/v1/messages", init);
      const body = (await res.json()) as { error: string };
      expect(res.status, body.error).toBe(status);
      expect(body.error).toMatch(reason);
    }
    const feedback = await fetch(
      base + "/v1/feedback",
      postJson(JSON.stringify({ user: { id: "a" }, itemId: "1" })),
    );
    expect(((await feedback.json()) as { error: string }).error).toBe(
      'signal: missing (must be one of "like", "dislike", "seen", "click", "more")',
    );
    const blankPath = await fetch(base + "/v1/users/%20/profile");
    expect(((await blankPath.json()) as { error: string }).error).toBe(
      "the user id in the path must not be blank",
    );
    const badUrl = await fetch(base + "/v1/users/%E0%A4%A/profile");
    expect(badUrl.status).toBe(400);
    expect(((await badUrl.json()) as { error: string }).error).toMatch(/not a valid url/);
  });
});

describe("generated text at the pipeline (bot.handleMessage)", () => {
  it("never throws and always answers a well-formed reply", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyString(300),
          fc.constantFrom(
            "I loved The Matrix\u0000 and Inception\u202e",
            "more like the 99999999999999999999th one",
            "not that one",
            "why?",
            "after 1e308",
            "no " + "horror ".repeat(400),
            "ｉ ｌｏｖｅ ｓｃｉ-ｆｉ",
          ),
        ),
        fc.integer({ min: 0, max: 3 }),
        async (text, who) => {
          let reply: OutgoingReply;
          try {
            reply = await bot.handleMessage({
              user: { platform: "fuzz", id: `person-${who}` },
              text,
            });
          } catch (err) {
            throw new Error(`handleMessage threw for ${JSON.stringify(text)}: ${String(err)}`, {
              cause: err,
            });
          }
          expectWellFormedReply({
            reply: reply.text,
            recommendations: reply.recommendations,
            interests: reply.interests,
          });
          expect(reply.recommendations.length).toBeLessThanOrEqual(5);
        },
      ),
      { numRuns: 120 },
    );
  });
});
