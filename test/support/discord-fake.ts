// Discord, faked at the protocol level on 127.0.0.1: a REST API (/api/v10: gateway/bot, application
// commands, channel messages, interaction callbacks, webhook edits) that records every call, and a gateway
// over `ws` (HELLO, IDENTIFY -> READY, heartbeats, dispatches). A real discord.js Client talks to it.
import { TurnHost } from "../../adapters/host.ts";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rmSync } from "node:fs";
import { WebSocketServer, type WebSocket } from "ws";
import { DiscordAdapter } from "../../adapters/discord/app.ts";
import { Replay } from "../../src/replay.ts";
import { loadConfig, type Config } from "../../src/config.ts";
import {
  seededDataDir,
  type AdapterDriver,
  type AdapterDriverFactory,
  type ClickAction,
  type Person,
  type Reply,
} from "./adapter-driver.ts";

export const TOKEN = "fake-bot-token.MTAx.discord";
export const APPLICATION_ID = "100000000000000001";
export const BOT_USER_ID = "100000000000000002";

export interface RestCall {
  method: string;
  /** Path below /api/v10, e.g. /channels/5/messages. */
  path: string;
  body: Record<string, unknown> | unknown[] | undefined;
  auth: string | undefined;
  at: number;
}

export interface Identify {
  token: string;
  intents: number;
}

/** GatewayIntentBits.MessageContent: without it Discord blanks the content of guild messages not meant for the bot. */
export const MESSAGE_CONTENT_INTENT = 1 << 15;

type ApiMessage = Record<string, unknown> & { id: string; channel_id: string };

let snowflake = 200000000000000000n;
/** Channel ids live in their own ranges so they never equal a message or user id. */
const GUILD_CHANNEL_OFFSET = 400000000000000000n;
const DM_CHANNEL_OFFSET = 500000000000000000n;
/** Unique, increasing, snowflake-shaped ids for everything the fake creates. */
export const nextId = () => String(++snowflake);

