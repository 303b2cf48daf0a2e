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
import { PROFILE_QUESTION, type Bot } from "../../src/bot.ts";
import { ChatrecError } from "../../src/errors.ts";
import type { SlackConfig } from "../../src/config.ts";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import { TurnLimits } from "../turn-limits.ts";
import {
  ACTION_ID_PATTERN,
  parseButtonValue,
  renderReply,
  signalOfAction,
  type SlackMessage,
} from "./blocks.ts";
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

/** Replaces a message already sent (chat.update, or response_url with replace_original). */
type Update = (message: SlackMessage) => Promise<unknown>;
/** Sends a message; resolves with how to replace it later (the explanation), or undefined when it cannot be. */
type Send = (message: SlackMessage) => Promise<Update | undefined>;

/** What a turn produced: the message, and the reply the optional LLM may explain afterwards. */
interface TurnResult {
  message: SlackMessage;
  explain?: { reply: OutgoingReply; user: UserRef; owner: string };
}

export class SlackAdapter {
  readonly app: App;
  readonly mode: "http" | "socket";
  /** Event ids and message timestamps already handled: Slack retries and double subscriptions act once. */
  private readonly seen = new RecentKeys();
  private readonly limits: TurnLimits;

  constructor(
    private readonly bot: Bot,
    config: SlackConfig,
    opts: SlackAdapterOptions = {},
  ) {
    this.limits = new TurnLimits(bot.config);
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
    if (envelope.event_id && !this.seen.firstTime(envelope.event_id)) return;
    if (!this.seen.firstTime(messageKey)) return;
    const user = this.userRef(envelope.team_id, e.user);
    // In channels the answer goes into the mention's thread; in a DM it follows the conversation.
    const threadTs = e.thread_ts ?? (mention && e.channel_type !== "im" ? e.ts : undefined);
    const post: Send = async (message) => {
      const posted = await client.chat.postMessage({
        channel: e.channel,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...message,
      });
      const ts = posted.ts;
      return ts ? (update) => client.chat.update({ channel: e.channel, ts, ...update }) : undefined;
    };
    await this.politely(post, async () => {
      const text = plainText(e.text ?? "", botUserId);
      this.checkTurn(user, text);
      const reply = await this.bot.handleMessage({
        user,
        text: text || "hi",
        conversationId: `${e.channel}:${threadTs ?? e.ts}`,
        messageId: `${PLATFORM}:${messageKey}`,
      });
      return { message: renderReply(reply, e.user!), explain: { reply, user, owner: e.user! } };
    });
  }

  private async onCommand(command: SlashCommand, respond: RespondFn): Promise<void> {
    const user = this.userRef(command.team_id, command.user_id);
    const answer: Send = async (message) => {
      await respond({ response_type: "ephemeral", ...message });
      return (update) => respond({ response_type: "ephemeral", replace_original: true, ...update });
    };
    await this.politely(answer, async () => {
      if (command.command === "/forget") {
        await this.bot.forget(user);
        return textResult("Done: I deleted everything I knew about you in this workspace.");
      }
      // /profile asks the pipeline the profile question; /recommend with no text ranks on the profile alone.
      const text =
        command.command === "/profile" ? PROFILE_QUESTION : plainText(command.text ?? "");
      this.checkTurn(user, text);
      const messageId = `${PLATFORM}:command:${command.trigger_id}`;
      const reply = text
        ? await this.bot.handleMessage({
            user,
            text,
            conversationId: `${command.channel_id}:command`,
            messageId,
          })
        : await this.bot.recommendNow(user, { messageId });
      return {
        message: renderReply(reply, command.user_id),
        explain: { reply, user, owner: command.user_id },
      };
    });
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
    const deliver: Send = async (message) => {
      if (ownList && channel && messageTs && !body.container.is_ephemeral) {
        const update: Update = (m) => client.chat.update({ channel, ts: messageTs, ...m });
        await update(message);
        return update;
      }
      if (!ownList) {
        await respond({ response_type: "ephemeral", replace_original: false, ...message });
        return undefined;
      }
      const update: Update = (m) =>
        respond({ response_type: "ephemeral", replace_original: true, ...m });
      await update(message);
      return update;
    };
    const apologise: Send = async (message) => {
      await respond({ response_type: "ephemeral", replace_original: false, ...message });
      return undefined;
    };
    await this.politely(
      deliver,
      async () => {
        if (!signal || !value)
          return textResult("I could not read that button; please ask me for a fresh list.");
        this.checkTurn(user);
        const reply = await this.bot.handleFeedback({
          user,
          itemId: value.item,
          signal,
          ...(channel
            ? { conversationId: `${channel}:${body.message?.thread_ts ?? messageTs}` }
            : {}),
          messageId: `${PLATFORM}:action:${messageTs}:${action.action_ts}`,
        });
        return { message: renderReply(reply, clicker), explain: { reply, user, owner: clicker } };
      },
      apologise,
    );
  }

  /**
   * Runs a turn and sends what it returns; a failure becomes a polite reply (sent with `apologise`) instead of
   * silence or a Slack retry. When an LLM is configured, its explanation then replaces the message sent.
   */
  private async politely(
    send: Send,
    turn: () => Promise<TurnResult>,
    apologise: Send = send,
  ): Promise<void> {
    let result: TurnResult;
    try {
      result = await turn();
    } catch (err) {
      const expected =
        (err instanceof ChatrecError && err.code === "UNKNOWN_ITEM") ||
        err instanceof TurnRefusedError;
      if (!expected) this.app.logger.error("Slack turn failed", err);
      const apology = textResult(
        err instanceof ChatrecError && err.code === "UNKNOWN_ITEM"
          ? "That item is no longer in my catalog; ask me for a fresh list."
          : err instanceof TurnRefusedError
            ? err.message
            : SLACK_APOLOGY,
      );
      await apologise(apology.message).catch((e: unknown) =>
        this.app.logger.error("Slack apology could not be sent", e),
      );
      return;
    }
    let update: Update | undefined;
    try {
      update = await send(result.message);
    } catch (err) {
      this.app.logger.error("Slack reply could not be sent", err);
      return;
    }
    if (update && result.explain) await this.explainLater(result.explain, update);
  }

  /** The list is already shown; the LLM's prose (within its time budget, checked) is added by editing it. */
  private async explainLater(
    { reply, user, owner }: NonNullable<TurnResult["explain"]>,
    update: Update,
  ): Promise<void> {
    if (!this.bot.explainer.enabled || reply.recommendations.length === 0) return;
    try {
      const explanation = await this.bot.explain(reply, user);
      if (explanation) await update(renderReply(reply, owner, explanation));
    } catch (err) {
      this.app.logger.warn("Slack explanation follow-up failed", err);
    }
  }

  /** Over the per-person limit: the turn stops and the person is asked to wait (like an apology: never in place of a list). */
  private checkTurn(user: UserRef, text = ""): void {
    const refusal = this.limits.refusal(user, text);
    if (refusal) throw new TurnRefusedError(refusal);
  }

  /** Profiles are per workspace: the same Slack user id in another workspace is another person. */
  private userRef(teamId: string | undefined, userId: string): UserRef {
    return { platform: PLATFORM, id: userId, ...(teamId ? { scope: teamId } : {}) };
  }
}

function textResult(text: string): TurnResult {
  const reply: OutgoingReply = {
    text,
    intent: "help",
    recommendations: [],
    interests: [],
    actions: [],
  };
  return { message: renderReply(reply, "") };
}

/** A turn refused politely (too long, too fast): answered with its message, not logged as a failure. */
class TurnRefusedError extends Error {
  override name = "TurnRefusedError";
}
