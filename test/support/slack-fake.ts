// Slack, faked at the protocol level: a local Web API (auth.test, chat.postMessage, chat.update,
// apps.connections.open, response_url) that records every call, a Socket Mode server over `ws`, and
// builders for properly signed Events API / interactivity / slash-command requests.
import { TurnHost } from "../../adapters/host.ts";
import { createHmac } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseForm, stringify as formBody } from "node:querystring";
import { LogLevel } from "@slack/bolt";
import type { FastifyInstance } from "fastify";
import { WebSocketServer, type WebSocket } from "ws";
import { SlackAdapter } from "../../adapters/slack/app.ts";
import { SLACK_EVENTS_PATH } from "../../adapters/slack/receiver.ts";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Replay } from "../../src/replay.ts";
import { loadConfig } from "../../src/config.ts";
import {
  seededDataDir,
  type AdapterDriver,
  type AdapterDriverFactory,
  type ClickAction,
  type Person,
  type Reply,
} from "./adapter-driver.ts";

export const BOT_USER_ID = "UBOT0001";
export const BOT_ID = "BBOT0001";
export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
/** A message whose answer is recognisable and changes nothing: see FakeSlack.waitForProfileAnswer. */
export { PROFILE_QUESTION } from "../../src/messages.ts";

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  /** What the fake answered (e.g. the `ts` of a posted message). */
  result: Record<string, unknown>;
  /** When the call arrived (Date.now()). */
  at: number;
}

export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
}

