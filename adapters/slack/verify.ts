// Slack request signing, version 0: X-Slack-Signature = "v0=" + hex HMAC-SHA256(signing secret, "v0:<timestamp>:<raw body>").
import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack's own replay window: a request whose timestamp is further than this from now is refused. */
export const SLACK_TOLERANCE_SECONDS = 300;

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifySlackSignature(
  signingSecret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SlackSignatureCheck {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "missing or malformed X-Slack-Request-Timestamp" };
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_TOLERANCE_SECONDS)
    return { ok: false, reason: "X-Slack-Request-Timestamp outside the 5-minute window" };
  if (!signature) return { ok: false, reason: "missing X-Slack-Signature" };
  const expected = Buffer.from(
    "v0=" + createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex"),
  );
  const given = Buffer.from(signature);
  // Constant time; the length is public (always "v0=" + 64 hex characters).
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "bad X-Slack-Signature" };
  return { ok: true };
}
