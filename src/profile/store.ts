// Profiles: events (one per processed message or feedback) are the durable record. A turn's event is
// appended to a write-ahead log on local disk (group-committed, fdatasync'd) and the reply waits only for
// that; in the background the log is moved into LanceDB's `events` table in batches, profile snapshots
// (which only shorten the replay at load) are written, and the tables are compacted on a schedule. After a
// crash the log is replayed into LanceDB on open, so an acknowledged event is never lost.
//
// People's state is kept in memory (bounded LRU). That is correct because this store is the only writer for
// the people it serves: with several replicas, route each person to one store (see docs/architecture.md).
import * as lancedb from "@lancedb/lancedb";
import { Field, Float64, Int64, Schema, Utf8 } from "apache-arrow";
import type { FileHandle } from "node:fs/promises";
import { z } from "zod";
import {
  applyEvent,
  deserialiseProfile,
  emptyProfile,
  serialiseProfile,
  type ItemLookup,
  type Profile,
  type ProfileEvent,
} from "./profile.ts";
import { isPersonKey } from "./keys.ts";
import { WriteAheadLog, type Damaged } from "./wal.ts";

const EVENTS = "events";
const PROFILES = "profiles";
const SNAPSHOT_INTERVAL_MS = 2_000;
/** Events past retention are also expired this often, so an idle server expires them too. */
const EXPIRY_INTERVAL_MS = 3_600_000;
/** A batch this large goes to LanceDB at once instead of waiting for the interval. */
const MAX_BATCH = 2_000;

const eventsSchema = new Schema([
  new Field("key", new Utf8(), false),
  new Field("seq", new Int64(), false),
  new Field("at", new Float64(), false),
  new Field("kind", new Utf8(), false),
  new Field("message_id", new Utf8(), true),
  new Field("data", new Utf8(), false),
]);

const profilesSchema = new Schema([
  new Field("key", new Utf8(), false),
  new Field("seq", new Int64(), false),
  new Field("updated_at", new Float64(), false),
  new Field("data", new Utf8(), false),
]);

interface EventRow {
  key: string;
  seq: number | bigint;
  at: number;
  kind: string;
  message_id: string | null;
  data: string;
}
/** What replay needs of a logged event; a line that is not one is skipped and reported, never fatal. */
const loggedEvent = z.object({
  key: z.string().refine(isPersonKey, "not a person key"),
  seq: z.number().int().nonnegative(),
  at: z.number(),
  kind: z.string(),
  message_id: z.string().nullable(),
  data: z.string().refine(isJsonObject, "not a JSON object"),
});

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function eventProblem(value: unknown): string | undefined {
  const parsed = loggedEvent.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `not an event: ${issue.path.join(".") || "record"}: ${issue.message}`;
}

/** What the last open found in the write-ahead log. */
export interface Recovery {
  replayed: number;
  skipped: Damaged[];
}

/** One warning line: how many log lines were skipped, and where (the first few). */
export function describeSkipped(skipped: readonly Damaged[]): string {
  const shown = skipped.slice(0, 10).map((d) => `${d.segment} line ${d.line} (${d.problem})`);
  const more = skipped.length > shown.length ? `; and ${skipped.length - shown.length} more` : "";
  return `write-ahead log: skipped ${skipped.length} damaged or unacknowledged line${skipped.length === 1 ? "" : "s"} at replay: ${shown.join("; ")}${more}`;
}

interface ProfileRow {
  key: string;
  seq: number | bigint;
  updated_at: number;
  data: string;
}

export interface StoreOptions {
  /** How often logged events are moved into LanceDB (ms). Replies never wait for it. */
  commitIntervalMs: number;
  compactEvery: number;
  retentionDays: number;
  labels: number;
  dim: number;
  /** Folder of the write-ahead log (local disk, inside the data folder). */
  walDir: string;
  /** People kept in memory; the least recently active are dropped first. */
  cacheLimit?: number;
  /** Where replay reports the log lines it skipped (console.warn when not given). */
  log?: (line: string) => void;
  /** Test-only: wraps the log's file handles to inject faults (ENOSPC). */
  walFaults?: (handle: FileHandle) => FileHandle;
}