/** A Slack workspace's Web API on 127.0.0.1, recording what the app calls. */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  readonly acks: Array<{ envelope_id: string; payload?: unknown }> = [];
  /** Methods answered with `{ ok: false, error }`, e.g. auth.test -> invalid_auth. */
  readonly failures = new Map<string, string>();
  private readonly held = new Map<string, Promise<void>>();
  private readonly waiters: Array<() => void> = [];
  private readonly sockets = new Set<WebSocket>();
  private nextTs = 1_700_000_000;
  private nextResponseUrl = 0;
  private envelopes = 0;
  private readonly wss: WebSocketServer;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {
    this.wss = new WebSocketServer({ server, path: "/socket" });
    this.wss.on("connection", (ws) => {
      this.sockets.add(ws);
      ws.on("close", () => this.sockets.delete(ws));
      ws.on("message", (data) => {
        this.acks.push(JSON.parse(String(data)) as { envelope_id: string; payload?: unknown });
        this.notify();
      });
      ws.send(
        JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "AFAKE" } }),
      );
      this.notify();
    });
  }

  static async start(): Promise<FakeSlack> {
    const server: Server = createServer((req, res) => {
      void fake.handle(req).then(
        (body) =>
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const fake = new FakeSlack(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    );
    return fake;
  }

  /** The Web API base to give Bolt (SLACK_API_URL / clientOptions.slackApiUrl). */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  get socketConnections(): number {
    return this.sockets.size;
  }

  /** A fresh response_url, as Slack puts in each slash command and interaction. */
  responseUrl(): string {
    return `${this.baseUrl}response/${++this.nextResponseUrl}`;
  }

  /** Holds every call to `method` until the returned function is called (to prove acks do not wait for it). */
  hold(method: string): () => void {
    let release!: () => void;
    this.held.set(method, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(method);
      release();
    };
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  postsIn(channel: string): ApiCall[] {
    return this.callsTo("chat.postMessage").filter((c) => c.args.channel === channel);
  }

  /**
   * Waits for the bot's answer to PROFILE_QUESTION in `channel`. One person's turns run in arrival order, so by
   * then a reply to anything that person sent before it (a duplicate under test) has been posted too.
   */
  waitForProfileAnswer(channel: string): Promise<ApiCall> {
    return this.waitFor(() =>
      this.postsIn(channel).find((c) =>
        /^I (think you like|don't know your taste)/.test(String(c.args.text)),
      ),
    );
  }

  /** Resolves once `predicate` holds over what was recorded; rejects after `timeoutMs`. */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error("timed out waiting for the fake Slack to see the expected call");
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Sends a Socket Mode envelope to every connected client; resolves with the client's ack. */
  async sendEnvelope(
    type: "events_api" | "interactive" | "slash_commands",
    payload: Record<string, unknown>,
    retryAttempt = 0,
  ): Promise<{ envelope_id: string; payload?: unknown }> {
    const envelopeId = `env-${++this.envelopes}`;
    const message = JSON.stringify({
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== "events_api",
      retry_attempt: retryAttempt,
      retry_reason: retryAttempt ? "timeout" : "",
    });
    for (const ws of this.sockets) ws.send(message);
    return this.waitFor(() => this.acks.find((a) => a.envelope_id === envelopeId));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private async handle(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? "/", this.baseUrl).pathname;
    if (path.startsWith("/response/")) {
      this.responses.push({
        id: path.slice("/response/".length),
        body: JSON.parse(raw) as Record<string, unknown>,
      });
      this.notify();
      return { ok: true };
    }
    const method = path.replace(/^\/api\//, "");
    const args = decodeApiArgs(raw, String(req.headers["content-type"] ?? ""));
    const token = String(req.headers.authorization ?? "").replace(/^Bearer /, "") || undefined;
    await this.held.get(method);
    const result = this.answer(method, args);
    this.calls.push({ method, args, ...(token ? { token } : {}), result, at: Date.now() });
    this.notify();
    return result;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const failure = this.failures.get(method);
    if (failure) return { ok: false, error: failure };
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake.slack.com/",
          team: "Fake",
          user: "chatrec",
          team_id: "T0001",
          user_id: BOT_USER_ID,
          bot_id: BOT_ID,
        };
      case "apps.connections.open":
        return { ok: true, url: `${this.baseUrl.replace(/^http/, "ws")}socket` };
      case "chat.postMessage": {
        const ts = `${++this.nextTs}.000100`;
        return {
          ok: true,
          channel: args.channel,
          ts,
          message: {
            type: "message",
            ts,
            text: args.text,
            blocks: args.blocks,
            user: BOT_USER_ID,
            bot_id: BOT_ID,
          },
        };
      }
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      default:
        return { ok: false, error: "unknown_method" };
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The Web API client sends form fields; structured ones (blocks, attachments) are JSON strings inside. */
function decodeApiArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/json"))
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const args: Record<string, unknown> = { ...parseForm(raw) };
  for (const key of ["blocks", "attachments", "metadata"]) {
    if (typeof args[key] === "string") args[key] = JSON.parse(args[key]);
  }
  return args;
}

// ---------- signed requests to POST /slack/events ----------

export interface SignOptions {
  secret?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  retryNum?: number;
}

/** Slack's v0 signature, written out from Slack's documentation (not shared with the adapter's verifier). */
export function slackHeaders(
  rawBody: string,
  contentType: string,
  opts: SignOptions = {},
): Record<string, string> {
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const signature =
    "v0=" +
    createHmac("sha256", opts.secret ?? SIGNING_SECRET)
      .update(`v0:${ts}:${rawBody}`)
      .digest("hex");
  return {
    "content-type": contentType,
    "x-slack-request-timestamp": ts,
    "x-slack-signature": signature,
    ...(opts.retryNum
      ? { "x-slack-retry-num": String(opts.retryNum), "x-slack-retry-reason": "http_timeout" }
      : {}),
  };
}

export type SlackBody = { json: Record<string, unknown> } | { form: Record<string, string> };

export function encodeSlackBody(body: SlackBody): { raw: string; contentType: string } {
  return "json" in body
    ? { raw: JSON.stringify(body.json), contentType: "application/json" }
    : { raw: formBody(body.form), contentType: "application/x-www-form-urlencoded" };
}

export function postSigned(
  url: string,
  body: SlackBody,
  opts: SignOptions = {},
): Promise<Response> {
  const { raw, contentType } = encodeSlackBody(body);
  return fetch(url, { method: "POST", headers: slackHeaders(raw, contentType, opts), body: raw });
}

let sequence = 0;
const nextTs = () => `${1_800_000_000 + ++sequence}.${String(sequence).padStart(6, "0")}`;

export interface MessageEventInput {
  team: string;
  user: string;
  text: string;
  channel: string;
  ts?: string;
  threadTs?: string;
  botId?: string;
  subtype?: string;
  eventId?: string;
}

/** An Events API callback around an app_mention (channel) or message (im) event. */
export function eventCallback(
  kind: "app_mention" | "dm",
  m: MessageEventInput,
): Record<string, unknown> {
  const ts = m.ts ?? nextTs();
  const event: Record<string, unknown> = {
    type: kind === "app_mention" ? "app_mention" : "message",
    user: m.user,
    text: m.text,
    ts,
    event_ts: ts,
    channel: m.channel,
    ...(kind === "dm" ? { channel_type: "im" } : {}),
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.botId ? { bot_id: m.botId } : {}),
    ...(m.subtype ? { subtype: m.subtype } : {}),
  };
  return {
    token: "verification-token-unused",
    team_id: m.team,
    api_app_id: "AFAKE",
    event,
    type: "event_callback",
    event_id: m.eventId ?? `Ev${ts.replace(".", "")}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: m.team, user_id: BOT_USER_ID, is_bot: true }],
  };
}

export function slashCommand(
  fake: FakeSlack,
  c: { team: string; user: string; command: string; text?: string; channel?: string },
): Record<string, string> {
  return {
    token: "verification-token-unused",
    team_id: c.team,
    team_domain: "fake",
    channel_id: c.channel ?? "C0CMD",
    channel_name: "general",
    user_id: c.user,
    user_name: c.user.toLowerCase(),
    command: c.command,
    text: c.text ?? "",
    api_app_id: "AFAKE",
    response_url: fake.responseUrl(),
    trigger_id: `trigger.${nextTs()}`,
  };
}

export interface ClickInput {
  team: string;
  user: string;
  actionId: string;
  value: string;
  channel: string;
  messageTs: string;
  threadTs?: string;
  ephemeral?: boolean;
}

/** The block_actions payload Slack sends when a button in a message is clicked. */
export function blockActions(fake: FakeSlack, c: ClickInput): Record<string, unknown> {
  return {
    type: "block_actions",
    user: { id: c.user, username: c.user.toLowerCase(), team_id: c.team },
    api_app_id: "AFAKE",
    token: "verification-token-unused",
    container: {
      type: "message",
      message_ts: c.messageTs,
      channel_id: c.channel,
      is_ephemeral: c.ephemeral ?? false,
    },
    trigger_id: `trigger.${nextTs()}`,
    team: { id: c.team, domain: "fake" },
    channel: { id: c.channel, name: "general" },
    ...(c.ephemeral
      ? {}
      : {
          message: {
            type: "message",
            ts: c.messageTs,
            ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
            user: BOT_USER_ID,
            bot_id: BOT_ID,
            text: "",
          },
        }),
    response_url: fake.responseUrl(),
    actions: [
      {
        type: "button",
        action_id: c.actionId,
        block_id: "actions_0",
        value: c.value,
        text: { type: "plain_text", text: "x" },
        action_ts: nextTs(),
      },
    ],
  };
}

// ---------- reading what the app posted ----------

export interface RenderedCard {
  id: string;
  title: string;
  year?: number;
  reason?: string;
  owner: string;
  actions: string[];
}

interface Block {
  type: string;
  text?: { text: string };
  elements?: Array<{
    type: string;
    action_id?: string;
    value?: string;
    text?: string | { text: string };
  }>;
}

/** Reads the item cards back out of posted Block Kit blocks, the way a person sees them. */
export function readCards(blocks: unknown): RenderedCard[] {
  const list = (blocks ?? []) as Block[];
  const cards: RenderedCard[] = [];
  list.forEach((block, i) => {
    const m =
      block.type === "section"
        ? /^\*\d+\. (.+?)\*(?: \((\d{4})\))?(?:\n([\s\S]*))?$/.exec(block.text?.text ?? "")
        : null;
    const next = list[i + 1];
    if (!m || next?.type !== "actions") return;
    const buttons = next.elements ?? [];
    const value = JSON.parse(buttons[0]?.value ?? "{}") as { item?: string; for?: string };
    cards.push({
      id: value.item ?? "",
      title: unescape(m[1]!),
      ...(m[2] ? { year: Number(m[2]) } : {}),
      ...(m[3] ? { reason: unescape(m[3]) } : {}),
      owner: value.for ?? "",
      actions: buttons.map((b) => b.action_id ?? ""),
    });
  });
  return cards;
}

export function leadText(blocks: unknown): string {
  const first = ((blocks ?? []) as Block[])[0];
  return unescape(first?.text?.text ?? "");
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

// ---------- the whole set-up: real bot, real server, real Bolt app, fake Slack ----------

/** A running bot with the Slack adapter mounted in its real HTTP server, talking to a fake Slack. */
export interface SlackHarness {
  slack: FakeSlack;
  bot: Replay;
  server: FastifyInstance;
  adapter: SlackAdapter;
  /** The URL of POST /slack/events. */
  events: string;
  stop(): Promise<void>;
}

/** `env`: extra environment (e.g. the LLM's); the Slack variables point at the fake. Data in a fresh seeded folder. */
export async function startSlackHarness(
  prefix: string,
  env: Record<string, string> = {},
): Promise<SlackHarness> {
  const dir = await seededDataDir(prefix);
  const slack = await FakeSlack.start();
  const config = loadConfig(
    {
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      ...env,
    },
    { dataDir: dir, commitIntervalMs: 2 },
  );
  const bot = await Replay.open(config);
  const server = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
  const adapter = new SlackAdapter(new TurnHost(bot), config.slack!, {
    server,
    logLevel: LogLevel.ERROR,
  });
  await adapter.start();
  const events = (await server.listen({ port: 0, host: "127.0.0.1" })) + SLACK_EVENTS_PATH;
  return {
    slack,
    bot,
    server,
    adapter,
    events,
    async stop() {
      await adapter.stop();
      await server.close();
      await bot.close();
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------- the contract-suite driver ----------

/**
 * Drives the Slack adapter the way people do: direct messages and button clicks arrive as signed HTTP
 * requests at POST /slack/events of the real server; replies are read from the fake Web API's record.
 */
export class SlackDriver implements AdapterDriver {
  readonly name = "slack";
  readonly scoped = true;
  readonly buttons = true;
  private harness!: SlackHarness;
  /** The message each person's buttons are on: channel and ts of the last list the bot posted. */
  private readonly lastList = new Map<string, { channel: string; ts: string; blocks: unknown }>();

  async start(): Promise<void> {
    this.harness = await startSlackHarness("slack-driver");
  }

  async say(person: Person, text: string): Promise<Reply> {
    const team = person.scope ?? "T0DRIVER";
    const channel = `D${team}${person.id}`;
    const before = this.harness.slack.callsTo("chat.postMessage").length;
    const res = await postSigned(this.harness.events, {
      json: eventCallback("dm", { team, user: person.id, channel, text }),
    });
    if (res.status !== 200) throw new Error(`POST /slack/events answered ${res.status}`);
    const post = await this.harness.slack.waitFor(() =>
      this.harness.slack
        .callsTo("chat.postMessage")
        .slice(before)
        .find((c) => c.args.channel === channel),
    );
    if (readCards(post.args.blocks).length)
      this.lastList.set(this.key(person), {
        channel,
        ts: String(post.result.ts),
        blocks: post.args.blocks,
      });
    return toReply(post.args.blocks);
  }

  async click(person: Person, itemId: string, action: ClickAction): Promise<Reply> {
    const team = person.scope ?? "T0DRIVER";
    const list = this.lastList.get(this.key(person)) ?? {
      channel: `D${team}${person.id}`,
      ts: "1700000000.000001",
      blocks: [],
    };
    // A card the list does not show (stale or forged) is still clicked the way Slack would send it.
    const owner = readCards(list.blocks).find((c) => c.id === itemId)?.owner ?? person.id;
    const updates = this.harness.slack.callsTo("chat.update").length;
    const payload = blockActions(this.harness.slack, {
      team,
      user: person.id,
      actionId: `chatrec_${action}`,
      value: JSON.stringify({ item: itemId, for: owner }),
      channel: list.channel,
      messageTs: list.ts,
    });
    const responseId = String(payload.response_url).split("/").at(-1);
    const res = await postSigned(this.harness.events, {
      form: { payload: JSON.stringify(payload) },
    });
    if (res.status !== 200) throw new Error(`POST /slack/events answered ${res.status}`);
    // The refreshed list replaces the message (chat.update); an apology arrives through the response_url.
    const blocks = await this.harness.slack.waitFor(
      () =>
        this.harness.slack
          .callsTo("chat.update")
          .slice(updates)
          .find((c) => c.args.channel === list.channel && c.args.ts === list.ts)?.args.blocks ??
        this.harness.slack.responses.find((r) => r.id === responseId)?.body.blocks,
    );
    if (readCards(blocks).length) this.lastList.set(this.key(person), { ...list, blocks });
    return toReply(blocks);
  }

  stop(): Promise<void> {
    return this.harness.stop();
  }

  private key(person: Person): string {
    return `${person.scope ?? ""}/${person.id}`;
  }
}

function toReply(blocks: unknown): Reply {
  return {
    text: leadText(blocks),
    items: readCards(blocks).map((c) => ({ id: c.id, title: c.title })),
  };
}

export const slackDriver: AdapterDriverFactory = () => new SlackDriver();