export class FakeDiscord {
  readonly calls: RestCall[] = [];
  readonly identifies: Identify[] = [];
  readonly heartbeats: number[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly guilds = new Map<string, string>();
  private readonly waiters: Array<() => void> = [];
  private seq = 0;
  private readonly wss: WebSocketServer;

  private readonly server: Server;
  port = 0;

  private constructor(
    /** Sent in HELLO; small values make discord.js heartbeat within a test. */
    private readonly heartbeatMs: number,
  ) {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: "/gateway" });
    this.wss.on("connection", (ws) => this.onConnection(ws));
  }

  static async start(opts: { heartbeatMs?: number } = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts.heartbeatMs ?? 45_000);
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The value for DISCORD_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves with the first recorded call (past or future) that matches; rejects after `ms`. */
  async waitFor(match: (c: RestCall) => boolean, ms = 30_000, from = 0): Promise<RestCall> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.calls.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching Discord API call within ${ms} ms; calls: ${this.calls.map((c) => `${c.method} ${c.path}`).join(", ")}`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Sends a gateway dispatch (op 0) to every connected client. */
  dispatch(t: string, d: unknown): void {
    const frame = JSON.stringify({ op: 0, t, s: ++this.seq, d });
    for (const ws of this.sockets) ws.send(frame);
  }

  /** The guild for a workspace-like scope name, announced with GUILD_CREATE the first time (a bot joining it). */
  guild(scope: string): { guildId: string; channelId: string } {
    let guildId = this.guilds.get(scope);
    if (!guildId) {
      guildId = nextId();
      this.guilds.set(scope, guildId);
      const channelId = String(BigInt(guildId) + GUILD_CHANNEL_OFFSET);
      this.dispatch("GUILD_CREATE", {
        id: guildId,
        name: scope,
        icon: null,
        owner_id: BOT_USER_ID,
        afk_timeout: 300,
        verification_level: 0,
        default_message_notifications: 0,
        explicit_content_filter: 0,
        features: [],
        mfa_level: 0,
        system_channel_flags: 0,
        premium_tier: 0,
        nsfw_level: 0,
        preferred_locale: "en-US",
        roles: [
          {
            id: guildId,
            name: "@everyone",
            permissions: "68608",
            position: 0,
            color: 0,
            hoist: false,
            managed: false,
            mentionable: false,
            flags: 0,
          },
        ],
        emojis: [],
        stickers: [],
        member_count: 3,
        large: false,
        unavailable: false,
        joined_at: new Date().toISOString(),
        channels: [
          {
            id: channelId,
            type: 0,
            guild_id: guildId,
            name: "general",
            position: 0,
            permission_overwrites: [],
            nsfw: false,
            topic: null,
            last_message_id: null,
          },
        ],
        threads: [],
        members: [],
        presences: [],
        voice_states: [],
        stage_instances: [],
        guild_scheduled_events: [],
      });
    }
    return { guildId, channelId: String(BigInt(guildId) + GUILD_CHANNEL_OFFSET) };
  }

  private onConnection(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on("close", () => this.sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatMs } }));
    ws.on("message", (raw) => {
      const frame = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (frame.op === 1) {
        this.heartbeats.push(Date.now());
        ws.send(JSON.stringify({ op: 11 }));
      } else if (frame.op === 2) {
        const d = frame.d as Identify;
        this.identifies.push({ token: d.token, intents: d.intents });
        if (d.token !== TOKEN) return ws.close(4004, "Authentication failed.");
        this.guilds.clear();
        ws.send(
          JSON.stringify({
            op: 0,
            t: "READY",
            s: ++this.seq,
            d: {
              v: 10,
              user: {
                id: BOT_USER_ID,
                username: "chatrec",
                discriminator: "0",
                global_name: null,
                avatar: null,
                bot: true,
                flags: 0,
              },
              guilds: [],
              session_id: "fake-session",
              resume_gateway_url: `ws://127.0.0.1:${this.port}/gateway`,
              shard: [0, 1],
              application: { id: APPLICATION_ID, flags: 0 },
              private_channels: [],
              relationships: [],
              presences: [],
              geo_ordered_rtc_regions: [],
            },
          }),
        );
      }
    });
  }

  private async onRequest(
    req: IncomingMessage,
    res: import("node:http").ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? "/", "http://x");
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, "");
    const auth = req.headers.authorization;
    const call: RestCall = {
      method: req.method ?? "GET",
      path,
      body: raw ? (JSON.parse(raw) as RestCall["body"]) : undefined,
      auth,
      at: Date.now(),
    };
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    // Interaction callbacks and webhook edits are authorised by their token; everything else needs the bot token.
    const tokenAuthorised = /^\/(interactions|webhooks)\//.test(path);
    if (!tokenAuthorised && auth !== `Bot ${TOKEN}`)
      return send(401, { message: "401: Unauthorized", code: 0 });
    this.calls.push(call);
    for (const wake of this.waiters.splice(0)) wake();

    let m: RegExpExecArray | null;
    if (call.method === "GET" && path === "/gateway/bot") {
      return send(200, {
        url: `ws://127.0.0.1:${this.port}/gateway`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (call.method === "PUT" && (m = /^\/applications\/(\d+)\/commands$/.exec(path))) {
      return send(
        200,
        (call.body as Array<Record<string, unknown>>).map((c) => ({
          ...c,
          id: nextId(),
          application_id: m![1],
          version: "1",
        })),
      );
    }
    if (call.method === "POST" && (m = /^\/channels\/(\d+)\/messages$/.exec(path)))
      return send(200, this.message(m[1]!, call.body as Record<string, unknown>));
    if (call.method === "PATCH" && (m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)))
      return send(200, { ...this.message(m[1]!, call.body as Record<string, unknown>), id: m[2] });
    if (call.method === "POST" && /^\/channels\/\d+\/typing$/.test(path)) return send(204);
    if (call.method === "POST" && /^\/interactions\/\d+\/[^/]+\/callback$/.test(path))
      return send(204);
    if ((m = /^\/webhooks\/\d+\/[^/]+(?:\/messages\/(@original|\d+))?$/.exec(path)))
      return send(200, this.message("0", (call.body ?? {}) as Record<string, unknown>));
    return send(404, { message: `Unknown route ${call.method} ${path}`, code: 0 });
  }

  /** A message object as Discord returns it for one the bot sent. */
  message(
    channelId: string,
    body: Record<string, unknown>,
    author: Record<string, unknown> = {
      id: BOT_USER_ID,
      username: "chatrec",
      discriminator: "0",
      global_name: null,
      avatar: null,
      bot: true,
    },
  ): ApiMessage {
    return {
      id: nextId(),
      channel_id: channelId,
      type: body.message_reference ? 19 : 0,
      author,
      content: "",
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      components: [],
      pinned: false,
      flags: 0,
      ...body,
    };
  }
}

