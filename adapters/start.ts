// `chatrec start`: the bot plus every configured adapter, with graceful shutdown.
import "../src/util/quiet-lancedb.ts"; // first: before anything loads LanceDB
import type { FastifyInstance } from "fastify";
import { createServer } from "node:net";
import { Bot } from "../src/bot.ts";
import { ChatrecError } from "../src/errors.ts";
import { TurnHost } from "./host.ts";
import { loadConfig } from "../src/config.ts";
import { DiscordAdapter } from "./discord/app.ts";
import { closeHttpGracefully } from "./shutdown.ts";
import { assertSafeListen } from "./webhook/auth.ts";
import { SlackAdapter } from "./slack/app.ts";
import { buildServer } from "./webhook/server.ts";

/** Hooks for a program that embeds the server (the load test times requests and learns the address). */
export interface StartHooks {
  beforeListen?: (app: FastifyInstance) => void;
  listening?: (address: string) => void;
  /** Once the turn workers run (turns are answered on the main thread until then). */
  workersStarted?: () => void;
}

export async function startServer(hooks: StartHooks = {}): Promise<void> {
  const config = loadConfig();
  assertSafeListen(config.host, config.webhookSecret);
  await assertPortFree(config.port, config.host); // before the slow loading, not after it
  const host = new TurnHost(
    // Listening as soon as the main thread is ready: a large catalog's workers load after it.
    await Bot.create(config, (s) => console.log(s), {
      workers: config.turnWorkers,
      workersInBackground: true,
    }),
  );
  const { bot } = host;
  const { webhookSecret, webChat, ratePerMinute, rateBurst, maxInFlight } = config;
  const app = buildServer(host, {
    maxBodyBytes: config.maxBodyBytes,
    logLevel: config.logLevel,
    security: { webhookSecret, webChat, ratePerMinute, rateBurst, maxInFlight },
  });
  const slack = config.slack ? new SlackAdapter(host, config.slack, { server: app }) : undefined;
  await slack?.start();
  const discord = config.discord ? new DiscordAdapter(host, config.discord) : undefined;
  await discord?.start();
  hooks.beforeListen?.(app);
  const address = await app
    .listen({ port: config.port, host: config.host })
    .catch((err: unknown) => {
      throw listenError(err, config.port, config.host);
    });
  console.log(
    `chatrec listening on ${address} (data in ${config.dataDir}${webhookSecret ? "; /v1 requires signed requests" : "; no API secret: loopback only"})`,
  );
  if (slack)
    console.log(
      slack.mode === "socket"
        ? "Slack: connected over Socket Mode"
        : `Slack: events at ${address}/slack/events`,
    );
  if (discord)
    console.log(
      `Discord: connected as ${discord.client.user?.tag ?? "the bot"}; slash commands registered`,
    );
  hooks.listening?.(address);
  void bot.workersStarted.then(() => hooks.workersStarted?.());
  let stopping = false;
  const stop = async () => {
    if (stopping) return; // npm forwards Ctrl-C as well, so one key press can arrive twice
    stopping = true;
    try {
      await slack?.stop();
      await discord?.stop();
      await closeHttpGracefully(app); // replies in progress are sent (their updates are already durable)
      await bot.close(); // flushes pending events and profile snapshots
      process.exit(0);
    } catch (err) {
      console.error(
        `chatrec: shutdown failed (${err instanceof Error ? err.message : String(err)}); the write-ahead log is replayed on the next start`,
      );
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

// Run directly (`tsx adapters/start.ts`, `npm start`).
if (
  process.argv[1] &&
  import.meta.url.endsWith(process.argv[1].replace(/^.*\/adapters\//, "/adapters/"))
) {
  startServer().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

/** Fails at once, with what to do, when another program holds the port. */
function assertPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (err) => reject(listenError(err, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

function listenError(err: unknown, port: number, host: string): unknown {
  const code = (err as { code?: string }).code;
  if (code === "EADDRINUSE")
    return new ChatrecError(
      "LISTEN",
      `port ${port} on ${host} is already in use; stop the other program or choose another port, e.g. PORT=${port + 1} npm start`,
      {},
      { cause: err },
    );
  if (code === "EACCES")
    return new ChatrecError(
      "LISTEN",
      `not allowed to listen on port ${port}; choose a port above 1023 with PORT`,
      {},
      { cause: err },
    );
  return err;
}
