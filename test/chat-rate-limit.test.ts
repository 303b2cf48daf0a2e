// Per-person rate limits on the chat platforms: over CHATREC_RATE_BURST a person gets a polite "please wait"
// (never in place of their list) and no turn runs; other people are unaffected. Real Bolt app with signed
// requests against a fake Slack, real discord.js client against a fake gateway.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BOT_USER_ID,
  blockActions,
  eventCallback,
  leadText,
  postSigned,
  readCards,
  startSlackHarness,
  type SlackHarness,
} from "./support/slack-fake.ts";
import { interactionCreate, messageCreate, nextId, startDiscord } from "./support/discord-fake.ts";

const TOO_FAST = /faster than I can keep up with; please wait \d+ s/;
const LIMITS = { CHATREC_RATE_PER_MIN: "1", CHATREC_RATE_BURST: "2" };

describe("Slack: per-person limit", () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness("slack-limit", LIMITS);
  });
  afterAll(() => h.stop());
  const postsIn = (channel: string) =>
    h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channel);
  const dm = (user: string, channel: string, text: string) =>
    postSigned(h.events, { json: eventCallback("dm", { team: "T1", user, channel, text }) });

  it("answers the message over the limit politely, runs no turn for it, and leaves the list alone on a click", async () => {
    await dm("U1", "D1", "I loved Toy Story");
    await h.slack.waitFor(() => postsIn("D1").length >= 1);
    await dm("U1", "D1", "something funny");
    await h.slack.waitFor(() => postsIn("D1").length >= 2);
    await dm("U1", "D1", "and a western");
    const third = await h.slack.waitFor(() => postsIn("D1")[2]);
    expect(leadText(third.args.blocks)).toMatch(TOO_FAST);
    expect(readCards(third.args.blocks)).toEqual([]);
    expect(
      (await h.bot.exportOf({ platform: "slack", scope: "T1", id: "U1" }))!.events,
    ).toHaveLength(2);

    const list = postsIn("D1")[1]!;
    const click = blockActions(h.slack, {
      team: "T1",
      user: "U1",
      actionId: "chatrec_like",
      value: JSON.stringify({ item: readCards(list.args.blocks)[0]!.id, for: "U1" }),
      channel: "D1",
      messageTs: String(list.result.ts),
    });
    await postSigned(h.events, { form: { payload: JSON.stringify(click) } });
    const answer = await h.slack.waitFor(() =>
      h.slack.responses.find((r) => r.id === String(click.response_url).split("/").at(-1)),
    );
    expect(answer.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(leadText(answer.body.blocks)).toMatch(TOO_FAST);
    expect(h.slack.callsTo("chat.update").filter((c) => c.args.channel === "D1")).toHaveLength(0);

    // Someone else is not limited by U1's burst.
    await dm("U2", "D2", "I loved Toy Story");
    const other = await h.slack.waitFor(() => postsIn("D2")[0]);
    expect(readCards(other.args.blocks).length).toBeGreaterThan(0);
  });
});

describe("Discord: per-person limit", () => {
  let env: Awaited<ReturnType<typeof startDiscord>>;
  beforeAll(async () => {
    env = await startDiscord({ env: LIMITS });
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

  it("answers the message over the limit politely and a button press privately, without a turn", async () => {
    const userId = nextId();
    const guild = env.fake.guild("limit-guild");
    const say = async (content: string) =>
      (
        await replyTo(
          messageCreate(env.fake, {
            userId,
            content: `<@${BOT_USER_ID}> ${content}`,
            guild,
            mentionsBot: true,
          }),
        )
      ).body as {
        content: string;
        components?: Array<{ components: Array<{ custom_id: string }> }>;
      };
    const first = await say("I loved Toy Story");
    await say("something funny");
    expect((await say("and a western")).content).toMatch(TOO_FAST);
    const press = interactionCreate(env.fake, {
      userId,
      guild,
      button: {
        message: env.fake.message(guild.channelId, first),
        customId: first.components![0]!.components[0]!.custom_id,
      },
    });
    const answer = (await env.fake.waitFor((c) => c.path.startsWith(`/interactions/${press.id}/`)))
      .body as { type: number; data: { content: string; flags?: number } };
    expect(answer.type).toBe(4); // a new, private message: the list is not replaced
    expect(answer.data.flags).toBe(64);
    expect(answer.data.content).toMatch(TOO_FAST);
    expect(
      (await env.bot.exportOf({ platform: "discord", scope: guild.guildId, id: userId }))!.events,
    ).toHaveLength(2);
  });
});
