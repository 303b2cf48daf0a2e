// Slack request signing (version 0), checked by Bolt's own verifySlackRequest; this wrapper only turns its
// failure into the reason the 401 gives, and refuses a malformed header before Bolt sees it.
import { verifySlackRequest } from "@slack/bolt";

const FUTURE_TOLERANCE_SECONDS = 300;
const STALE = "X-Slack-Request-Timestamp outside the 5-minute window";

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
  if (!signature) return { ok: false, reason: "missing X-Slack-Signature" };
  // Bolt refuses only timestamps too far in the past; one from the future is no better.
  if (Number(timestamp) - nowSeconds > FUTURE_TOLERANCE_SECONDS)
    return { ok: false, reason: STALE };
  try {
    verifySlackRequest({
      signingSecret,
      body: rawBody,
      headers: { "x-slack-signature": signature, "x-slack-request-timestamp": Number(timestamp) },
      nowMilliseconds: nowSeconds * 1000,
    });
    return { ok: true };
  } catch (err) {
    const stale = /stale|minutes/.test(err instanceof Error ? err.message : "");
    return {
      ok: false,
      reason: stale ? STALE : "bad X-Slack-Signature",
    };
  }
}
