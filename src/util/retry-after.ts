// How long a server asks us to wait before retrying, from its answer's headers: `retry-after-ms` (OpenAI),
// else `Retry-After` as delay-seconds (fractions allowed) or an HTTP date.

/** Milliseconds from `now`, at most `capMs`; undefined when neither header is present and readable. */
export function retryAfterMs(
  headers: Pick<Headers, "get"> | undefined,
  capMs = Infinity,
  now = Date.now(),
): number | undefined {
  const cap = (ms: number) => Math.min(capMs, Math.max(0, ms));
  const ms = Number(headers?.get("retry-after-ms")?.trim() || Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return cap(ms);
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return cap(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? cap(at - now) : undefined;
}
