// An append-only write-ahead log of checksummed JSON lines in numbered segment files, on local disk.
//
// Group commit without a waiting window: appends made while a write is on disk join the next write, which
// starts as soon as the previous one finishes. A write is durable when it returns (the file is opened with
// O_DSYNC, or fdatasync follows where the platform lacks it). Segments are sealed by `rotate()` and deleted
// by their owner once their records are stored elsewhere; `purge()` rewrites segments without some records
// (forgetting a person), so no trace of them stays in any file.
//
// A line is `<crc32 of the JSON, 8 hex digits> <JSON>\n` (plain JSON lines from earlier versions still
// read). A write that fails (ENOSPC, EIO) rejects its whole batch and is cut off the file (ftruncate back
// to the last good length) before anything else is written; if even that fails, the segment is sealed and
// the next segment's first line says where its good bytes end, so replay never reads the failed batch's
// records and never loses a later acknowledged one. Replay skips and reports lines it cannot trust
// (checksum mismatch, unparsable, wrong shape, unfinished) instead of refusing to start.
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
import * as zlib from "node:zlib";
import { lockFolder } from "./folder-lock.ts";

const SEGMENT = /^wal-(\d{8})\.log$/;
const DSYNC: number | undefined = constants.O_DSYNC;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (DSYNC ?? 0);
/** A checksummed line: the CRC-32 of the rest of the line, a space, then the payload. */
const CHECKED = /^([0-9a-f]{8}) ([^]*)$/;
/** The payload of a control line: `#cut <segment> <bytes>`, that segment's good bytes end there. */
const CUT = /^#cut (wal-\d{8}\.log) (\d+)$/;

interface Pending<T> {
  record: T;
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** A line replay skipped: where it is (file name, 1-based line number) and what is wrong with it. */
export interface Damaged {
  segment: string;
  line: number;
  problem: string;
}

export interface Recovered<T> {
  /** Every complete, intact record in the segments found, oldest first. */
  records: T[];
  /** The segments they came from: delete them (`remove`) once the records are stored elsewhere. */
  segments: string[];
  /** The lines skipped, oldest first. */
  damaged: Damaged[];
}

export interface WalOptions {
  /** Checks a replayed record's shape: a description of what is wrong, or undefined when it is fine. */
  validate?: (value: unknown) => string | undefined;
  /** Test-only: wraps each file handle the log appends through, to inject faults such as ENOSPC. */
  wrapHandle?: (handle: FileHandle) => FileHandle;
}

// CRC-32 (the zlib polynomial): node:zlib has it natively from Node 20.15; a table otherwise.
let table: Int32Array | undefined;
function tableCrc32(text: string): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (const byte of Buffer.from(text, "utf8")) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
const nativeCrc32 = (zlib as { crc32?: (data: string) => number }).crc32;
/** CRC-32 of the UTF-8 bytes of `text` (exported for tests). */
export const crc32: (text: string) => number = nativeCrc32 ?? tableCrc32;
export { tableCrc32 as crc32ByTable };

function checksum(payload: string): string {
  return crc32(payload).toString(16).padStart(8, "0");
}

function encode(payload: string): string {
  return `${checksum(payload)} ${payload}\n`;
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

type Entry =
  | { kind: "record"; value: unknown; raw: string }
  | { kind: "cut"; segment: string; length: number; raw: string }
  | { kind: "damaged"; problem: string }
  | { kind: "after-cut" };

/** One segment's lines, decoded; `end` is the byte offset just past each line's newline. */
interface Parsed {
  name: string;
  entries: Array<{ line: number; end: number; entry: Entry }>;
}

function decode(text: string, validate: WalOptions["validate"]): Entry {
  const checked = CHECKED.exec(text);
  let payload: string;
  if (checked) {
    payload = checked[2]!;
    if (checksum(payload) !== checked[1]) return { kind: "damaged", problem: "checksum mismatch" };
    const cut = CUT.exec(payload);
    if (cut) return { kind: "cut", segment: cut[1]!, length: Number(cut[2]), raw: text };
  } else if (text.startsWith("{")) {
    payload = text; // written before records had checksums
  } else {
    return { kind: "damaged", problem: "no checksum and not a JSON object" };
  }
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { kind: "damaged", problem: "unparsable JSON" };
  }
  const problem = validate?.(value);
  return problem ? { kind: "damaged", problem } : { kind: "record", value, raw: text };
}

function parseSegment(name: string, bytes: Buffer, validate: WalOptions["validate"]): Parsed {
  const entries: Parsed["entries"] = [];
  let start = 0;
  for (let line = 1; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0) {
      // Its write never finished, so nobody was told it was stored.
      entries.push({ line, end: bytes.length, entry: { kind: "damaged", problem: "unfinished" } });
      break;
    }
    if (newline > start) {
      const entry = decode(bytes.toString("utf8", start, newline), validate);
      entries.push({ line, end: newline + 1, entry });
    }
    start = newline + 1;
  }
  return { name, entries };
}

