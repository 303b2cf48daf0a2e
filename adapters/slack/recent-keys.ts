// Remembers recently seen delivery keys (Slack event ids, message timestamps) so a retried event is acted on once.
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  /** Slack retries for about five minutes; an hour covers that with room, and `max` bounds the memory. */
  constructor(
    private readonly ttlMs = 3_600_000,
    private readonly max = 50_000,
  ) {}

  /** True the first time a key is offered within the TTL; false for a repeat. */
  firstTime(key: string, now = Date.now()): boolean {
    // Insertion order is age order, so expiry stops at the first fresh entry.
    for (const [k, at] of this.seen) {
      if (now - at < this.ttlMs && this.seen.size < this.max) break;
      this.seen.delete(k);
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }
}
