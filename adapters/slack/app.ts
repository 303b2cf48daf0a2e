// The Slack adapter: a Bolt app over HTTP events (on the bot's fastify port) or Socket Mode, turning app
// mentions, direct messages, slash commands and button clicks into turns of the platform-neutral Bot.
import {
  App,
  LogLevel,
  SocketModeReceiver,
  type BlockAction,
  type ButtonAction,
  type RespondFn,
  type SlashCommand,
  type webApi,
} from "@slack/bolt";
import type { FastifyInstance } from "fastify";
import { PROFILE_QUESTION, UNREADABLE_BUTTON } from "../../src/messages.ts";
import type { SlackConfig } from "../../src/config.ts";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import type { ChatAdapter, Outlet } from "../contract.ts";
import type { TurnHost } from "../host.ts";
import {
  ACTION_ID_PATTERN,
  parseButtonValue,
  renderReply,
  signalOfAction,
  type SlackMessage,
} from "./blocks.ts";
import { FastifySlackReceiver } from "./receiver.ts";
import { plainText } from "./text.ts";

export const PLATFORM = "slack";

export interface SlackAdapterOptions {
  /** HTTP mode: the fastify app that will serve POST /slack/events; it must not be listening yet. */
  server?: FastifyInstance;
  logLevel?: LogLevel;
}

/** The fields of a Slack message event this adapter reads (app_mention and message.im share them). */
interface MessageEventFields {
  type: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  channel_type?: string;
}

interface EventEnvelope {
  event_id?: string;
  team_id?: string;
}

export class SlackAdapter implements ChatAdapter {
  readonly platform = PLATFORM;
  readonly app: App;
  readonly mode: "http" | "socket";
  constructor(
    private readonly host: TurnHost,
    config: SlackConfig,
    opts: SlackAdapterOptions = {},
  ) {
    const logLevel = opts.logLevel ?? LogLevel.WARN;
    // A reply minutes late is worse than none: a few quick retries, not the client's default half hour.
    const clientOptions = {
      ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
      retryConfig: { retries: 2, factor: 2 },
    };
    const common = {
      token: config.botToken,
      logLevel,
      clientOptions,
      deferInitialization: true,
      convoStore: false as const,
    };
    if (config.appToken) {
      this.mode = "socket";
      const receiver = new SocketModeReceiver({
        appToken: config.appToken,
        logLevel,
        installerOptions: { clientOptions },
      });
      this.app = new App({ ...common, socketMode: true, receiver });
    } else {
      if (!config.signingSecret) throw new Error("Slack HTTP mode needs a signing secret");
      if (!opts.server)
        throw new Error("Slack HTTP mode needs the fastify server to mount POST /slack/events on");
      this.mode = "http";
      const receiver = new FastifySlackReceiver(config.signingSecret, (message, err) =>
        this.app.logger.error(message, err),
      );
      this.app = new App({ ...common, receiver });
      receiver.mount(opts.server);
    }
    this.listen();
  }