/** Reads and decodes every segment in `dir`; lines past a cut (a failed write's bytes) are marked. */
async function readSegments(dir: string, validate: WalOptions["validate"]): Promise<Parsed[]> {
  const names = (await readdir(dir)).filter((name) => SEGMENT.test(name)).sort();
  const parsed: Parsed[] = [];
  for (const name of names)
    parsed.push(parseSegment(name, await readFile(join(dir, name)), validate));
  const cuts = new Map<string, number>();
  for (const p of parsed)
    for (const { entry } of p.entries)
      if (entry.kind === "cut")
        cuts.set(entry.segment, Math.min(entry.length, cuts.get(entry.segment) ?? Infinity));
  for (const p of parsed) {
    const cut = cuts.get(p.name);
    if (cut === undefined) continue;
    for (const e of p.entries) if (e.end > cut) e.entry = { kind: "after-cut" };
  }
  return parsed;
}

/** The complete records of the segments in `dir`, oldest first, without opening the log (no lock, no new segment). */
export async function readWalRecords<T>(
  dir: string,
  options: Pick<WalOptions, "validate"> = {},
): Promise<Recovered<T>> {
  const parsed = await readSegments(dir, options.validate);
  const records: T[] = [];
  const damaged: Damaged[] = [];
  for (const { name, entries } of parsed)
    for (const { line, entry } of entries) {
      if (entry.kind === "record") records.push(entry.value as T);
      else if (entry.kind === "damaged")
        damaged.push({ segment: name, line, problem: entry.problem });
      else if (entry.kind === "after-cut")
        damaged.push({
          segment: name,
          line,
          problem: "written by a failed write, never acknowledged",
        });
    }
  return { records, segments: parsed.map((p) => join(dir, p.name)), damaged };
}

export class WriteAheadLog<T> {
  private buffer: Pending<T>[] = [];
  /** Every file operation runs in this chain, one at a time: writes, rotations, purges, close. */
  private chain: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private closed = false;
  /** Bytes of the current segment that hold whole, acknowledged lines. */
  private size = 0;
  /** A write failed and its bytes past `size` may still be in the file. */
  private broken = false;
  /** Cut lines for segments sealed with a failed write's bytes in them, not yet written. */
  private cuts: string[] = [];
  /** Segments sealed (after failed writes) since the last `rotate()`. */
  private sealed: string[] = [];

  private constructor(
    readonly dir: string,
    private handle: FileHandle,
    private segment: number,
    private readonly unlock: () => Promise<void>,
    private readonly options: WalOptions,
  ) {}

  /**
   * Opens the log in `dir`, returning what earlier processes left in it; new records go to a new segment.
   * Only one process may have a log open (FolderInUseError otherwise); a dead owner's log is taken over.
   */
  static async open<T>(
    dir: string,
    options: WalOptions = {},
  ): Promise<{ wal: WriteAheadLog<T>; recovered: Recovered<T> }> {
    await mkdir(dir, { recursive: true });
    const unlock = await lockFolder(dir);
    try {
      const recovered = await readWalRecords<T>(dir, options);
      const last = recovered.segments.at(-1);
      const next = last ? Number(SEGMENT.exec(basename(last))![1]) + 1 : 1;
      const handle = await openSegment(dir, next, options);
      await syncDir(dir);
      return { wal: new WriteAheadLog<T>(dir, handle, next, unlock, options), recovered };
    } catch (err) {
      await unlock();
      throw err;
    }
  }

