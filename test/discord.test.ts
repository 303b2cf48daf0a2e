// The Discord adapter over the real protocol: a real discord.js Client against a local fake gateway and REST API.
import { TurnHost } from "../adapters/host.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordAdapter } from "../adapters/discord/app.ts";
import { LIMITS } from "../adapters/discord/render.ts";
import { loadConfig } from "../src/config.ts";
import {
  APPLICATION_ID,
  BOT_USER_ID,
  FakeDiscord,
  MESSAGE_CONTENT_INTENT,
  interactionCreate,
  messageCreate,
  nextId,
  readReply,
  startDiscord,
  TOKEN,
  type RestCall,
} from "./support/discord-fake.ts";

type Env = Awaited<ReturnType<typeof startDiscord>>;
type Body = Record<string, unknown> & {
  content: string;
  embeds?: Array<{ title: string; description?: string }>;
  components?: Array<{ components: Array<{ custom_id: string; label: string }> }>;
  flags?: number;
};
const EPHEMERAL = 64;

let env: Env;
beforeAll(async () => {
  env = await startDiscord({ heartbeatMs: 150 });
});
afterAll(() => env.stop());

const replyTo = (sent: { id: string; channel_id: string }) =>
  env.fake.waitFor(
    (c) =>
      c.method === "POST" &&
      c.path === `/channels/${sent.channel_id}/messages` &&
      (c.body as { message_reference?: { message_id: string } }).message_reference?.message_id ===
        sent.id,
  );
const callbackOf = (id: string, fake: FakeDiscord = env.fake) =>
  fake.waitFor((c) => c.path.startsWith(`/interactions/${id}/`));

function expectWithinLimits(body: Body) {
  expect(body.content.length).toBeLessThanOrEqual(LIMITS.content);
  const embeds = body.embeds ?? [];
  expect(embeds.length).toBeLessThanOrEqual(LIMITS.embeds);
  expect(
    embeds.reduce((n, e) => n + e.title.length + (e.description?.length ?? 0), 0),
  ).toBeLessThanOrEqual(LIMITS.embedTotal);
  expect((body.components ?? []).length).toBeLessThanOrEqual(LIMITS.rows);
  for (const row of body.components ?? []) {
    expect(row.components.length).toBeLessThanOrEqual(5);
    for (const b of row.components) expect(b.custom_id.length).toBeLessThanOrEqual(LIMITS.customId);
  }
}

