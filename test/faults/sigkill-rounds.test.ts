// Fault suite (`npm run test:faults`): the real server is killed with SIGKILL under load from 10 simulated
// people, three rounds on one data folder. After each restart every acknowledged update must be in the
// person's export; the counts are printed.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { spawnServer, type ChildServer } from "../../research/bench/server-child.ts";
import { simulatePeople, type Answer } from "../../research/scripts/simulated-people.ts";
import { lockAddress } from "../../src/profile/folder-lock.ts";

const ROUNDS = 3;
const CLIENTS = 10;
const dir = mkdtempSync(join(tmpdir(), "chatrec-rounds-"));
const env = { CHATREC_DATA_DIR: dir, CHATREC_RATE_PER_MIN: "0", CHATREC_COMMIT_INTERVAL_MS: "200" };
const servers: ChildServer[] = [];
afterAll(() => {
  for (const s of servers) s.child.kill("SIGKILL");
  rmSync(lockAddress(join(dir, "profile-wal")), { force: true });
  rmSync(dir, { recursive: true, force: true });
});

it(`loses nothing acknowledged over ${ROUNDS} SIGKILL rounds with ${CLIENTS} clients`, async () => {
  const acked: Answer[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const server = await spawnServer(env);
    servers.push(server);
    const answers: Answer[] = [];
    let killed = false;
    const load = simulatePeople({
      base: server.url,
      people: CLIENTS,
      prefix: `r${round}-`,
      stop: () => killed,
      onAnswer: (a) => answers.push(a),
    });
    while (answers.filter((a) => a.status === 200 && a.messageId).length < 60)
      await new Promise((r) => setTimeout(r, 10));
    server.child.kill("SIGKILL");
    killed = true;
    await server.exited;
    await load;
    acked.push(...answers.filter((a) => a.status === 200 && a.messageId));

    const check = await spawnServer(env);
    servers.push(check);
    let lost = 0;
    for (const person of new Set(acked.map((a) => a.person))) {
      const res = await fetch(`${check.url}/v1/users/${person}/export`);
      const stored = new Set(
        ((await res.json()) as { events: Array<{ messageId?: string }> }).events.map(
          (e) => e.messageId,
        ),
      );
      lost += acked.filter((a) => a.person === person && !stored.has(a.messageId)).length;
    }
    console.log(`SIGKILL round ${round}: acknowledged ${acked.length} so far, lost ${lost}`);
    expect(lost).toBe(0);
    check.child.kill("SIGKILL");
    await check.exited;
  }
}, 300_000);