  /** Resolves once the record is on disk. */
  append(record: T): Promise<void> {
    if (this.closed) return Promise.reject(new Error("write-ahead log is closed"));
    const done = new Promise<void>((resolve, reject) =>
      this.buffer.push({ record, line: encode(JSON.stringify(record)), resolve, reject }),
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
    if (batch.length === 0 && this.cuts.length === 0) return;
    try {
      await this.repair();
      const bytes = Buffer.from(this.cuts.join("") + batch.map((p) => p.line).join(""), "utf8");
      let offset = 0;
      while (offset < bytes.length) {
        this.broken = true; // until the whole batch is on disk
        offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      }
      if (DSYNC === undefined) await this.handle.datasync();
      this.broken = false;
      this.size += bytes.length;
      this.cuts = [];
      for (const p of batch) p.resolve();
    } catch (err) {
      // Nobody in the batch is told it was stored; cut its bytes off now so later records follow good ones.
      for (const p of batch) p.reject(err);
      await this.repair().catch(() => undefined); // the next write tries again
    }
  }

  /** After a failed write: truncates the segment to its good bytes or, failing that, seals it. */
  private async repair(): Promise<void> {
    if (!this.broken) return;
    try {
      await this.handle.truncate(this.size);
      await this.handle.datasync();
      this.broken = false;
      return;
    } catch {
      // Seal it instead: the next segment's first line tells replay where this one's good bytes end.
    }
    await this.seal();
  }

  /** Starts the next segment; a broken current one gets a cut line, written before the next records. */
  private async seal(): Promise<string> {
    const sealed = join(this.dir, segmentName(this.segment));
    const next = await openSegment(this.dir, this.segment + 1, this.options);
    await syncDir(this.dir);
    await this.handle.close().catch(() => undefined);
    if (this.broken) this.cuts.push(encode(`#cut ${segmentName(this.segment)} ${this.size}`));
    this.handle = next;
    this.segment++;
    this.size = 0;
    this.broken = false;
    this.sealed.push(sealed);
    return sealed;
  }

  /** Waits until everything appended so far is on disk. */
  sync(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  /**
   * Seals the current segment (after the writes already asked for) and starts a new one; returns the
   * segments sealed since the last rotation, oldest first (delete them in that order).
   */
  rotate(): Promise<string[]> {
    let sealed: string[] = [];
    return this.enqueue(async () => {
      await this.repair().catch(() => undefined);
      await this.seal();
      sealed = this.sealed;
      this.sealed = [];
    }).then(() => sealed);
  }

  /** Deletes sealed segments whose records are stored elsewhere. */
  remove(segments: readonly string[]): Promise<void> {
    return this.enqueue(async () => {
      for (const path of segments) await rm(path, { force: true });
      if (segments.length) await syncDir(this.dir);
    });
  }

  /**
   * Rewrites every segment without the records `drop` selects, including those not yet written; lines
   * that are damaged or past a cut go too.
   */
  purge(drop: (record: T) => boolean): Promise<void> {
    const kept: Pending<T>[] = [];
    for (const p of this.buffer) {
      if (drop(p.record))
        p.resolve(); // forgotten before it reached the disk
      else kept.push(p);
    }
    this.buffer = kept;
    return this.enqueue(async () => {
      await this.repair().catch(() => undefined);
      const current = segmentName(this.segment);
      for (const { name, entries } of await readSegments(this.dir, this.options.validate)) {
        const keep: string[] = [];
        let changed = false;
        for (const { end, entry } of entries) {
          if (name === current && this.broken && end > this.size) changed = true;
          else if (entry.kind === "cut") keep.push(entry.raw);
          else if (entry.kind === "record" && !drop(entry.value as T)) keep.push(entry.raw);
          else changed = true;
        }
        if (!changed) continue;
        const path = join(this.dir, name);
        if (name === current) await this.handle.close();
        const text = keep.map((l) => l + "\n").join("");
        const tmp = `${path}.tmp`;
        await writeFile(tmp, text, { mode: 0o600, flush: true });
        await rename(tmp, path);
        if (name === current) {
          this.handle = await openSegment(this.dir, this.segment, this.options);
          this.size = Buffer.byteLength(text);
          this.broken = false;
        }
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

async function openSegment(dir: string, n: number, options: WalOptions): Promise<FileHandle> {
  const handle = await open(join(dir, segmentName(n)), APPEND_FLAGS, 0o600);
  return options.wrapHandle ? options.wrapHandle(handle) : handle;
}