export interface PersonState {
  profile: Profile;
  /** Each processed message id, with the sequence number of its event (idempotent delivery). */
  messageIds: Map<string, number>;
}

function assertKey(key: string): void {
  if (!isPersonKey(key)) throw new Error(`invalid person key`);
}

/**
 * A B-tree on `key`, so loading one person reads their rows, not the whole table. Rows added after it are
 * found by a scan of the newer fragments until the next compaction (optimize) folds them into the index.
 */
async function ensureKeyIndex(table: lancedb.Table): Promise<void> {
  if ((await table.listIndices()).some((i) => i.name === KEY_INDEX)) return;
  if ((await table.countRows()) === 0) return; // nothing to index yet: made at a later compaction
  await table.createIndex("key", { config: lancedb.Index.btree(), name: KEY_INDEX });
}

const KEY_INDEX = "key_idx";

const toLance = (rows: readonly EventRow[]) =>
  rows.map((r) => ({ ...r, seq: BigInt(r.seq) })) as unknown as Array<Record<string, unknown>>;

export class ProfileStore {
  private readonly cache = new Map<string, PersonState>();
  /** Logged events not yet handed to LanceDB, and the batch being added now. */
  private pending: EventRow[] = [];
  private inFlight: EventRow[] = [];
  /** Log segments whose events are all in `pending`/`inFlight` or LanceDB: deleted after the next batch. */
  private sealed: string[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<string>();
  /** The highest sequence number on disk in the log, per person: snapshots never run ahead of it. */
  private readonly durableSeq = new Map<string, number>();
  /** Serialises every write to LanceDB: batches, snapshots, compaction, deletes. */
  private writeChain: Promise<unknown> = Promise.resolve();
  private commitsSinceCompaction = 0;
  /**
   * People with rows the key indexes do not cover yet (written since the last compaction); undefined when
   * that is not known (rows of an earlier run not indexed yet, or no index yet). Anyone else is loaded from
   * the indexes alone: a load that also scanned the fragments written since the last compaction took about
   * 0.3 ms more for each.
   */
  private notIndexed: Set<string> | undefined;
  private closed = false;
  /** What the open found in the write-ahead log. */
  recovery: Recovery = { replayed: 0, skipped: [] };

  private constructor(
    private readonly db: lancedb.Connection,
    private readonly events: lancedb.Table,
    private readonly profiles: lancedb.Table,
    private readonly wal: WriteAheadLog<EventRow>,
    private readonly options: StoreOptions,
  ) {}

  /** Opens the tables and replays what a crashed process left in the log into LanceDB. */
  static async open(db: lancedb.Connection, options: StoreOptions): Promise<ProfileStore> {
    const names = await db.tableNames();
    const events = names.includes(EVENTS)
      ? await db.openTable(EVENTS)
      : await db.createEmptyTable(EVENTS, eventsSchema);
    const profiles = names.includes(PROFILES)
      ? await db.openTable(PROFILES)
      : await db.createEmptyTable(PROFILES, profilesSchema);
    if (!names.includes(PROFILES)) await profiles.setUnenforcedPrimaryKey("key");
    const { wal, recovered } = await WriteAheadLog.open<EventRow>(options.walDir, {
      validate: eventProblem,
      wrapHandle: options.walFaults,
    });
    if (recovered.damaged.length > 0)
      (options.log ?? console.warn)(describeSkipped(recovered.damaged));
    if (recovered.records.length > 0) {
      // Some of these may already be in LanceDB (a batch landed, its segment was not yet deleted): insert the rest.
      await events
        .mergeInsert(["key", "seq"])
        .whenNotMatchedInsertAll()
        .execute(toLance(recovered.records));
    }
    await wal.remove(recovered.segments);
    await ensureKeyIndex(events);
    await ensureKeyIndex(profiles);
    const store = new ProfileStore(db, events, profiles, wal, options);
    store.recovery = { replayed: recovered.records.length, skipped: recovered.damaged };
    // Commits not compacted yet outlive a restart as small fragments: a bot restarted often, with fewer
    // messages than compactEvery each time, would otherwise never compact, and every load would scan them.
    const fragments = await Promise.all(
      [events, profiles].map(async (t) => (await t.stats()).fragmentStats.numSmallFragments),
    );
    store.commitsSinceCompaction = Math.max(...fragments);
    await store.learnWhatIsIndexed();
    // Rows an index does not cover, from an earlier run: whose they are is unknown until a compaction.
    const unknown = store.notIndexed === undefined;
    if (unknown || store.commitsSinceCompaction >= options.compactEvery) store.compactSoon();
    await store.expireOldEvents();
    if (options.retentionDays > 0) {
      store.expiryTimer = setInterval(
        () => void store.enqueueWrite(() => store.expireOldEvents()).catch(() => undefined),
        EXPIRY_INTERVAL_MS,
      );
      store.expiryTimer.unref();
    }
    return store;
  }

  /** Deletes events older than the retention period (rows; their bytes go at the next compaction). */
  private async expireOldEvents(): Promise<void> {
    if (this.options.retentionDays <= 0) return;
    const old = `at < ${Date.now() - this.options.retentionDays * 86_400_000}`;
    // A delete that matches nothing would still write a new table version: count first.
    if ((await this.events.countRows(old)) > 0) await this.events.delete(old);
  }

  /** The person's state, from memory or rebuilt from the last snapshot plus later events. */
  async load(key: string, items: ItemLookup, now: number): Promise<PersonState> {
    const cached = this.cache.get(key);
    if (cached) {
      this.remember(key, cached);
      return cached;
    }
    assertKey(key);
    const unstored = this.unstored(key);
    const indexed = this.notIndexed?.has(key) === false;
    const rowsOf = (table: lancedb.Table) => {
      const query = table.query().where(`key = '${key}'`);
      return indexed ? query.fastSearch() : query;
    };
    const [snapshots, stored] = await Promise.all([
      rowsOf(this.profiles).limit(1).toArray() as Promise<ProfileRow[]>,
      rowsOf(this.events).toArray() as Promise<EventRow[]>,
    ]);
    const cachedMeanwhile = this.cache.get(key);
    if (cachedMeanwhile) return cachedMeanwhile;
    const snapshot = snapshots[0];
    let profile = snapshot
      ? deserialiseProfile(snapshot.data)
      : emptyProfile(this.options.labels, this.options.dim, now);
    if (
      profile.shortTerm.length !== this.options.labels ||
      profile.shortVec.length !== this.options.dim
    ) {
      profile = emptyProfile(this.options.labels, this.options.dim, profile.createdAt); // model changed shape: rebuild from events
    }
    const messageIds = new Map<string, number>();
    for (const row of this.eventsOf(key, stored, unstored)) {
      if (row.message_id) messageIds.set(row.message_id, Number(row.seq));
      if (Number(row.seq) > profile.seq)
        profile = applyEvent(profile, JSON.parse(row.data) as ProfileEvent, items);
    }
    const state = { profile, messageIds };
    this.remember(key, state);
    return state;
  }

  /** Events not yet in LanceDB, taken BEFORE querying it (a batch landing meanwhile is then in the query or here). */
  private unstored(key: string): EventRow[] {
    return [...this.inFlight, ...this.pending].filter((r) => r.key === key);
  }

  /** The person's events from LanceDB rows plus those not yet there, once each, in order. */
  private eventsOf(
    key: string,
    stored: readonly EventRow[],
    unstored: readonly EventRow[],
  ): EventRow[] {
    const bySeq = new Map<number, EventRow>();
    for (const row of [...stored, ...unstored])
      if (row.key === key) bySeq.set(Number(row.seq), row);
    return [...bySeq.values()].sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  /** Whether this person has anything stored. */
  async exists(key: string): Promise<boolean> {
    if ((this.cache.get(key)?.profile.seq ?? 0) > 0) return true;
    assertKey(key);
    if (this.pending.some((r) => r.key === key) || this.inFlight.some((r) => r.key === key))
      return true;
    return (
      (await this.events.countRows(`key = '${key}'`)) > 0 ||
      (await this.profiles.countRows(`key = '${key}'`)) > 0
    );
  }

  private remember(key: string, state: PersonState): void {
    this.cache.delete(key);
    this.cache.set(key, state);
    const limit = this.options.cacheLimit ?? 20_000;
    // Dropping a person is always safe: load() rebuilds them from LanceDB plus the events not yet there.
    while (this.cache.size > limit) {
      const oldest = this.cache.keys().next().value!;
      this.cache.delete(oldest);
      this.dirty.delete(oldest);
    }
  }

  /**
   * Applies the event in memory at once and resolves when it is durable (on disk in the write-ahead log).
   * Callers serialise per person (see Bot), so `seq` is strictly increasing per key.
   */
  commit(key: string, state: PersonState, event: ProfileEvent, items: ItemLookup): Promise<void> {
    if (this.closed) return Promise.reject(new Error("profile store is closed"));
    state.profile = applyEvent(state.profile, event, items);
    if (event.messageId) state.messageIds.set(event.messageId, event.seq);
    this.remember(key, state);
    this.dirty.add(key);
    const row: EventRow = {
      key,
      seq: event.seq,
      at: event.at,
      kind: event.kind,
      message_id: event.messageId ?? null,
      data: JSON.stringify(event),
    };
    this.pending.push(row);
    if (this.pending.length >= MAX_BATCH) void this.flush().catch(() => undefined);
    else this.scheduleFlush();
    this.scheduleSnapshot();
    return this.wal.append(row).then(
      () => {
        if ((this.durableSeq.get(key) ?? 0) < event.seq) this.durableSeq.set(key, event.seq);
      },
      (err: unknown) => {
        // Not durable, so not acknowledged: forget it here too, and rebuild the person from disk next time.
        this.pending = this.pending.filter((r) => r !== row);
        this.cache.delete(key);
        throw err;
      },
    );
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush().catch(() => this.scheduleFlush());
    }, this.options.commitIntervalMs);
    this.flushTimer.unref();
  }

