// Fault tests for the profile store's write-ahead log, on the real store and real LanceDB: a full disk
// (injected ENOSPC, and a real tiny tmpfs when this runs as root), a wrong-shaped line, a flipped byte. After
// each, the folder as it was on disk is opened again (a crash: the store is never closed first) and every
// acknowledged event must be there, with no gap, and nothing that was refused.
import { execFileSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zlib from "node:zlib";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { personKey } from "../src/profile/keys.ts";
import type { ItemLookup, ProfileEvent } from "../src/profile/profile.ts";
import { ProfileStore, type StoreOptions } from "../src/profile/store.ts";
import { crc32, crc32ByTable } from "../src/profile/wal.ts";
import { filesContaining } from "./support/data-folder.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-wal-faults-"));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) execFileSync("umount", ["-l", m]);
  rmSync(dir, { recursive: true, force: true });
});

const items: ItemLookup = {
  vectorOf: () => Float32Array.from([1, 0]),
  interestsOf: () => Float32Array.from([0, 1, 0]),
};
const people = ["ann", "ben", "cat"].map((id) =>
  personKey(Buffer.alloc(32, 7), { platform: "faults", id }),
);

function storeAt(root: string, extra: Partial<StoreOptions> = {}): Promise<ProfileStore> {
  return lancedb.connect(join(root, "db")).then((db) =>
    ProfileStore.open(db, {
      commitIntervalMs: 60_000, // at the "crash", every acknowledged event is in the log only
      compactEvery: 1000,
      retentionDays: 0,
      labels: 3,
      dim: 2,
      walDir: join(root, "wal"),
      ...extra,
    }),
  );
}

/** The folder exactly as it is on disk now, as a crash would leave it (the store stays open). */
function crashCopy(root: string, walDir = join(root, "wal")): string {
  const copy = mkdtempSync(join(dir, "crashed-"));
  cpSync(join(root, "db"), join(copy, "db"), { recursive: true });
  cpSync(walDir, join(copy, "wal"), { recursive: true });
  return copy;
}

interface Ledger {
  acked: Map<string, string[]>;
  refused: string[];
}

/** One turn for each person at once; each message id says who and which attempt, acknowledged or not. */
async function round(store: ProfileStore, ledger: Ledger, attempt: number): Promise<void> {
  await Promise.all(
    people.map(async (key) => {
      const state = await store.load(key, items, 0);
      const seq = state.profile.seq + 1;
      const messageId = `${key.slice(0, 6)}-${attempt}`;
      const event: ProfileEvent = {
        seq,
        at: 1_000 + attempt,
        kind: "message",
        intent: "recommend",
        messageId,
        interests: [0.2, 0.6, 0.2],
        embedding: [0, 1],
        signals: [{ itemId: `item-${attempt}`, signal: "like" }],
        shown: [],
      };
      try {
        await store.commit(key, state, event, items);
        ledger.acked.set(key, [...(ledger.acked.get(key) ?? []), messageId]);
      } catch {
        ledger.refused.push(messageId);
      }
    }),
  );
}

/** Reopens the crashed copy; compares what it has with what was acknowledged. Prints the counts. */
async function recover(name: string, copy: string, ledger: Ledger) {
  const warnings: string[] = [];
  const store = await storeAt(copy, { log: (line) => warnings.push(line) });
  let acknowledged = 0;
  const lost: string[] = [];
  const resurrected: string[] = [];
  for (const key of people) {
    const acked = ledger.acked.get(key) ?? [];
    acknowledged += acked.length;
    const events = (await store.exportPerson(key, items))?.events ?? [];
    const ids = events.map((e) => e.messageId!);
    lost.push(...acked.filter((id) => !ids.includes(id)));
    resurrected.push(...ids.filter((id) => ledger.refused.includes(id)));
    if (lost.length === 0) {
      expect(ids, `${name}: ${key} in order`).toEqual(acked);
      expect(
        events.map((e) => e.seq),
        `${name}: no gap`,
      ).toEqual(events.map((_, i) => i + 1));
    }
  }
  console.log(
    `${name}: acknowledged ${acknowledged}, lost ${lost.length}, refused ${ledger.refused.length}, ` +
      `resurrected ${resurrected.length}, skipped lines ${store.recovery.skipped.length}`,
  );
  const result = { lost, resurrected, skipped: store.recovery.skipped, warnings, acknowledged };
  await store.close();
  return result;
}

