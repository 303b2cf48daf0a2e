// Fault test: the real server (`chatrec start`, a child process) is killed with SIGKILL while several people
// chat with it; restarted on the same data folder, every update it acknowledged (HTTP 200) is there and
// every LanceDB table opens and reads.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer, type ChildServer } from "../research/bench/server-child.ts";
import { simulatePeople, type Answer } from "../research/scripts/simulated-people.ts";
import { lockAddress } from "../src/profile/folder-lock.ts";
import { readWalRecords } from "../src/profile/wal.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-kill-"));
// Events move from the log into LanceDB once a minute here, so at the kill the acknowledged updates are in the
// log only and the restart has to replay every one of them.
const env = {
  CHATREC_DATA_DIR: dir,
  CHATREC_RATE_PER_MIN: "0",
  CHATREC_COMMIT_INTERVAL_MS: "60000",
};
const servers: ChildServer[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill("SIGKILL");
  // The last server dies by SIGKILL too: its lock socket file would stay behind in the temp folder.
  rmSync(lockAddress(join(dir, "profile-wal")), { force: true });
  rmSync(dir, { recursive: true, force: true });
});

describe("SIGKILL under load", () => {
  it("loses no acknowledged update and leaves every table readable", async () => {
    const first = await spawnServer(env);
    servers.push(first);
    // A second server (or terminal chat) on the same folder would interleave the write-ahead log: refused.
    await expect(spawnServer(env)).rejects.toThrow(/is in use by another chatrec process/);
    const answers: Answer[] = [];
    let killed = false;
    const load = simulatePeople({
      base: first.url,
      people: 8,
      prefix: "k",
      stop: () => killed,
      onAnswer: (a) => answers.push(a),
    });
    // Kill mid-stream, once a good number of updates has been acknowledged (requests are still in flight).
    while (answers.filter((a) => a.status === 200 && a.messageId).length < 80)
      await new Promise((r) => setTimeout(r, 20));
    first.child.kill("SIGKILL");
    killed = true;
    expect(await first.exited).toBe("SIGKILL");
    await load;

    const acked = answers.filter((a) => a.status === 200 && a.messageId);
    expect(acked.length).toBeGreaterThanOrEqual(80);
    expect(answers.filter((a) => a.status !== 200 && !a.failure)).toEqual([]); // no error answers before the kill

    // At the kill, every acknowledged update is in LanceDB's events table or in the write-ahead log, and (with
    // the minute-long interval) they are in the log only.
    const walDir = join(dir, "profile-wal");
    const inWal = new Set(
      (await readWalRecords<{ message_id: string | null }>(walDir)).records.map(
        (r) => r.message_id,
      ),
    );
    const killedDb = await lancedb.connect(join(dir, "lancedb"));
    const inTable = new Set(
      (await (await killedDb.openTable("events")).query().select(["message_id"]).toArray()).map(
        (r: { message_id: string | null }) => r.message_id,
      ),
    );
    killedDb.close();
    expect(
      acked.filter((a) => !inWal.has(a.messageId!) && !inTable.has(a.messageId!)),
      "acknowledged but neither logged nor stored",
    ).toEqual([]);
    expect(
      acked.filter((a) => inWal.has(a.messageId!) && !inTable.has(a.messageId!)).length,
      "acknowledged updates only in the log",
    ).toBeGreaterThan(0);

    const second = await spawnServer(env);
    servers.push(second);
    const people = [...new Set(acked.map((a) => a.person))];
    for (const person of people) {
      const res = await fetch(`${second.url}/v1/users/${person}/export`);
      expect(res.status).toBe(200);
      const { events, profile } = (await res.json()) as {
        events: Array<{ seq: number; messageId?: string }>;
        profile: { seq: number };
      };
      const stored = new Set(events.map((e) => e.messageId));
      const missing = acked.filter((a) => a.person === person && !stored.has(a.messageId));
      expect(missing, `${person} lost acknowledged updates`).toEqual([]);
      // No holes: the stored history is a contiguous sequence and the profile folds all of it.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(profile.seq).toBe(events.length);
    }
    // The restarted server keeps serving the same people.
    const more = await fetch(`${second.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: { id: people[0] }, text: "something with dragons" }),
    });
    expect(more.status).toBe(200);
    second.child.kill("SIGKILL");
    await second.exited;

    const db = await lancedb.connect(join(dir, "lancedb"));
    const names = await db.tableNames();
    expect(names).toEqual(expect.arrayContaining(["items", "events", "profiles"]));
    for (const name of names) {
      const table = await db.openTable(name);
      // Every row reads back (profile snapshots are written in the background, so that table may be empty).
      expect((await table.query().toArray()).length, name).toBe(await table.countRows());
    }
    for (const name of ["items", "events"])
      expect(await (await db.openTable(name)).countRows(), name).toBeGreaterThan(0);
  }, 150_000);
});