/** A person's message as the gateway delivers it: in a guild channel (mentioning the bot) or a DM. */
export function messageCreate(
  fake: FakeDiscord,
  m: {
    userId: string;
    username?: string;
    content: string;
    guild?: { guildId: string; channelId: string };
    dmChannelId?: string;
    bot?: boolean;
    mentionsBot?: boolean;
  },
): ApiMessage {
  const author = {
    id: m.userId,
    username: m.username ?? `user${m.userId.slice(-4)}`,
    discriminator: "0",
    global_name: null,
    avatar: null,
    ...(m.bot ? { bot: true } : {}),
  };
  const mentions = m.mentionsBot
    ? [
        {
          id: BOT_USER_ID,
          username: "chatrec",
          discriminator: "0",
          global_name: null,
          avatar: null,
          bot: true,
        },
      ]
    : [];
  const channelId =
    m.guild?.channelId ?? m.dmChannelId ?? String(BigInt(m.userId) + DM_CHANNEL_OFFSET);
  // As Discord does: without the Message Content intent a bot still sees DMs, messages mentioning it and its own.
  const contentVisible =
    !m.guild ||
    m.mentionsBot ||
    m.userId === BOT_USER_ID ||
    ((fake.identifies.at(-1)?.intents ?? 0) & MESSAGE_CONTENT_INTENT) !== 0;
  const data = {
    ...fake.message(channelId, { content: contentVisible ? m.content : "", mentions }, author),
    type: 0,
    ...(m.guild
      ? {
          guild_id: m.guild.guildId,
          member: {
            roles: [],
            joined_at: new Date().toISOString(),
            deaf: false,
            mute: false,
            flags: 0,
          },
        }
      : { channel_type: 1 }),
  };
  fake.dispatch("MESSAGE_CREATE", data);
  return data;
}

export interface InteractionInput {
  userId: string;
  guild?: { guildId: string; channelId: string };
  /** For a button: the message the button is on, and its custom_id. */
  button?: { message: Record<string, unknown>; customId: string };
  /** For a slash command: its name and options. */
  command?: { name: string; options?: Array<{ name: string; type: number; value: string }> };
}

/** An INTERACTION_CREATE dispatch; returns its id and token (the callback URL is /interactions/<id>/<token>/callback). */
export function interactionCreate(
  fake: FakeDiscord,
  i: InteractionInput,
): { id: string; token: string } {
  const id = nextId();
  const token = `itoken-${id}`;
  const user = {
    id: i.userId,
    username: `user${i.userId.slice(-4)}`,
    discriminator: "0",
    global_name: null,
    avatar: null,
  };
  const channelId = i.guild?.channelId ?? String(BigInt(i.userId) + DM_CHANNEL_OFFSET);
  fake.dispatch("INTERACTION_CREATE", {
    id,
    token,
    application_id: APPLICATION_ID,
    version: 1,
    locale: "en-US",
    app_permissions: "68608",
    entitlements: [],
    authorizing_integration_owners: {},
    channel_id: channelId,
    channel: { id: channelId, type: i.guild ? 0 : 1 },
    ...(i.guild
      ? {
          guild_id: i.guild.guildId,
          guild_locale: "en-US",
          member: {
            user,
            roles: [],
            joined_at: new Date().toISOString(),
            deaf: false,
            mute: false,
            flags: 0,
            permissions: "68608",
          },
          context: 0,
        }
      : { user, context: 1 }),
    ...(i.button
      ? {
          type: 3,
          message: i.button.message,
          data: { custom_id: i.button.customId, component_type: 2 },
        }
      : {
          type: 2,
          data: {
            id: nextId(),
            name: i.command!.name,
            type: 1,
            ...(i.command!.options ? { options: i.command!.options } : {}),
          },
        }),
  });
  return { id, token };
}