  private scheduleSnapshot(): void {
    if (this.snapshotTimer || this.closed) return;
    this.snapshotTimer = setTimeout(() => {
      this.snapshotTimer = undefined;
      void this.writeSnapshots().catch(() => undefined);
    }, SNAPSHOT_INTERVAL_MS);
    this.snapshotTimer.unref();
  }

  private enqueueWrite<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeChain.then(work, work);
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /** Moves every logged event into LanceDB as one batch, then deletes the log segments it covered. */
  flush(): Promise<void> {
    return this.enqueueWrite(async () => {
      if (this.pending.length === 0) return;
      this.sealed.push(...(await this.wal.rotate()));
      const rows = this.pending;
      this.pending = [];
      this.inFlight = rows;
      for (const row of rows) this.notIndexed?.add(row.key);
      try {
        await this.events.add(toLance(rows));
      } catch (err) {
        this.pending = [...rows, ...this.pending];
        throw err;
      } finally {
        this.inFlight = [];
      }
      const covered = this.sealed;
      this.sealed = [];
      await this.wal.remove(covered);
      this.commitsSinceCompaction++;
      if (this.commitsSinceCompaction >= this.options.compactEvery) this.compactSoon();
    });
  }

  /** Writes snapshots of profiles changed since the last snapshot (only what is already durable in the log). */
  writeSnapshots(): Promise<void> {
    return this.enqueueWrite(async () => {
      if (this.dirty.size === 0) return;
      const rows: ProfileRow[] = [];
      for (const key of [...this.dirty]) {
        const state = this.cache.get(key);
        if (!state) {
          this.dirty.delete(key);
          continue;
        }
        if ((this.durableSeq.get(key) ?? 0) < state.profile.seq) continue; // its last event is still being written
        this.dirty.delete(key);
        rows.push({
          key,
          seq: BigInt(state.profile.seq),
          updated_at: state.profile.updatedAt,
          data: serialiseProfile(state.profile),
        });
      }
      if (this.dirty.size > 0) this.scheduleSnapshot();
      if (rows.length === 0) return;
      for (const row of rows) this.notIndexed?.add(row.key);
      try {
        await this.profiles
          .mergeInsert("key")
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .execute(rows as unknown as Array<Record<string, unknown>>);
      } catch (err) {
        for (const r of rows) if (this.cache.has(r.key)) this.dirty.add(r.key);
        throw err;
      }
    });
  }

