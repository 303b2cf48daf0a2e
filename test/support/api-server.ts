// The real bot behind the real HTTP server, on a fresh temporary data folder, for tests that talk HTTP.
import { TurnHost } from "../../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Replay } from "../../src/replay.ts";
import { loadConfig, type Config } from "../../src/config.ts";

export interface ApiServer {
  bot: Replay;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> */
  base: string;
  /** Closes server and bot and removes the data folder. */
  close(): Promise<void>;
}

export async function startApiServer(overrides: Partial<Config> = {}): Promise<ApiServer> {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-api-"));
  const bot = await Replay.open(
    loadConfig({}, { dataDir: dir, commitIntervalMs: 5, ...overrides }),
  );
  const app = buildServer(new TurnHost(bot), { maxBodyBytes: bot.config.maxBodyBytes });
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    bot,
    app,
    base,
    close: async () => {
      await app.close();
      await bot.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
