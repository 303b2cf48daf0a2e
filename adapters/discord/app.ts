// Discord adapter (discord.js 14): mentions in guild channels and direct messages, the slash commands
// /recommend /profile /forget, and the card buttons. Profiles are per guild (a DM is its own scope, "dm").
// Gateway intents: Guilds, GuildMessages, DirectMessages. Not the privileged MessageContent: Discord sends the
// content of DMs to the bot and of messages that mention it without it, and those are all the bot reads.
// Partial Channel, because DM channels are not cached before their first message. Any turn that is not done
// within `deferAfterMs` is deferred first, keeping Discord's 3-second rule.
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Partials,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type Message,
} from "discord.js";
import { PROFILE_QUESTION, type Bot } from "../../src/bot.ts";
import { ChatrecError } from "../../src/errors.ts";
import type { DiscordConfig } from "../../src/config.ts";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import { TurnLimits } from "../turn-limits.ts";
import { SLASH_COMMANDS } from "./commands.ts";
import {
  parseCustomId,
  renderReply,
  textMessage,
  truncate,
  LIMITS,
  type DiscordMessage,
} from "./render.ts";

const PLATFORM = "discord";
/** Discord drops an interaction not answered within 3 s; past this much work we defer first. */
const DEFAULT_DEFER_AFTER_MS = 2000;
export const APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment.";
export const UNKNOWN_ITEM = "That item is not in my catalog any more; ask me for a fresh list.";
export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
];
export const PARTIALS = [Partials.Channel];

export interface DiscordAdapterOptions {
  /** Work that takes longer than this is deferred (deferReply / deferUpdate) and finished with editReply. */
  deferAfterMs?: number;
  log?: (message: string, err?: unknown) => void;
}

export class DiscordAdapter {
  readonly client: Client;
  private readonly deferAfterMs: number;
  private readonly limits: TurnLimits;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(
    private readonly bot: Bot,
    private readonly config: DiscordConfig,
    opts: DiscordAdapterOptions = {},
  ) {
    this.limits = new TurnLimits(bot.config);
    this.deferAfterMs = opts.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS;
    this.log = opts.log ?? ((message, err) => console.error(`discord: ${message}`, err ?? ""));
    this.client = new Client({
      intents: INTENTS,
      partials: PARTIALS,
      // One shard, no gateway compression: enough for one bot process; ShardingManager is the way to grow.
      shards: [0],
      shardCount: 1,
      ...(config.apiUrl ? { rest: { api: config.apiUrl } } : {}),
      allowedMentions: { parse: [], repliedUser: false },
    });
    this.client.on(Events.MessageCreate, (message) => void this.onMessage(message));
    this.client.on(Events.InteractionCreate, (interaction) => void this.onInteraction(interaction));
    this.client.on(Events.Error, (err) => this.log("client error", err));
  }

