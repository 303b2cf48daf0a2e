// The one retry loop: an attempt is retried after the wait its policy gives for the error, until the
// policy says no (undefined), the attempts or the time budget run out, or the signal aborts.
import { sleep } from "./sleep.ts";

export interface RetryPolicy {
  /** How long to wait before retrying after `err` on attempt `attempt` (1-based), or undefined: give up. */
  delayMs(err: unknown, attempt: number): number | undefined;
  /** At most this many attempts (default: no limit but the deadline). */
  attempts?: number;
  /** No retry that would start later than this (ms since the epoch) minus `minAttemptMs`. */
  deadline?: number;
  minAttemptMs?: number;
  /** Aborting stops the waiting; the last error is then thrown. */
  signal: AbortSignal;
  /** Told before each wait (for a log line). */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

export async function withRetries<T>(
  run: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
): Promise<T> {
  const { attempts = Infinity, deadline = Infinity, minAttemptMs = 0, signal } = policy;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (err) {
      const wait = policy.delayMs(err, attempt);
      if (
        wait === undefined ||
        attempt >= attempts ||
        signal.aborted ||
        Date.now() + wait + minAttemptMs > deadline
      )
        throw err;
      policy.onRetry?.(err, attempt, wait);
      await sleep(wait, signal);
      if (signal.aborted) throw err;
    }
  }
}