  /** Checks the bot token with auth.test (a refused token fails start-up) and, in Socket Mode, connects. */
  async start(): Promise<void> {
    try {
      await this.app.init();
    } catch (err) {
      throw new Error(
        `Slack refused SLACK_BOT_TOKEN (auth.test): ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (this.mode === "socket") await this.app.start();
  }

  async stop(): Promise<void> {
    if (this.mode === "socket") await this.app.stop();
  }

  private listen(): void {
    this.app.event("app_mention", async ({ event, body, context, client }) => {
      await this.onMessage(
        event as MessageEventFields,
        body as EventEnvelope,
        context.botUserId,
        client,
        true,
      );
    });
    this.app.event("message", async ({ event, body, context, client }) => {
      const e = event as MessageEventFields;
      // Channel messages reach the bot as app_mention; here only direct messages.
      if (e.channel_type === "im")
        await this.onMessage(e, body as EventEnvelope, context.botUserId, client, false);
    });
    this.app.command(/^\/(recommend|profile|forget)$/, async ({ command, ack, respond }) => {
      await ack();
      await this.onCommand(command, respond);
    });
    this.app.action<BlockAction<ButtonAction>>(
      { type: "block_actions", action_id: ACTION_ID_PATTERN },
      async ({ action, body, ack, respond, client }) => {
        await ack();
        await this.onButton(action, body, respond, client);
      },
    );
    this.app.error(async (err) => {
      this.app.logger.error("Slack listener failed", err);
    });
  }

  private async onMessage(
    e: MessageEventFields,
    envelope: EventEnvelope,
    botUserId: string | undefined,
    client: webApi.WebClient,
    mention: boolean,
  ): Promise<void> {
    // Never answer a bot (ourselves included), edits, joins and other message subtypes.
    if (!e.user || e.bot_id || e.subtype || e.user === botUserId) return;
    const messageKey = `${e.channel}:${e.ts}`;
    if (envelope.event_id && !this.host.firstDelivery(`${PLATFORM}:${envelope.event_id}`)) return;
    if (!this.host.firstDelivery(`${PLATFORM}:${messageKey}`)) return;
    const user = this.userRef(envelope.team_id, e.user);
    // In channels the answer goes into the mention's thread; in a DM it follows the conversation.
    const threadTs = e.thread_ts ?? (mention && e.channel_type !== "im" ? e.ts : undefined);
    const text = plainText(e.text ?? "", botUserId);
    await this.host.converse(
      {
        kind: "message",
        user,
        text: text || "hi",
        conversationId: `${e.channel}:${threadTs ?? e.ts}`,
        messageId: `${PLATFORM}:${messageKey}`,
      },
      this.outlet(e.user, async (message) => {
        const posted = await client.chat.postMessage({
          channel: e.channel,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...message,
        });
        const ts = posted.ts;
        return ts
          ? (update: SlackMessage) => client.chat.update({ channel: e.channel, ts, ...update })
          : undefined;
      }),
    );
  }

  private async onCommand(command: SlashCommand, respond: RespondFn): Promise<void> {
    const user = this.userRef(command.team_id, command.user_id);
    const out = this.outlet(command.user_id, async (message) => {
      await respond({ response_type: "ephemeral", ...message });
      return (update: SlackMessage) =>
        respond({ response_type: "ephemeral", replace_original: true, ...update });
    });
    if (command.command === "/forget")
      return this.host.converse({ kind: "forget", user, scope: "workspace" }, out);
    // /profile asks the pipeline the profile question; /recommend with no text ranks on the profile alone.
    const text = command.command === "/profile" ? PROFILE_QUESTION : plainText(command.text ?? "");
    const messageId = `${PLATFORM}:command:${command.trigger_id}`;
    await this.host.converse(
      text
        ? {
            kind: "message",
            user,
            text,
            conversationId: `${command.channel_id}:command`,
            messageId,
          }
        : { kind: "list", user, messageId },
      out,
    );
  }

  private async onButton(
    action: ButtonAction,
    body: BlockAction<ButtonAction>,
    respond: RespondFn,
    client: webApi.WebClient,
  ): Promise<void> {
    const signal = signalOfAction(action.action_id);
    const value = parseButtonValue(action.value);
    const clicker = body.user.id;
    const user = this.userRef(body.team?.id ?? body.user.team_id, clicker);
    const ownList = value?.for === clicker;
    const channel = body.channel?.id ?? (body.container.channel_id as string | undefined);
    const messageTs = body.message?.ts ?? (body.container.message_ts as string | undefined);
    // The clicker's own list is refreshed in place; a click on someone else's list is answered to the clicker alone
    // (and not edited later: that response_url would replace the owner's message).
    const out = this.outlet(clicker, async (message) => {
      if (ownList && channel && messageTs && !body.container.is_ephemeral) {
        const update = (m: SlackMessage) => client.chat.update({ channel, ts: messageTs, ...m });
        await update(message);
        return update;
      }
      if (!ownList) {
        await respond({ response_type: "ephemeral", replace_original: false, ...message });
        return undefined;
      }
      const update = (m: SlackMessage) =>
        respond({ response_type: "ephemeral", replace_original: true, ...m });
      await update(message);
      return update;
    });
    // A refusal or a failure never replaces the list: it is answered to the clicker alone.
    out.sendNotice = (message) =>
      respond({ response_type: "ephemeral", replace_original: false, ...message });
    if (!signal || !value) {
      await out.send(out.notice(UNREADABLE_BUTTON));
      return;
    }
    await this.host.converse(
      {
        kind: "feedback",
        user,
        itemId: value.item,
        signal,
        ...(channel
          ? { conversationId: `${channel}:${body.message?.thread_ts ?? messageTs}` }
          : {}),
        messageId: `${PLATFORM}:action:${messageTs}:${action.action_ts}`,
      },
      out,
    );
  }

  /** Slack's rendering of a reply for `owner` (whose buttons they are), sent with `send`. */
  private outlet(
    owner: string,
    send: Outlet<SlackMessage>["send"],
  ): Outlet<SlackMessage> & { sendNotice?: Outlet<SlackMessage>["sendNotice"] } {
    return {
      render: (reply, explanation) => renderReply(reply, owner, explanation),
      notice: (text) => renderReply(noticeReply(text), ""),
      send,
    };
  }

  /** Profiles are per workspace: the same Slack user id in another workspace is another person. */
  private userRef(teamId: string | undefined, userId: string): UserRef {
    return { platform: PLATFORM, id: userId, ...(teamId ? { scope: teamId } : {}) };
  }
}

function noticeReply(text: string): OutgoingReply {
  return { text, intent: "help", recommendations: [], interests: [], actions: [] };
}
