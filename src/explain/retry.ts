// Retries on 429 / 5xx / connection errors, but only while the time budget still leaves room for an attempt.
// (The openai client's own retries sleep without watching the abort signal, so they are switched off.)
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { withRetries } from "../util/retry.ts";
import { retryAfterMs } from "../util/retry-after.ts";

const BASE_DELAY_MS = 100;
/** A retry that would start with less than this left of the budget is not worth making. */
const MIN_ATTEMPT_MS = 150;

/** The LLM call, retried while the time budget still leaves room for an attempt. */
export function withLlmRetries<T>(
  deadline: number,
  signal: AbortSignal,
  attempt: () => Promise<T>,
): Promise<T> {
  return withRetries(attempt, {
    delayMs: (err, n) => retryDelayMs(err, n - 1),
    deadline,
    minAttemptMs: MIN_ATTEMPT_MS,
    signal,
  });
}

/** How long to wait before retrying `err`, or undefined when it is not worth retrying. */
export function retryDelayMs(err: unknown, attempt: number): number | undefined {
  if (err instanceof APIUserAbortError || err instanceof APIConnectionTimeoutError)
    return undefined;
  const backoff = BASE_DELAY_MS * 2 ** attempt * (0.75 + Math.random() * 0.25);
  if (err instanceof APIConnectionError) return backoff;
  if (err instanceof APIError && (err.status === 429 || (err.status ?? 0) >= 500))
    return retryAfterMs(err.headers) ?? backoff;
  return undefined;
}