function enospc(): Error {
  return Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
}

/**
 * Wraps the log's file handles: when armed, the next write puts half its bytes on disk and the one after
 * fails with ENOSPC (what a filling disk does); `failTruncate` makes the cleanup's ftruncate fail too.
 */
function diskFiller() {
  const faults = { armed: false, failing: false, failTruncate: false, writesFailed: 0 };
  const wrap = (handle: FileHandle): FileHandle =>
    new Proxy(handle, {
      get(target, prop) {
        if (prop === "write")
          return async (buffer: Buffer, offset: number, length: number) => {
            if (faults.failing) {
              faults.failing = false;
              faults.writesFailed++;
              throw enospc();
            }
            if (faults.armed && length > 1) {
              faults.armed = false;
              faults.failing = true;
              return target.write(buffer, offset, Math.floor(length / 2));
            }
            return target.write(buffer, offset, length);
          };
        if (prop === "truncate" && faults.failTruncate)
          return async () => {
            faults.failTruncate = false;
            throw Object.assign(new Error("EIO: i/o error, ftruncate"), { code: "EIO" });
          };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return { faults, wrap };
}

describe("write-ahead log faults", () => {
  it("checksums lines with CRC-32 (the table matches node:zlib)", () => {
    for (const text of ["", "a", '{"key":"é","seq":1}', "x".repeat(1000)])
      expect(crc32ByTable(text)).toBe(
        (zlib as { crc32?: (s: string) => number }).crc32?.(text) ?? crc32(text),
      );
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  for (const failTruncate of [false, true]) {
    it(`a failed write (ENOSPC${failTruncate ? ", and ftruncate fails too" : ""}) loses no later acknowledged event`, async () => {
      const root = mkdtempSync(join(dir, "enospc-"));
      const { faults, wrap } = diskFiller();
      const store = await storeAt(root, { walFaults: wrap });
      const ledger: Ledger = { acked: new Map(), refused: [] };
      for (let attempt = 1; attempt <= 12; attempt++) {
        if (attempt === 5) Object.assign(faults, { armed: true, failTruncate });
        await round(store, ledger, attempt);
      }
      expect(faults.writesFailed).toBe(1);
      expect(ledger.refused.length).toBeGreaterThan(0);
      const copy = crashCopy(root);
      // Forgetting someone also clears the failed write's bytes of them from the log's files.
      await store.forget(people[0]!);
      expect(filesContaining(join(root, "wal"), people[0]!)).toEqual([]);
      await store.close();
      const walFiles = readdirSync(join(copy, "wal"));
      const { lost, resurrected, skipped } = await recover(
        `ENOSPC${failTruncate ? " + failed ftruncate" : ""}`,
        copy,
        ledger,
      );
      expect(lost).toEqual([]);
      expect(resurrected).toEqual([]);
      if (failTruncate) {
        // The failed write's bytes stayed in a sealed segment; replay skipped them and said so.
        expect(walFiles.length).toBe(2);
        expect(skipped.length).toBeGreaterThan(0);
        expect(skipped.every((s) => s.problem.includes("failed write"))).toBe(true);
      } else {
        expect(walFiles.length).toBe(1);
        expect(skipped).toEqual([]);
      }
    });
  }

  it("a real full tmpfs: refused while full, then every acknowledged event survives", async (ctx) => {
    const mount = join(dir, "tmpfs");
    mkdirSync(mount);
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mount], { stdio: "ignore" });
      mounts.push(mount);
    } catch {
      ctx.skip(); // needs root
    }
    const root = mkdtempSync(join(dir, "tmpfs-"));
    const walDir = join(mount, "wal");
    const store = await storeAt(root, { walDir });
    const ledger: Ledger = { acked: new Map(), refused: [] };
    await round(store, ledger, 1);
    // Fill the disk to the last byte.
    const filler = join(mount, "filler");
    for (let chunk = 4096; chunk >= 1; chunk = Math.floor(chunk / 2))
      for (;;) {
        try {
          appendFileSync(filler, Buffer.alloc(chunk));
        } catch {
          break;
        }
      }
    // Turns go on until the log's last page is full too and a write fails part way.
    let attempt = 2;
    while (ledger.refused.length === 0 && attempt < 60) await round(store, ledger, attempt++);
    expect(ledger.refused.length).toBeGreaterThan(0);
    rmSync(filler);
    for (const last = attempt + 6; attempt < last;) await round(store, ledger, attempt++);
    const copy = crashCopy(root, walDir);
    await store.close();
    const { lost, resurrected } = await recover("real full tmpfs", copy, ledger);
    expect(lost).toEqual([]);
    expect(resurrected).toEqual([]);
  });

  it("a wrong-shaped line is skipped and reported; the rest is recovered and the store starts", async () => {
    const root = mkdtempSync(join(dir, "shape-"));
    const store = await storeAt(root);
    const ledger: Ledger = { acked: new Map(), refused: [] };
    for (let attempt = 1; attempt <= 2; attempt++) await round(store, ledger, attempt);
    const [segment] = readdirSync(join(root, "wal"));
    // Lines 7 to 10, between acknowledged records: each once made the restart exit.
    appendFileSync(
      join(root, "wal", segment!),
      `{}\n42\n{"key":"${people[0]}","seq":"7"}\n{"key":"${people[0]}","seq":99,"at":1,"kind":"message","message_id":null,"data":"[]"}\n`,
    );
    for (let attempt = 3; attempt <= 4; attempt++) await round(store, ledger, attempt);
    const copy = crashCopy(root);
    await store.close();
    const { lost, skipped, warnings } = await recover("wrong-shaped lines", copy, ledger);
    expect(lost).toEqual([]);
    expect(skipped.map((s) => [s.segment, s.line])).toEqual([7, 8, 9, 10].map((l) => [segment, l]));
    expect(skipped[1]!.problem).toMatch(/not a JSON object/);
    expect(skipped[2]!.problem).toMatch(/seq/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped 4 .*line 7 .*line 10/);
  });

  it("a flipped byte (a record's seq) skips and reports that record only", async () => {
    const root = mkdtempSync(join(dir, "flip-"));
    const store = await storeAt(root);
    const ledger: Ledger = { acked: new Map(), refused: [] };
    for (let attempt = 1; attempt <= 6; attempt++) await round(store, ledger, 1 + attempt);
    const copy = crashCopy(root);
    await store.close();
    const [segment] = readdirSync(join(copy, "wal"));
    const path = join(copy, "wal", segment!);
    const lines = readFileSync(path, "utf8").split("\n");
    const line = 5; // 1-based
    lines[line - 1] = lines[line - 1]!.replace(/"seq":(\d)/, (_, d: string) => `"seq":${+d + 1}`);
    writeFileSync(path, lines.join("\n"));
    const { lost, skipped, acknowledged } = await recover("flipped byte", copy, ledger);
    expect(acknowledged).toBe(18);
    expect(lost).toHaveLength(1); // only the damaged record itself
    expect(skipped).toEqual([{ segment, line, problem: "checksum mismatch" }]);
  });

  it("still reads logs written before records had checksums", async () => {
    const root = mkdtempSync(join(dir, "legacy-"));
    mkdirSync(join(root, "wal"));
    const ledger: Ledger = { acked: new Map([[people[0]!, ["old-1", "old-2"]]]), refused: [] };
    const row = (seq: number) =>
      JSON.stringify({
        key: people[0],
        seq,
        at: 1_000 + seq,
        kind: "message",
        message_id: `old-${seq}`,
        data: JSON.stringify({
          seq,
          at: 1_000 + seq,
          kind: "message",
          intent: "recommend",
          messageId: `old-${seq}`,
          interests: [0.2, 0.6, 0.2],
          embedding: [0, 1],
          signals: [],
          shown: [],
        }),
      });
    writeFileSync(join(root, "wal", "wal-00000001.log"), `${row(1)}\n${row(2)}\n`);
    const { lost, skipped } = await recover("plain JSON lines (old format)", root, ledger);
    expect(lost).toEqual([]);
    expect(skipped).toEqual([]);
  });
});
