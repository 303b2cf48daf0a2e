// The Slack adapter: a Bolt app over HTTP events (on the bot's fastify port) or Socket Mode, turning app
// mentions, direct messages, slash commands and button clicks into turns of the platform-neutral Bot.
import { App, LogLevel, SocketModeReceiver, type BlockAction, type ButtonAction, type RespondFn, type SlashCommand, type webApi } from "@slack/bolt";
import type { FastifyInstance } from "fastify";
import { UnknownItemError, type Bot } from "../../src/bot.ts";
import type { SlackConfig } from "../../src/config.ts";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import { ACTION_ID_PATTERN, parseButtonValue, renderReply, signalOfAction, type SlackMessage } from "./blocks.ts";
import { FastifySlackReceiver, SLACK_APOLOGY } from "./receiver.ts";
import { RecentKeys } from "./recent-keys.ts";
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

export class SlackAdapter {
  readonly app: App;
  readonly mode: "http" | "socket";
  /** Event ids and message timestamps already handled: Slack retries and double subscriptions act once. */
  private readonly seen = new RecentKeys();

  constructor(
    private readonly bot: Bot,
    config: SlackConfig,
    opts: SlackAdapterOptions = {},
  ) {
    const logLevel = opts.logLevel ?? LogLevel.WARN;
    // A reply minutes late is worse than none: a few quick retries, not the client's default half hour.
    const clientOptions = { ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}), retryConfig: { retries: 2, factor: 2 } };
    const common = { token: config.botToken, logLevel, clientOptions, deferInitialization: true, convoStore: false as const };
    if (config.appToken) {
      this.mode = "socket";
      const receiver = new SocketModeReceiver({ appToken: config.appToken, logLevel, installerOptions: { clientOptions } });
      this.app = new App({ ...common, socketMode: true, receiver });
    } else {
      if (!config.signingSecret) throw new Error("Slack HTTP mode needs a signing secret");
      if (!opts.server) throw new Error("Slack HTTP mode needs the fastify server to mount POST /slack/events on");
      this.mode = "http";
      const receiver = new FastifySlackReceiver(config.signingSecret, (message, err) => this.app.logger.error(message, err));
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
      throw new Error(`Slack refused SLACK_BOT_TOKEN (auth.test): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (this.mode === "socket") await this.app.start();
  }

  async stop(): Promise<void> {
    if (this.mode === "socket") await this.app.stop();
  }

  private listen(): void {
    this.app.event("app_mention", async ({ event, body, context, client }) => {
      await this.onMessage(event as MessageEventFields, body as EventEnvelope, context.botUserId, client, true);
    });
    this.app.event("message", async ({ event, body, context, client }) => {
      const e = event as MessageEventFields;
      // Channel messages reach the bot as app_mention; here only direct messages.
      if (e.channel_type === "im") await this.onMessage(e, body as EventEnvelope, context.botUserId, client, false);
    });
    this.app.command(/^\/(recommend|profile|forget)$/, async ({ command, ack, respond }) => {
      await ack();
      await this.onCommand(command, respond);
    });
    this.app.action<BlockAction<ButtonAction>>({ type: "block_actions", action_id: ACTION_ID_PATTERN }, async ({ action, body, ack, respond, client }) => {
      await ack();
      await this.onButton(action, body, respond, client);
    });
    this.app.error(async (err) => {
      this.app.logger.error("Slack listener failed", err);
    });
  }

  private async onMessage(e: MessageEventFields, envelope: EventEnvelope, botUserId: string | undefined, client: webApi.WebClient, mention: boolean): Promise<void> {
    // Never answer a bot (ourselves included), edits, joins and other message subtypes.
    if (!e.user || e.bot_id || e.subtype || e.user === botUserId) return;
    const messageKey = `${e.channel}:${e.ts}`;
    if (envelope.event_id && !this.seen.firstTime(envelope.event_id)) return;
    if (!this.seen.firstTime(messageKey)) return;
    const user = this.userRef(envelope.team_id, e.user);
    // In channels the answer goes into the mention's thread; in a DM it follows the conversation.
    const threadTs = e.thread_ts ?? (mention && e.channel_type !== "im" ? e.ts : undefined);
    const post = (message: SlackMessage) => client.chat.postMessage({ channel: e.channel, ...(threadTs ? { thread_ts: threadTs } : {}), ...message });
    await this.politely(post, async () => {
      const text = plainText(e.text ?? "", botUserId);
      if (text.length > this.bot.config.maxTextLength) return textMessage(`That message is too long for me (over ${this.bot.config.maxTextLength} characters); please shorten it.`);
      const reply = await this.bot.handleMessage({ user, text: text || "hi", conversationId: `${e.channel}:${threadTs ?? e.ts}`, messageId: `${PLATFORM}:${messageKey}` });
      return renderReply(reply, e.user!);
    });
  }

  private async onCommand(command: SlashCommand, respond: RespondFn): Promise<void> {
    const user = this.userRef(command.team_id, command.user_id);
    const answer = (message: SlackMessage) => respond({ response_type: "ephemeral", ...message });
    await this.politely(answer, async () => {
      if (command.command === "/forget") {
        await this.bot.forget(user);
        return textMessage("Done: I deleted everything I knew about you in this workspace.");
      }
      // /profile asks the pipeline the profile question; /recommend with no text ranks on the profile alone.
      const text = command.command === "/profile" ? "what do you think I like?" : plainText(command.text ?? "");
      if (text.length > this.bot.config.maxTextLength) return textMessage(`That is too long for me (over ${this.bot.config.maxTextLength} characters); please shorten it.`);
      const reply = await this.bot.handleMessage({ user, text, conversationId: `${command.channel_id}:command`, messageId: `${PLATFORM}:command:${command.trigger_id}` });
      return renderReply(reply, command.user_id);
    });
  }

  private async onButton(action: ButtonAction, body: BlockAction<ButtonAction>, respond: RespondFn, client: webApi.WebClient): Promise<void> {
    const signal = signalOfAction(action.action_id);
    const value = parseButtonValue(action.value);
    const clicker = body.user.id;
    const user = this.userRef(body.team?.id ?? body.user.team_id, clicker);
    const ownList = value?.for === clicker;
    const channel = body.channel?.id ?? (body.container.channel_id as string | undefined);
    const messageTs = body.message?.ts ?? (body.container.message_ts as string | undefined);
    // The clicker's own list is refreshed in place; a click on someone else's list is answered to the clicker alone.
    const deliver = (message: SlackMessage): Promise<unknown> => {
      if (ownList && channel && messageTs && !body.container.is_ephemeral) return client.chat.update({ channel, ts: messageTs, ...message });
      return respond({ response_type: "ephemeral", replace_original: ownList, ...message });
    };
    await this.politely(
      (message) => respond({ response_type: "ephemeral", replace_original: false, ...message }),
      async () => {
        if (!signal || !value) return textMessage("I could not read that button; please ask me for a fresh list.");
        const reply = await this.bot.handleFeedback({ user, itemId: value.item, signal, ...(channel ? { conversationId: `${channel}:${body.message?.thread_ts ?? messageTs}` } : {}), messageId: `${PLATFORM}:action:${messageTs}:${action.action_ts}` });
        await deliver(renderReply(reply, clicker));
        return undefined;
      },
    );
  }

  /** Runs a turn and sends what it returns; any failure becomes a polite reply instead of silence or a retry. */
  private async politely(send: (message: SlackMessage) => Promise<unknown>, turn: () => Promise<SlackMessage | undefined>): Promise<void> {
    let message: SlackMessage | undefined;
    try {
      message = await turn();
    } catch (err) {
      if (err instanceof UnknownItemError) message = textMessage("That item is no longer in my catalog; ask me for a fresh list.");
      else {
        this.app.logger.error("Slack turn failed", err);
        message = textMessage(SLACK_APOLOGY);
      }
    }
    if (!message) return;
    try {
      await send(message);
    } catch (err) {
      this.app.logger.error("Slack reply could not be sent", err);
    }
  }

  /** Profiles are per workspace: the same Slack user id in another workspace is another person. */
  private userRef(teamId: string | undefined, userId: string): UserRef {
    return { platform: PLATFORM, id: userId, ...(teamId ? { scope: teamId } : {}) };
  }
}

function textMessage(text: string): SlackMessage {
  const reply: OutgoingReply = { text, intent: "help", recommendations: [], interests: [], actions: [] };
  return renderReply(reply, "");
}
