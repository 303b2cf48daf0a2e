// An append-only write-ahead log of JSON lines in numbered segment files, on local disk.
//
// Group commit without a waiting window: appends made while a write is on disk join the next write, which
// starts as soon as the previous one finishes. A write is durable when it returns (the file is opened with
// O_DSYNC, or fdatasync follows where the platform lacks it). Segments are sealed by `rotate()` and deleted
// by their owner once their records are stored elsewhere; `purge()` rewrites segments without some records
// (forgetting a person), so no trace of them stays in any file.
import { constants } from "node:fs";
import {
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { basename, join } from "node:path";
import { lockFolder } from "./folder-lock.ts";

const SEGMENT = /^wal-(\d{8})\.log$/;
const DSYNC: number | undefined = constants.O_DSYNC;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (DSYNC ?? 0);

interface Pending {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface Recovered<T> {
  /** Every complete record in the segments found, oldest first. */
  records: T[];
  /** The segments they came from: delete them (`remove`) once the records are stored elsewhere. */
  segments: string[];
}

function segmentName(n: number): string {
  return `wal-${String(n).padStart(8, "0")}.log`;
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the file's own sync still holds its data.
  } finally {
    await handle.close();
  }
}

function parseLines<T>(text: string): T[] {
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A torn last line: its write never returned, so nobody was told it was stored.
    }
  }
  return out;
}

/** The complete records of the segments in `dir`, oldest first, without opening the log (no lock, no new segment). */
export async function readWalRecords<T>(dir: string): Promise<Recovered<T>> {
  const found = (await readdir(dir)).filter((name) => SEGMENT.test(name)).sort();
  const records: T[] = [];
  for (const name of found) records.push(...parseLines<T>(await readFile(join(dir, name), "utf8")));
  return { records, segments: found.map((name) => join(dir, name)) };
}

export class WriteAheadLog<T> {
  private buffer: Pending[] = [];
  /** Every file operation runs in this chain, one at a time: writes, rotations, purges, close. */
  private chain: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private closed = false;

  private constructor(
    readonly dir: string,
    private handle: FileHandle,
    private segment: number,
    private readonly unlock: () => Promise<void>,
  ) {}

  /**
   * Opens the log in `dir`, returning what earlier processes left in it; new records go to a new segment.
   * Only one process may have a log open (FolderInUseError otherwise); a dead owner's log is taken over.
   */
  static async open<T>(dir: string): Promise<{ wal: WriteAheadLog<T>; recovered: Recovered<T> }> {
    await mkdir(dir, { recursive: true });
    const unlock = await lockFolder(dir);
    const recovered = await readWalRecords<T>(dir);
    const last = recovered.segments.at(-1);
    const next = last ? Number(SEGMENT.exec(basename(last))![1]) + 1 : 1;
    const handle = await open(join(dir, segmentName(next)), APPEND_FLAGS, 0o600);
    await syncDir(dir);
    return { wal: new WriteAheadLog<T>(dir, handle, next, unlock), recovered };
  }

  /** Resolves once the record is on disk. */
  append(record: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error("write-ahead log is closed"));
    const done = new Promise<void>((resolve, reject) =>
      this.buffer.push({ line: JSON.stringify(record) + "\n", resolve, reject }),
    );
    if (!this.writeQueued) {
      this.writeQueued = true;
      this.enqueue(() => this.writeBuffered());
    }
    return done;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeBuffered(): Promise<void> {
    this.writeQueued = false;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;
    try {
      const bytes = Buffer.from(batch.map((p) => p.line).join(""), "utf8");
      let offset = 0;
      while (offset < bytes.length)
        offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      if (DSYNC === undefined) await this.handle.datasync();
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  /** Waits until everything appended so far is on disk. */
  sync(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  /** Seals the current segment (after the writes already asked for) and starts a new one; returns the sealed path. */
  rotate(): Promise<string> {
    let sealed = "";
    return this.enqueue(async () => {
      sealed = join(this.dir, segmentName(this.segment));
      const next = await open(join(this.dir, segmentName(this.segment + 1)), APPEND_FLAGS, 0o600);
      await syncDir(this.dir);
      await this.handle.close();
      this.handle = next;
      this.segment++;
    }).then(() => sealed);
  }

  /** Deletes sealed segments whose records are stored elsewhere. */
  remove(segments: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      for (const path of segments) await rm(path, { force: true });
      if (segments.length) await syncDir(this.dir);
    });
  }

  /** Rewrites every segment without the records `drop` selects, including those not yet written. */
  purge(drop: (record: T) => boolean): Promise<void> {
    const kept: Pending[] = [];
    for (const p of this.buffer) {
      if (drop(JSON.parse(p.line) as T))
        p.resolve(); // forgotten before it reached the disk
      else kept.push(p);
    }
    this.buffer = kept;
    return this.enqueue(async () => {
      const current = segmentName(this.segment);
      for (const name of (await readdir(this.dir)).filter((n) => SEGMENT.test(n))) {
        const path = join(this.dir, name);
        const lines = (await readFile(path, "utf8")).split("\n").filter(Boolean);
        const keep = lines.filter((line) => {
          try {
            return !drop(JSON.parse(line) as T);
          } catch {
            return false; // a torn line is dropped with the rest
          }
        });
        if (keep.length === lines.length) continue;
        if (name === current) await this.handle.close();
        const tmp = `${path}.tmp`;
        await writeFile(tmp, keep.map((l) => l + "\n").join(""), { mode: 0o600, flush: true });
        await rename(tmp, path);
        if (name === current) this.handle = await open(path, APPEND_FLAGS, 0o600);
      }
      await syncDir(this.dir);
    });
  }

  /** Writes what is buffered and closes the file; removes the log's files when `discard` says they are stored elsewhere. */
  async close(discard: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.enqueue(async () => {
        await this.writeBuffered();
        await this.handle.close();
        if (!discard) return;
        for (const name of (await readdir(this.dir)).filter((n) => SEGMENT.test(n)))
          await rm(join(this.dir, name), { force: true });
        await syncDir(this.dir);
      });
    } finally {
      await this.unlock();
    }
  }
}
