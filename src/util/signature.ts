// HMAC request signing shared by inbound API authentication and outbound webhook callbacks:
// X-Chatrec-Timestamp: <unix seconds>, X-Chatrec-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">.
import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "x-chatrec-timestamp";
export const SIGNATURE_HEADER = "x-chatrec-signature";
/** Requests older or newer than this are refused, so a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signPayload(
  secret: string,
  timestamp: number | string,
  body: string | Buffer,
): string {
  return "v1=" + createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex");
}

/** Headers for a signed request (or callback) carrying `body`. */
export function signedHeaders(
  secret: string,
  body: string | Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    [TIMESTAMP_HEADER]: String(nowSeconds),
    [SIGNATURE_HEADER]: signPayload(secret, nowSeconds, body),
  };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** What is wrong with the signing headers before any HMAC is computed (so a request can be refused before its body is read). */
export function signatureHeadersProblem(
  timestamp: string | undefined,
  signature: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): string | undefined {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return `missing or malformed ${TIMESTAMP_HEADER} (the unix time in seconds)`;
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS)
    return "timestamp outside the 5-minute window";
  if (!signature) return `missing ${SIGNATURE_HEADER}`;
  return undefined;
}

export function verifySignature(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string | Buffer,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const problem = signatureHeadersProblem(timestamp, signature, nowSeconds);
  if (problem !== undefined) return { ok: false, reason: problem };
  // Both headers are present: signatureHeadersProblem said so.
  const expected = Buffer.from(signPayload(secret, timestamp!, body));
  // Hex digits in either case (some languages print them upper-case); lower-casing does not depend on the secret.
  const given = Buffer.from(signature!.toLowerCase());
  // Constant-time comparison; lengths are not secret (always "v1=" + 64 hex characters).
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad signature" };
  return { ok: true };
}
