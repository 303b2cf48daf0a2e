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
import { PROFILE_QUESTION, UNREADABLE_BUTTON, unknownCommand } from "../../src/messages.ts";
import type { DiscordConfig } from "../../src/config.ts";
import type { UserRef } from "../../src/types.ts";
import type { ChatAdapter, Outlet } from "../contract.ts";
import type { TurnHost } from "../host.ts";
import { slashCommands } from "./commands.ts";
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

export class DiscordAdapter implements ChatAdapter {
  readonly platform = PLATFORM;
  readonly client: Client;
  private readonly deferAfterMs: number;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(
    private readonly host: TurnHost,
    private readonly config: DiscordConfig,
    opts: DiscordAdapterOptions = {},
  ) {
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
      body: slashCommands(this.host.bot.wording),
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
    const text = plainText(message.content, me.id);
    await this.host.converse(
      {
        kind: "message",
        user,
        text: text || "hi",
        conversationId: `${PLATFORM}:${message.channelId}`,
        messageId: `${PLATFORM}:${message.id}`,
      },
      this.outlet(message.author.id, async (sent) => {
        const posted = await message.reply(sent);
        return (m: DiscordMessage) => posted.edit(m);
      }),
    );
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
    // Everything a command shows is about one person, so only they see it.
    let deferred = false;
    const out = this.outlet(interaction.user.id, async (message) => {
      if (deferred) await interaction.editReply(message);
      else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
      return (m: DiscordMessage) => interaction.editReply(m);
    });
    out.slow = {
      afterMs: this.deferAfterMs,
      defer: async () => {
        deferred = true;
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      },
    };
    const name = interaction.commandName;
    if (name === "forget")
      return this.host.converse(
        { kind: "forget", user, scope: interaction.guildId ? "server" : "dms" },
        out,
      );
    if (name !== "profile" && name !== "recommend") {
      await out.send(out.notice(unknownCommand(name)));
      return;
    }
    const text =
      name === "profile" ? PROFILE_QUESTION : (interaction.options.getString("what") ?? "").trim();
    // A bare /recommend ranks on the profile alone.
    const messageId = `${PLATFORM}:${interaction.id}`;
    await this.host.converse(
      text
        ? {
            kind: "message",
            user,
            text,
            conversationId: `${PLATFORM}:${interaction.channelId}`,
            messageId,
          }
        : { kind: "list", user, messageId },
      out,
    );
  }

  private async onButton(interaction: ButtonInteraction): Promise<void> {
    const parsed = parseCustomId(interaction.customId);
    const user = this.userRef(interaction.guildId, interaction.user.id, interaction.user.username);
    // The owner's list is refreshed in place; someone else pressing a button on it gets their own list, privately.
    const own = parsed?.ownerId === interaction.user.id;
    let deferred = false;
    const privately = (message: DiscordMessage) =>
      interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
    const out = this.outlet(interaction.user.id, async (message) => {
      if (deferred) await interaction.editReply(message);
      else if (own) await interaction.update(message);
      else await privately(message);
      return (m: DiscordMessage) => interaction.editReply(m);
    });
    // Never replace the person's list with a refusal or an error: those are answered privately.
    out.sendNotice = (message) =>
      deferred && own
        ? interaction.followUp({ ...message, flags: MessageFlags.Ephemeral })
        : deferred
          ? interaction.editReply(message)
          : privately(message);
    out.slow = {
      afterMs: this.deferAfterMs,
      defer: async () => {
        deferred = true;
        if (own) await interaction.deferUpdate();
        else await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      },
    };
    if (!parsed) {
      await out.sendNotice(out.notice(UNREADABLE_BUTTON));
      return;
    }
    await this.host.converse(
      {
        kind: "feedback",
        user,
        itemId: parsed.itemId,
        signal: parsed.action,
        conversationId: `${PLATFORM}:${interaction.channelId}`,
        messageId: `${PLATFORM}:${interaction.id}`,
      },
      out,
    );
  }

  /** Discord's rendering for `ownerId` (whose buttons they are); the explanation is added below the list. */
  private outlet(
    ownerId: string,
    send: Outlet<DiscordMessage>["send"],
  ): Outlet<DiscordMessage> & {
    sendNotice?: Outlet<DiscordMessage>["sendNotice"];
    slow?: Outlet<DiscordMessage>["slow"];
  } {
    return {
      render: (reply, explanation) => {
        const shown = renderReply(reply, ownerId);
        return explanation
          ? { ...shown, content: truncate(`${shown.content}\n\n💡 ${explanation}`, LIMITS.content) }
          : shown;
      },
      notice: textMessage,
      send,
    };
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