describe("Discord adapter against a fake gateway and REST API", () => {
  it("identifies with the documented intents (no privileged one) and registers /recommend, /profile, /forget over REST", async () => {
    // Guilds (1) | GuildMessages (512) | DirectMessages (4096); not MessageContent (32768), see the README.
    expect(env.fake.identifies).toEqual([{ token: TOKEN, intents: 1 | 512 | 4096 }]);
    expect(env.fake.identifies[0]!.intents & MESSAGE_CONTENT_INTENT).toBe(0);
    const put = await env.fake.waitFor((c) => c.method === "PUT");
    expect(put.path).toBe(`/applications/${APPLICATION_ID}/commands`);
    expect(put.auth).toBe(`Bot ${TOKEN}`);
    expect((put.body as Array<{ name: string }>).map((c) => c.name)).toEqual([
      "recommend",
      "profile",
      "forget",
    ]);
  });

  it("answers a DM with card embeds (title, year, a reason) and four buttons per card", async () => {
    // The fake never announces the DM channel (no CHANNEL_CREATE), as Discord does not: without the Channel
    // partial discord.js drops this message and the test times out.
    const userId = nextId();
    const sent = messageCreate(env.fake, {
      userId,
      content: "I loved Inception and The Matrix, no horror",
    });
    const body = (await replyTo(sent)).body as Body;
    expect(body.content).toContain("Taking Inception and The Matrix as a starting point.");
    expect(body.embeds).toHaveLength(5);
    expect(body.embeds![0]!.title).toMatch(/^1\. .+ \(\d{4}\)$/);
    expect(body.embeds![0]!.description).toMatch(/^• /);
    expect(body.components).toHaveLength(5);
    expect(body.components![0]!.components.map((b) => b.label)).toEqual([
      "1. 👍 Like",
      "👎 Not for me",
      "👁 Seen it",
      "🔎 More like this",
    ]);
    expect(body.components![0]!.components[0]!.custom_id).toMatch(
      new RegExp(`^cr:like:${userId}:\\d+$`),
    );
    expectWithinLimits(body);
  });

  it("in a guild answers only messages that mention it, and never bots (itself included)", async () => {
    const guild = env.fake.guild("quiet-guild");
    const person = nextId();
    const start = env.fake.calls.length;
    const ignored = [
      messageCreate(env.fake, { userId: person, content: "I loved Inception", guild }),
      messageCreate(env.fake, {
        userId: nextId(),
        content: `<@${BOT_USER_ID}> I loved Inception`,
        guild,
        mentionsBot: true,
        bot: true,
      }),
      messageCreate(env.fake, {
        userId: BOT_USER_ID,
        content: `<@${BOT_USER_ID}> I loved Inception`,
        guild,
        mentionsBot: true,
        bot: true,
      }),
    ];
    const answered = messageCreate(env.fake, {
      userId: person,
      content: `<@${BOT_USER_ID}>   I loved Inception`,
      guild,
      mentionsBot: true,
    });
    const body = (await replyTo(answered)).body as Body;
    expect(body.content).toContain("Inception");
    // The bots' messages are other people's turns, which need not finish before this one: give any reply to
    // them time to arrive (a turn takes milliseconds) before checking there is none.
    await new Promise((r) => setTimeout(r, 500));
    const replied = env.fake.calls
      .slice(start)
      .filter((c: RestCall) => c.method === "POST" && c.path.endsWith("/messages"))
      .map(
        (c) =>
          (c.body as { message_reference?: { message_id: string } }).message_reference?.message_id,
      );
    expect(replied).toEqual([answered.id]);
    for (const m of ignored) expect(replied).not.toContain(m.id);
  });

  it("keeps a too-long message to a polite sentence and the bare mention to a greeting", async () => {
    const guild = env.fake.guild("limits-guild");
    const long = messageCreate(env.fake, {
      userId: nextId(),
      content: `<@${BOT_USER_ID}> ${"so good ".repeat(600)}`,
      guild,
      mentionsBot: true,
    });
    expect(((await replyTo(long)).body as Body).content).toMatch(/too long for me/);
    const bare = messageCreate(env.fake, {
      userId: nextId(),
      content: `<@${BOT_USER_ID}>`,
      guild,
      mentionsBot: true,
    });
    expect(((await replyTo(bare)).body as Body).content).toMatch(/^Hi!/);
  });

  it("slash commands answer privately: /recommend with cards, /profile, /forget", async () => {
    const guild = env.fake.guild("slash-guild");
    const userId = nextId();
    const rec = interactionCreate(env.fake, {
      userId,
      guild,
      command: {
        name: "recommend",
        options: [{ name: "what", type: 3, value: "funny animated movies for kids" }],
      },
    });
    const recCall = await callbackOf(rec.id);
    expect(recCall.path).toBe(`/interactions/${rec.id}/${rec.token}/callback`);
    const answer = recCall.body as { type: number; data: Body };
    expect(answer.type).toBe(4);
    expect(answer.data.flags).toBe(EPHEMERAL);
    expect(readReply(answer.data).items.length).toBe(5);

    const profile = interactionCreate(env.fake, { userId, guild, command: { name: "profile" } });
    expect(((await callbackOf(profile.id)).body as { data: Body }).data.content).toMatch(
      /I think you like .*animation/,
    );

    // Without "what", the list comes from the profile alone.
    const bare = interactionCreate(env.fake, { userId, guild, command: { name: "recommend" } });
    const bareAnswer = ((await callbackOf(bare.id)).body as { data: Body }).data;
    expect(bareAnswer.content).toMatch(/^Here are my picks:/);
    expect(readReply(bareAnswer).items).toHaveLength(5);

    const forget = interactionCreate(env.fake, { userId, guild, command: { name: "forget" } });
    const forgot = (await callbackOf(forget.id)).body as { data: Body };
    expect(forgot.data.content).toContain("deleted everything");
    expect(forgot.data.flags).toBe(EPHEMERAL);
    const after = interactionCreate(env.fake, { userId, guild, command: { name: "profile" } });
    expect(((await callbackOf(after.id)).body as { data: Body }).data.content).toContain(
      "I don't know your taste yet",
    );
  });

  it("a button press by the list's owner updates the message; anyone else gets their own list privately", async () => {
    const guild = env.fake.guild("button-guild");
    const owner = nextId();
    const sent = messageCreate(env.fake, {
      userId: owner,
      content: `<@${BOT_USER_ID}> I loved Toy Story`,
      guild,
      mentionsBot: true,
    });
    const listBody = (await replyTo(sent)).body as Body;
    const list = env.fake.message(guild.channelId, listBody);
    const first = readReply(listBody).items[0]!;

    const press = interactionCreate(env.fake, {
      userId: owner,
      guild,
      button: { message: list, customId: listBody.components![0]!.components[1]!.custom_id },
    });
    const update = (await callbackOf(press.id)).body as { type: number; data: Body };
    expect(update.type).toBe(7); // UPDATE_MESSAGE: the list is replaced in place
    expect(update.data.content).toContain(`Got it, not ${first.title}.`);
    expect(readReply(update.data).items.map((i) => i.id)).not.toContain(first.id);

    const stranger = nextId();
    const other = interactionCreate(env.fake, {
      userId: stranger,
      guild,
      button: { message: list, customId: listBody.components![1]!.components[0]!.custom_id },
    });
    const own = (await callbackOf(other.id)).body as { type: number; data: Body };
    expect(own.type).toBe(4);
    expect(own.data.flags).toBe(EPHEMERAL);
    expect(own.data.components![0]!.components[0]!.custom_id).toContain(`:${stranger}:`);
    // The like went to the stranger's profile, not the owner's.
    const ownerProfile = interactionCreate(env.fake, {
      userId: owner,
      guild,
      command: { name: "profile" },
    });
    expect(((await callbackOf(ownerProfile.id)).body as { data: Body }).data.content).not.toContain(
      readReply(listBody).items[1]!.title,
    );
  });

  it("a person's guild profile and DM profile are separate", async () => {
    const guild = env.fake.guild("dm-vs-guild");
    const userId = nextId();
    await replyTo(
      messageCreate(env.fake, {
        userId,
        content: `<@${BOT_USER_ID}> I loved Toy Story`,
        guild,
        mentionsBot: true,
      }),
    );
    const inGuild = interactionCreate(env.fake, { userId, guild, command: { name: "profile" } });
    expect(((await callbackOf(inGuild.id)).body as { data: Body }).data.content).toContain(
      "Toy Story",
    );
    const inDm = interactionCreate(env.fake, { userId, command: { name: "profile" } });
    expect(((await callbackOf(inDm.id)).body as { data: Body }).data.content).toContain(
      "I don't know your taste yet",
    );
    await replyTo(messageCreate(env.fake, { userId, content: "I loved The Godfather" }));
    const guildAgain = interactionCreate(env.fake, { userId, guild, command: { name: "profile" } });
    expect(((await callbackOf(guildAgain.id)).body as { data: Body }).data.content).not.toContain(
      "The Godfather",
    );
  });

  it("unreadable buttons get a polite private answer", async () => {
    const guild = env.fake.guild("button-guild");
    const bad = interactionCreate(env.fake, {
      userId: nextId(),
      guild,
      button: { message: env.fake.message(guild.channelId, {}), customId: "something-else" },
    });
    const answer = (await callbackOf(bad.id)).body as { type: number; data: Body };
    expect(answer.data.content).toContain("could not read that button");
    expect(answer.data.flags).toBe(EPHEMERAL);
  });

  it("heartbeats on the interval the gateway gave", async () => {
    const deadline = Date.now() + 3000;
    while (env.fake.heartbeats.length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(env.fake.heartbeats.length).toBeGreaterThanOrEqual(2);
    expect(env.errors).toEqual([]);
  });
});

describe("Discord adapter when a turn is slow", () => {
  let slow: Env;
  // deferAfterMs 0: every turn counts as slow, so the deferred paths run for real.
  beforeAll(async () => {
    slow = await startDiscord({ deferAfterMs: 0 });
  });
  afterAll(() => slow.stop());

  it("defers a command (type 5) and finishes with an edit of the original reply", async () => {
    const userId = nextId();
    const cmd = interactionCreate(slow.fake, {
      userId,
      command: {
        name: "recommend",
        options: [{ name: "what", type: 3, value: "space adventures" }],
      },
    });
    const deferred = (await callbackOf(cmd.id, slow.fake)).body as {
      type: number;
      data?: { flags?: number };
    };
    expect(deferred).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    const edit = await slow.fake.waitFor(
      (c) =>
        c.method === "PATCH" &&
        c.path === `/webhooks/${APPLICATION_ID}/${cmd.token}/messages/@original`,
    );
    expect(readReply(edit.body as Body).items).toHaveLength(5);
  });

  it("defers a button press (type 6) and edits the list in place", async () => {
    const userId = nextId();
    const sent = messageCreate(slow.fake, { userId, content: "I loved The Godfather" });
    const body = (
      await slow.fake.waitFor(
        (c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`,
      )
    ).body as Body;
    const target = readReply(body).items[0]!;
    const press = interactionCreate(slow.fake, {
      userId,
      button: {
        message: slow.fake.message(sent.channel_id, body),
        customId: body.components![0]!.components[2]!.custom_id,
      },
    });
    expect(((await callbackOf(press.id, slow.fake)).body as { type: number }).type).toBe(6);
    const edit = await slow.fake.waitFor(
      (c) =>
        c.method === "PATCH" &&
        c.path === `/webhooks/${APPLICATION_ID}/${press.token}/messages/@original`,
    );
    expect((edit.body as Body).content).toContain(`you've seen ${target.title}`);
    expect(readReply(edit.body as Body).items.map((i) => i.id)).not.toContain(target.id);
  });
});

describe("Discord configuration", () => {
  it("a half-configured bot is a start-up error naming the missing variable", () => {
    expect(() => loadConfig({ DISCORD_TOKEN: TOKEN })).toThrow(/DISCORD_APPLICATION_ID is missing/);
    expect(() => loadConfig({ DISCORD_APPLICATION_ID: APPLICATION_ID })).toThrow(
      /DISCORD_TOKEN is missing/,
    );
    expect(() => loadConfig({ DISCORD_API_URL: "http://127.0.0.1:1/api" })).toThrow(
      /DISCORD_TOKEN is missing/,
    );
    expect(() => loadConfig({ DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: "my-app" })).toThrow(
      /DISCORD_APPLICATION_ID/,
    );
    expect(loadConfig({}).discord).toBeUndefined();
    expect(
      loadConfig({
        DISCORD_TOKEN: TOKEN,
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_API_URL: "http://127.0.0.1:9/api/",
      }).discord,
    ).toEqual({ token: TOKEN, applicationId: APPLICATION_ID, apiUrl: "http://127.0.0.1:9/api" });
  });

  it("a wrong token fails start-up clearly", async () => {
    const fake = await FakeDiscord.start();
    const adapter = new DiscordAdapter(
      new TurnHost(env.bot),
      { token: "wrong", applicationId: APPLICATION_ID, apiUrl: fake.apiUrl },
      { log: () => undefined },
    );
    try {
      await expect(adapter.start()).rejects.toThrow(/token/i);
    } finally {
      await adapter.stop();
      await fake.close();
    }
  });
});