  /** Queues a compaction after the writes queued before it. */
  private compactSoon(): void {
    this.commitsSinceCompaction = 0;
    void this.enqueueWrite(() => this.compact()).catch(() => undefined);
  }

  /** Expires events past retention, merges small fragments, and drops old versions. */
  private async compact(): Promise<void> {
    await this.expireOldEvents();
    await this.events.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
    await this.profiles.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
    await ensureKeyIndex(this.events);
    await ensureKeyIndex(this.profiles);
    await this.learnWhatIsIndexed();
  }

  /** Whether the key indexes cover every row now (see notIndexed); run with no write under way. */
  private async learnWhatIsIndexed(): Promise<void> {
    const covered = await Promise.all(
      [this.events, this.profiles].map(
        async (table) =>
          (await table.countRows()) === 0 ||
          (await table.indexStats(KEY_INDEX))?.numUnindexedRows === 0,
      ),
    );
    this.notIndexed = covered.every(Boolean) ? new Set() : undefined;
  }

  /** Everything stored about the person, in time order, including events not yet moved into LanceDB. */
  /** One of the person's events by its sequence number, from memory, the log or LanceDB. */
  async eventAt(key: string, seq: number): Promise<ProfileEvent | undefined> {
    assertKey(key);
    const unstored = this.unstored(key).filter((r) => Number(r.seq) === seq);
    const stored = unstored.length
      ? []
      : ((await this.events
          .query()
          .where(`key = '${key}' AND seq = ${seq}`)
          .toArray()) as EventRow[]);
    const row = [...unstored, ...stored][0];
    return row ? (JSON.parse(row.data) as ProfileEvent) : undefined;
  }

