// Profiles in LanceDB. Events (one per processed message or feedback) are the durable record: they are
// appended in groups (group commit) and a reply waits for its group. Profile snapshots are written in the
// background and only shorten the replay at load; compaction runs on a schedule.
import * as lancedb from "@lancedb/lancedb";
import { Field, Float64, Int64, Schema, Utf8 } from "apache-arrow";
import { applyEvent, deserialiseProfile, emptyProfile, serialiseProfile, type ItemLookup, type Profile, type ProfileEvent } from "./profile.ts";
import { isPersonKey } from "./keys.ts";

const EVENTS = "events";
const PROFILES = "profiles";
const SNAPSHOT_INTERVAL_MS = 2_000;
const CACHE_LIMIT = 50_000;

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

interface EventRow { key: string; seq: number | bigint; at: number; kind: string; message_id: string | null; data: string }
interface ProfileRow { key: string; seq: number | bigint; updated_at: number; data: string }

interface Waiter { resolve: () => void; reject: (err: unknown) => void }

export interface StoreOptions {
  commitIntervalMs: number;
  compactEvery: number;
  retentionDays: number;
  labels: number;
  dim: number;
}

export interface PersonState {
  profile: Profile;
  /** Message ids already processed, for idempotent delivery. */
  messageIds: Set<string>;
}

function assertKey(key: string): void {
  if (!isPersonKey(key)) throw new Error(`invalid person key`);
}

export class ProfileStore {
  private readonly cache = new Map<string, PersonState>();
  private pending: EventRow[] = [];
  private waiters: Waiter[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private readonly dirty = new Set<string>();
  /** Serialises every write to LanceDB: commits, snapshots, compaction, deletes. */
  private writeChain: Promise<unknown> = Promise.resolve();
  private commitsSinceCompaction = 0;
  private closed = false;

  private constructor(
    private readonly db: lancedb.Connection,
    private readonly events: lancedb.Table,
    private readonly profiles: lancedb.Table,
    private readonly options: StoreOptions,
  ) {}

  static async open(db: lancedb.Connection, options: StoreOptions): Promise<ProfileStore> {
    const names = await db.tableNames();
    const events = names.includes(EVENTS) ? await db.openTable(EVENTS) : await db.createEmptyTable(EVENTS, eventsSchema);
    const profiles = names.includes(PROFILES) ? await db.openTable(PROFILES) : await db.createEmptyTable(PROFILES, profilesSchema);
    if (!names.includes(PROFILES)) await profiles.setUnenforcedPrimaryKey("key");
    return new ProfileStore(db, events, profiles, options);
  }

  /** The person's state, from memory or rebuilt from the last snapshot plus later events. */
  async load(key: string, items: ItemLookup, now: number): Promise<PersonState> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    assertKey(key);
    const [snapshot] = (await this.profiles.query().where(`key = '${key}'`).limit(1).toArray()) as ProfileRow[];
    let profile = snapshot ? deserialiseProfile(snapshot.data) : emptyProfile(this.options.labels, this.options.dim, now);
    if (profile.shortTerm.length !== this.options.labels || profile.shortVec.length !== this.options.dim) {
      profile = emptyProfile(this.options.labels, this.options.dim, profile.createdAt); // model changed shape: rebuild from events
    }
    const rows = (await this.events.query().where(`key = '${key}'`).toArray()) as EventRow[];
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    const messageIds = new Set<string>();
    for (const row of rows) {
      if (row.message_id) messageIds.add(row.message_id);
      if (Number(row.seq) > profile.seq) profile = applyEvent(profile, JSON.parse(row.data) as ProfileEvent, items);
    }
    for (const row of this.pending) if (row.key === key && Number(row.seq) > profile.seq) profile = applyEvent(profile, JSON.parse(row.data) as ProfileEvent, items);
    const state = { profile, messageIds };
    this.remember(key, state);
    return state;
  }

  /** Whether this person has anything stored. */
  async exists(key: string): Promise<boolean> {
    if (this.cache.has(key)) return true;
    assertKey(key);
    return (await this.events.countRows(`key = '${key}'`)) > 0 || (await this.profiles.countRows(`key = '${key}'`)) > 0;
  }

  private remember(key: string, state: PersonState): void {
    this.cache.delete(key);
    this.cache.set(key, state);
    if (this.cache.size > CACHE_LIMIT) {
      for (const k of this.cache.keys()) {
        if (!this.dirty.has(k)) { this.cache.delete(k); break; }
      }
    }
  }