/** Starts a Bot, a FakeDiscord and the real DiscordAdapter connected to it. */
export async function startDiscord(
  opts: {
    env?: NodeJS.ProcessEnv;
    config?: Partial<Config>;
    deferAfterMs?: number;
    heartbeatMs?: number;
  } = {},
) {
  const fake = await FakeDiscord.start(opts.heartbeatMs ? { heartbeatMs: opts.heartbeatMs } : {});
  const dir = await seededDataDir("discord");
  const config = loadConfig(
    {
      ...opts.env,
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_API_URL: fake.apiUrl,
    },
    { dataDir: dir, commitIntervalMs: 2, ...opts.config },
  );
  const bot = await Replay.open(config);
  const errors: unknown[] = [];
  const adapter = new DiscordAdapter(new TurnHost(bot), config.discord!, {
    ...(opts.deferAfterMs !== undefined ? { deferAfterMs: opts.deferAfterMs } : {}),
    log: (message, err) => errors.push([message, err]),
  });
  await adapter.start();
  const stop = async () => {
    await adapter.stop();
    await fake.close();
    await bot.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { fake, bot, adapter, config, errors, stop };
}

/** What a person sees in a message the bot sent: the text, and the cards with the item ids their buttons carry. */
export function readReply(body: Record<string, unknown>): Reply {
  const embeds = (body.embeds ?? []) as Array<{ title: string }>;
  const rows = (body.components ?? []) as Array<{ components: Array<{ custom_id: string }> }>;
  const items = embeds.map((e, i) => {
    const title = /^\d+\. (.+?)(?: \(\d{4}\))?$/s.exec(e.title)?.[1] ?? e.title;
    const customId = rows[i]?.components[0]?.custom_id ?? "";
    return { id: customId.split(":").slice(3).join(":"), title };
  });
  return { text: String(body.content ?? ""), items };
}

/** Contract driver: a Person with a scope writes in that guild's channel mentioning the bot; without, in a DM. */
class DiscordDriver implements AdapterDriver {
  readonly name = "discord";
  readonly scoped = true;
  readonly buttons = true;
  private env: Awaited<ReturnType<typeof startDiscord>> | undefined;
  private readonly users = new Map<string, string>();
  /** The last list message each person got (their buttons are on it). */
  private readonly lastMessage = new Map<string, Record<string, unknown>>();

  async start(): Promise<void> {
    this.env = await startDiscord();
  }

  private userId(person: Person): string {
    let id = this.users.get(person.id);
    if (!id) this.users.set(person.id, (id = nextId()));
    return id;
  }

  private key = (person: Person) => `${person.scope ?? "dm"}:${person.id}`;

  async say(person: Person, text: string): Promise<Reply> {
    const { fake } = this.env!;
    const guild = person.scope ? fake.guild(person.scope) : undefined;
    const userId = this.userId(person);
    const sent = messageCreate(fake, {
      userId,
      content: guild ? `<@${BOT_USER_ID}> ${text}` : text,
      ...(guild ? { guild, mentionsBot: true } : {}),
    });
    const call = await fake.waitFor(
      (c) =>
        c.method === "POST" &&
        c.path === `/channels/${sent.channel_id}/messages` &&
        (c.body as { message_reference?: { message_id: string } }).message_reference?.message_id ===
          sent.id,
    );
    const body = call.body as Record<string, unknown>;
    if ((body.components as unknown[] | undefined)?.length)
      this.lastMessage.set(this.key(person), fake.message(sent.channel_id, body));
    return readReply(body);
  }

  async click(person: Person, itemId: string, action: ClickAction): Promise<Reply> {
    const { fake } = this.env!;
    const guild = person.scope ? fake.guild(person.scope) : undefined;
    const userId = this.userId(person);
    const message =
      this.lastMessage.get(this.key(person)) ?? fake.message(guild?.channelId ?? "0", {});
    const { id } = interactionCreate(fake, {
      userId,
      ...(guild ? { guild } : {}),
      button: { message, customId: `cr:${action}:${userId}:${itemId}` },
    });
    const call = await fake.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));
    const response = call.body as { type: number; data?: Record<string, unknown> };
    if (response.type === 7) {
      const updated = { ...message, ...response.data };
      this.lastMessage.set(this.key(person), updated);
      return readReply(updated);
    }
    return readReply(response.data ?? {});
  }

  async stop(): Promise<void> {
    await this.env?.stop();
  }
}

export const discordDriver: AdapterDriverFactory = () => new DiscordDriver();
