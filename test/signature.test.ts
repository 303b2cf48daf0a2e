import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signedHeaders, signPayload, verifySignature } from "../src/util/signature.ts";

describe("request signatures", () => {
  const secret = "s3cret";
  const body = '{"text":"hi"}';

  it("is the documented HMAC-SHA256 of '<timestamp>.<body>'", () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(signPayload(secret, 1700000000, body)).toBe(`v1=${expected}`);
  });

  it("accepts a fresh signature and refuses tampering, other secrets, stale or missing headers", () => {
    const now = 1_800_000_000;
    const h = signedHeaders(secret, body, now);
    const ts = h["x-chatrec-timestamp"];
    const sig = h["x-chatrec-signature"];
    expect(verifySignature(secret, ts, sig, body, now)).toEqual({ ok: true });
    expect(verifySignature(secret, ts, sig, body + " ", now).ok).toBe(false);
    expect(verifySignature("other", ts, sig, body, now).ok).toBe(false);
    expect(verifySignature(secret, ts, sig, body, now + 301)).toEqual({
      ok: false,
      reason: "timestamp outside the 5-minute window",
    });
    expect(verifySignature(secret, undefined, sig, body, now).ok).toBe(false);
    expect(verifySignature(secret, ts, undefined, body, now).ok).toBe(false);
    expect(verifySignature(secret, "12abc", sig, body, now).ok).toBe(false);
    expect(verifySignature(secret, ts, "v1=" + sig!.slice(3).toUpperCase(), body, now)).toEqual({
      ok: true,
    }); // hex in either case
    expect(verifySignature(secret, String(now * 1000), sig, body, now)).toEqual({
      ok: false,
      reason: "missing or malformed x-chatrec-timestamp (the unix time in seconds)",
    });
  });
});