  /**
   * Applies the event in memory at once and resolves when it is durable in LanceDB (its group committed).
   * Callers serialise per person (see Bot), so `seq` is strictly increasing per key.
   */
  commit(key: string, state: PersonState, event: ProfileEvent, items: ItemLookup): Promise<void> {
    if (this.closed) return Promise.reject(new Error("profile store is closed"));
    state.profile = applyEvent(state.profile, event, items);
    if (event.messageId) state.messageIds.add(event.messageId);
    this.remember(key, state);
    this.dirty.add(key);
    this.pending.push({ key, seq: event.seq, at: event.at, kind: event.kind, message_id: event.messageId ?? null, data: JSON.stringify(event) });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleFlush();
    this.scheduleSnapshot();
    return done;
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, this.options.commitIntervalMs);
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

  /** Commits every pending event as one group. */
  flush(): Promise<void> {
    return this.enqueueWrite(async () => {
      if (this.pending.length === 0) return;
      const rows = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await this.events.add(rows.map((r) => ({ ...r, seq: BigInt(r.seq) })) as unknown as Array<Record<string, unknown>>);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
        return;
      }
      this.commitsSinceCompaction++;
      if (this.commitsSinceCompaction >= this.options.compactEvery) {
        this.commitsSinceCompaction = 0;
        void this.enqueueWrite(() => this.compact()).catch(() => undefined);
      }
    });
  }

  /** Writes snapshots of profiles changed since the last snapshot. */
  writeSnapshots(): Promise<void> {
    return this.enqueueWrite(async () => {
      if (this.dirty.size === 0) return;
      const keys = [...this.dirty];
      this.dirty.clear();
      const rows = keys.flatMap((key) => {
        const state = this.cache.get(key);
        return state ? [{ key, seq: BigInt(state.profile.seq), updated_at: state.profile.updatedAt, data: serialiseProfile(state.profile) }] : [];
      });
      if (rows.length === 0) return;
      try {
        await this.profiles.mergeInsert("key").whenMatchedUpdateAll().whenNotMatchedInsertAll().execute(rows as unknown as Array<Record<string, unknown>>);
      } catch (err) {
        for (const k of keys) this.dirty.add(k);
        throw err;
      }
    });
  }

  /** Merges small fragments, expires events past retention, and drops old versions. */
  private async compact(): Promise<void> {
    if (this.options.retentionDays > 0) {
      const cutoff = Date.now() - this.options.retentionDays * 86_400_000;
      await this.events.delete(`at < ${cutoff}`);
    }
    await this.events.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
    await this.profiles.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) });
  }

  /** Everything stored about the person, in time order. */
  async exportPerson(key: string, items: ItemLookup): Promise<{ profile: Profile; events: ProfileEvent[] } | undefined> {
    assertKey(key);
    if (!(await this.exists(key))) return undefined;
    await this.flush();
    const state = await this.load(key, items, Date.now());
    const rows = (await this.events.query().where(`key = '${key}'`).toArray()) as EventRow[];
    rows.sort((a, b) => Number(a.seq) - Number(b.seq));
    return { profile: state.profile, events: rows.map((r) => JSON.parse(r.data) as ProfileEvent) };
  }

  /** Hard delete: rows, then every old version and unverified file, so no trace stays on disk. */
  async forget(key: string): Promise<boolean> {
    assertKey(key);
    this.pending = this.pending.filter((r) => r.key !== key);
    const existed = await this.exists(key);
    this.cache.delete(key);
    this.dirty.delete(key);
    await this.enqueueWrite(async () => {
      await this.events.delete(`key = '${key}'`);
      await this.profiles.delete(`key = '${key}'`);
      // The delete's own transaction and manifest record its predicate, i.e. the key, and cleanup always
      // keeps the latest version: a commit that names no one makes the delete an old version.
      await this.events.delete("false");
      await this.profiles.delete("false");
      const now = new Date(Date.now() + 1000);
      await this.events.optimize({ cleanupOlderThan: now, deleteUnverified: true });
      await this.profiles.optimize({ cleanupOlderThan: now, deleteUnverified: true });
    });
    return existed;
  }

  /** Flushes events and snapshots; call on shutdown. */
  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.snapshotTimer) clearTimeout(this.snapshotTimer);
    this.flushTimer = this.snapshotTimer = undefined;
    await this.flush();
    await this.writeSnapshots().catch(() => undefined);
    this.closed = true;
    await this.writeChain;
  }

  get stats(): { cachedPeople: number; pendingEvents: number } {
    return { cachedPeople: this.cache.size, pendingEvents: this.pending.length };
  }

  get connection(): lancedb.Connection {
    return this.db;
  }
}
