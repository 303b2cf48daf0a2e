// A real bot on the demo catalog (real model, real LanceDB) in a temporary data folder, opened before a
// test file's tests and closed and removed after them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { Replay } from "../../src/replay.ts";

export function useDemoBot(name: string, opened: (bot: Replay) => void): void {
  const dir = mkdtempSync(join(tmpdir(), `chatrec-${name}-`));
  let bot: Replay | undefined;
  beforeAll(async () => {
    bot = await Replay.open(loadConfig({}, { dataDir: dir, commitIntervalMs: 2 }));
    opened(bot);
  });
  afterAll(async () => {
    await bot?.close();
    rmSync(dir, { recursive: true, force: true });
  });
}