  async exportPerson(
    key: string,
    items: ItemLookup,
  ): Promise<{ profile: Profile; events: ProfileEvent[] } | undefined> {
    assertKey(key);
    if (!(await this.exists(key))) return undefined;
    const state = await this.load(key, items, Date.now());
    const unstored = this.unstored(key);
    const stored = (await this.events.query().where(`key = '${key}'`).toArray()) as EventRow[];
    return {
      profile: state.profile,
      events: this.eventsOf(key, stored, unstored).map((r) => JSON.parse(r.data) as ProfileEvent),
    };
  }

  /** Hard delete: from memory, from the log's files, from the tables, then every old version, so no trace stays on disk. */
  async forget(key: string): Promise<boolean> {
    assertKey(key);
    const existed = await this.exists(key);
    this.pending = this.pending.filter((r) => r.key !== key);
    this.cache.delete(key);
    this.dirty.delete(key);
    this.durableSeq.delete(key);
    await this.wal.purge((r) => r.key === key);
    await this.enqueueWrite(async () => {
      // A delete that matches nothing would still record its predicate (the key) in a new version: skip it.
      if ((await this.events.countRows(`key = '${key}'`)) > 0)
        await this.events.delete(`key = '${key}'`);
      if ((await this.profiles.countRows(`key = '${key}'`)) > 0)
        await this.profiles.delete(`key = '${key}'`);
      // The delete's own transaction and manifest record its predicate (the key), and cleanup always keeps the
      // latest version: a commit that names no one makes the delete an old version.
      await this.events.delete("false");
      await this.profiles.delete("false");
      const now = new Date(Date.now() + 1000);
      await this.events.optimize({ cleanupOlderThan: now, deleteUnverified: true });
      await this.profiles.optimize({ cleanupOlderThan: now, deleteUnverified: true });
    });
    return existed;
  }

  /** Moves everything into LanceDB, writes snapshots and closes the log; call on shutdown. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.flushTimer = this.snapshotTimer = undefined;
    await this.wal.sync();
    let stored = true;
    await this.flush().catch(() => {
      stored = false;
    });
    this.closed = true;
    await this.writeSnapshots().catch(() => undefined);
    await this.writeChain;
    // Keep the log when LanceDB refused the last batch: the next start replays it.
    await this.wal.close(stored && this.pending.length === 0);
  }

  get stats(): { cachedPeople: number; pendingEvents: number } {
    return {
      cachedPeople: this.cache.size,
      pendingEvents: this.pending.length + this.inFlight.length,
    };
  }

  get connection(): lancedb.Connection {
    return this.db;
  }
}