  /** Logs in (the gateway URL comes from GET /gateway/bot), waits for READY, registers the slash commands. */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve) =>
      this.client.once(Events.ClientReady, () => resolve()),
    );
    await this.client.login(this.config.token);
    await ready;
    await this.client.rest.put(`/applications/${this.config.applicationId}/commands`, {
      body: SLASH_COMMANDS,
    });
  }

  async stop(): Promise<void> {
    await this.client.destroy();
  }

  private userRef(guildId: string | null, userId: string, name?: string): UserRef {
    return { platform: PLATFORM, scope: guildId ?? "dm", id: userId, ...(name ? { name } : {}) };
  }

  private async onMessage(message: Message): Promise<void> {
    // Never answer bots (this one included), webhooks or system messages.
    if (
      message.author.bot ||
      message.webhookId ||
      message.system ||
      message.author.id === this.client.user?.id
    )
      return;
    const me = this.client.user;
    if (!me) return;
    // In guild channels only messages that mention the bot are for it; in a DM every message is.
    if (message.guildId && !message.mentions.users.has(me.id)) return;
    const user = this.userRef(message.guildId, message.author.id, message.author.username);
    let reply: OutgoingReply | undefined;
    let sent: DiscordMessage;
    try {
      const text = plainText(message.content, me.id);
      const refusal = this.limits.refusal(user, text);
      if (refusal) sent = textMessage(refusal);
      else {
        reply = await this.bot.handleMessage({
          user,
          text: text || "hi",
          conversationId: `${PLATFORM}:${message.channelId}`,
          messageId: `${PLATFORM}:${message.id}`,
        });
        sent = renderReply(reply, message.author.id);
      }
    } catch (err) {
      this.log("message turn failed", err);
      sent = textMessage(APOLOGY);
    }
    try {
      const posted = await message.reply(sent);
      if (reply) await this.explainLater(reply, user, sent, (m) => posted.edit(m));
    } catch (err) {
      this.log("reply could not be sent", err);
    }
  }

  private async onInteraction(interaction: Interaction): Promise<void> {
    try {
      if (interaction.isChatInputCommand()) await this.onCommand(interaction);
      else if (interaction.isButton()) await this.onButton(interaction);
    } catch (err) {
      this.log("interaction failed", err);
    }
  }

  private async onCommand(interaction: ChatInputCommandInteraction): Promise<void> {
    const user = this.userRef(interaction.guildId, interaction.user.id, interaction.user.username);
    let reply: OutgoingReply | undefined;
    // Everything a command shows is about one person, so only they see it.
    const work = async (): Promise<DiscordMessage> => {
      if (interaction.commandName === "forget") {
        await this.bot.forget(user);
        return textMessage(
          interaction.guildId
            ? "Done: I deleted everything I knew about you in this server."
            : "Done: I deleted everything I knew about you in our DMs.",
        );
      }
      const text =
        interaction.commandName === "profile"
          ? PROFILE_QUESTION
          : (interaction.options.getString("what") ?? "").trim();
      if (interaction.commandName !== "profile" && interaction.commandName !== "recommend")
        return textMessage(`I don't know the command /${interaction.commandName}.`);
      const refusal = this.limits.refusal(user, text);
      if (refusal) return textMessage(refusal);
      // A bare /recommend ranks on the profile alone.
      const messageId = `${PLATFORM}:${interaction.id}`;
      reply = text
        ? await this.bot.handleMessage({
            user,
            text,
            conversationId: `${PLATFORM}:${interaction.channelId}`,
            messageId,
          })
        : await this.bot.recommendNow(user, { messageId });
      return renderReply(reply, interaction.user.id);
    };
    const { message, deferred } = await this.inTime(work, () =>
      interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    if (deferred) await interaction.editReply(message);
    else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
    if (reply) await this.explainLater(reply, user, message, (m) => interaction.editReply(m));
  }

  private async onButton(interaction: ButtonInteraction): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    const user = this.userRef(interaction.guildId, interaction.user.id, interaction.user.username);
    // The owner's list is refreshed in place; someone else pressing a button on it gets their own list, privately.
    const own = parsed?.ownerId === interaction.user.id;
    let reply: OutgoingReply | undefined;
    let failed = false;
    const work = async (): Promise<DiscordMessage> => {
      if (!parsed) {
        failed = true;
        return textMessage("I could not read that button; please ask me for a fresh list.");
      }
      const refusal = this.limits.refusal(user);
      if (refusal) {
        failed = true; // answered privately, the list stays
        return textMessage(refusal);
      }
      try {
        reply = await this.bot.handleFeedback({
          user,
          itemId: parsed.itemId,
          signal: parsed.action,
          conversationId: `${PLATFORM}:${interaction.channelId}`,
          messageId: `${PLATFORM}:${interaction.id}`,
        });
        return renderReply(reply, interaction.user.id);
      } catch (err) {
        // Never replace the person's list with an error: a failure is answered privately instead.
        failed = true;
        if (err instanceof ChatrecError && err.code === "UNKNOWN_ITEM")
          return textMessage(UNKNOWN_ITEM);
        this.log("button turn failed", err);
        return textMessage(APOLOGY);
      }
    };
    const inPlace = () => own && !failed;
    const { message, deferred } = await this.inTime(work, () =>
      own ? interaction.deferUpdate() : interaction.deferReply({ flags: MessageFlags.Ephemeral }),
    );
    if (deferred && own && failed)
      await interaction.followUp({ ...message, flags: MessageFlags.Ephemeral });
    else if (deferred) await interaction.editReply(message);
    else if (inPlace()) await interaction.update(message);
    else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
    if (reply) await this.explainLater(reply, user, message, (m) => interaction.editReply(m));
  }

  /**
   * Runs `work`; if it is not done within deferAfterMs, calls `defer` first so Discord shows "thinking"
   * instead of failing the interaction. A failure becomes the apology, never silence.
   */
  private async inTime(
    work: () => Promise<DiscordMessage>,
    defer: () => Promise<unknown>,
  ): Promise<{ message: DiscordMessage; deferred: boolean }> {
    const result = work().catch((err: unknown) => {
      this.log("turn failed", err);
      return textMessage(APOLOGY);
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">(
      (resolve) => (timer = setTimeout(() => resolve("late"), this.deferAfterMs)),
    );
    const first = await Promise.race([result, late]);
    clearTimeout(timer);
    if (first !== "late") return { message: first, deferred: false };
    await defer();
    return { message: await result, deferred: true };
  }

  /** The optional LLM explanation arrives as an edit of the list already shown (nothing happens without an LLM). */
  private async explainLater(
    reply: OutgoingReply,
    user: UserRef,
    shown: DiscordMessage,
    edit: (m: DiscordMessage) => Promise<unknown>,
  ): Promise<void> {
    if (!this.bot.explainer.enabled || reply.recommendations.length === 0) return;
    const explanation = await this.bot.explain(reply, user);
    if (!explanation) return;
    try {
      await edit({
        ...shown,
        content: truncate(`${shown.content}\n\n💡 ${explanation}`, LIMITS.content),
      });
    } catch (err) {
      this.log("explanation could not be added", err);
    }
  }
}

/** Discord markup to the text the pipeline reads: the bot's mention dropped, other mentions and emoji named. */
export function plainText(content: string, botUserId: string): string {
  return content
    .replace(new RegExp(`<@!?${botUserId}>`, "g"), " ")
    .replace(/<@[!&]?\d+>|<#\d+>/g, " ")
    .replace(/<a?:(\w+):\d+>/g, ":$1:")
    .replace(/\s+/g, " ")
    .trim();
}
