// The Slack adapter over real HTTP: a real Bolt app mounted in the real fastify server receives properly
// signed Events API, slash-command and interactivity requests, runs real turns (ONNX + LanceDB), and calls a
// local fake Slack Web API.
import { TurnHost } from "../adapters/host.ts";
import { request } from "node:http";
import { LogLevel } from "@slack/bolt";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackAdapter } from "../adapters/slack/app.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import type { Replay } from "../src/replay.ts";
import {
  BOT_ID,
  BOT_USER_ID,
  PROFILE_QUESTION,
  blockActions,
  eventCallback,
  leadText,
  postSigned,
  readCards,
  slackHeaders,
  slashCommand,
  startSlackHarness,
  type ApiCall,
  type FakeSlack,
  type SlackHarness,
} from "./support/slack-fake.ts";

let harness: SlackHarness;
let bot: Replay;
let slack: FakeSlack;
let events: string;

beforeAll(async () => {
  harness = await startSlackHarness("slack");
  ({ bot, slack, events } = harness);
});
afterAll(() => harness.stop());

const postsIn = (channel: string) => slack.postsIn(channel);
const waitForPost = (channel: string, n = 1) =>
  slack.waitFor(() => postsIn(channel).length >= n && postsIn(channel)[n - 1]!);
const exportOf = (team: string, id: string) => bot.exportOf({ platform: "slack", scope: team, id });

describe("Slack HTTP events on the bot's port", () => {
  it("checked the bot token with auth.test at start-up", () => {
    expect(slack.callsTo("auth.test").length).toBeGreaterThanOrEqual(1);
    expect(slack.callsTo("auth.test")[0]!.token).toBe("xoxb-test");
  });

  it("answers Slack's url_verification challenge", async () => {
    const res = await postSigned(events, {
      json: {
        type: "url_verification",
        token: "x",
        challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it("replies to an app mention in its thread with Block Kit item cards", async () => {
    const body = eventCallback("app_mention", {
      team: "T1",
      user: "U1",
      channel: "C1",
      text: `<@${BOT_USER_ID}> I loved Inception and The Matrix, no horror`,
    });
    const res = await postSigned(events, { json: body });
    expect(res.status).toBe(200);
    const post = await waitForPost("C1");
    const mention = body.event as { ts: string };
    expect(post.args.thread_ts).toBe(mention.ts);
    expect(post.token).toBe("xoxb-test");
    const cards = readCards(post.args.blocks);
    expect(cards).toHaveLength(5);
    // The cards are the list the pipeline recorded as shown for this person, in order.
    const exported = await exportOf("T1", "U1");
    expect(exported!.events).toHaveLength(1);
    expect(cards.map((c) => c.id)).toEqual(exported!.events[0]!.shown);
    for (const card of cards) {
      expect(card.title.length).toBeGreaterThan(0);
      expect(card.year).toBeGreaterThan(1900);
      expect(card.reason?.length).toBeGreaterThan(5);
      expect(card.owner).toBe("U1");
      expect(card.actions).toEqual([
        "chatrec_like",
        "chatrec_dislike",
        "chatrec_seen",
        "chatrec_more",
      ]);
      expect(bot.catalog.item(card.id)?.title).toBe(card.title);
    }
    expect(cards.map((c) => c.title)).not.toContain("Inception");
    expect(leadText(post.args.blocks)).toMatch(/Inception/);
    expect(String(post.args.text)).toContain(cards[0]!.title);
  });

  it("replies to a direct message in the DM, and keeps the conversation going", async () => {
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U2",
        channel: "D2",
        text: "funny animated movies for kids",
      }),
    });
    const first = await waitForPost("D2");
    expect(first.args.thread_ts).toBeUndefined();
    const firstCards = readCards(first.args.blocks);
    expect(firstCards).toHaveLength(5);
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U2",
        channel: "D2",
        text: "the first one is not for me",
      }),
    });
    const second = await waitForPost("D2", 2);
    expect(readCards(second.args.blocks).map((c) => c.id)).not.toContain(firstCards[0]!.id);
    const profile = await bot.profileOf({ platform: "slack", scope: "T1", id: "U2" });
    expect(profile!.disliked).toContain(firstCards[0]!.id);
  });

  it("acknowledges before the work: the HTTP answer does not wait for chat.postMessage", async () => {
    const release = slack.hold("chat.postMessage");
    try {
      const started = Date.now();
      const res = await postSigned(events, {
        json: eventCallback("dm", {
          team: "T1",
          user: "U3",
          channel: "D3",
          text: "space adventure",
        }),
      });
      expect(res.status).toBe(200);
      expect(postsIn("D3")).toHaveLength(0);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      release();
    }
    expect(readCards((await waitForPost("D3")).args.blocks)).toHaveLength(5);
  });

  it("acts once on a retried event (same event_id, X-Slack-Retry-Num)", async () => {
    const body = eventCallback("dm", {
      team: "T1",
      user: "U4",
      channel: "D4",
      text: "courtroom dramas",
    });
    expect((await postSigned(events, { json: body })).status).toBe(200);
    await waitForPost("D4");
    const retry = await postSigned(events, { json: body }, { retryNum: 1 });
    expect(retry.status).toBe(200);
    // A later message's answer proves the retry was dealt with (in order) before we count.
    await postSigned(events, {
      json: eventCallback("dm", { team: "T1", user: "U4", channel: "D4", text: PROFILE_QUESTION }),
    });
    const later = await slack.waitForProfileAnswer("D4");
    expect(postsIn("D4")).toEqual([postsIn("D4")[0], later]);
    // The message once, then the profile question (kept as a passive event).
    expect((await exportOf("T1", "U4"))!.events.map((e) => e.intent)).toEqual([
      "recommend",
      "profile",
    ]);
  });

  it("answers once when the same message arrives as two events (a DM mentioning the bot: message.im and app_mention)", async () => {
    const ts = "1800009999.000100";
    const im = eventCallback("dm", {
      team: "T1",
      user: "U15",
      channel: "D15",
      text: `<@${BOT_USER_ID}> I loved Heat`,
      ts,
      eventId: "EvIM15",
    });
    const mention = eventCallback("app_mention", {
      team: "T1",
      user: "U15",
      channel: "D15",
      text: `<@${BOT_USER_ID}> I loved Heat`,
      ts,
      eventId: "EvMENTION15",
    });
    (mention.event as Record<string, unknown>).channel_type = "im";
    expect((await postSigned(events, { json: im })).status).toBe(200);
    expect((await postSigned(events, { json: mention })).status).toBe(200);
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U15",
        channel: "D15",
        text: PROFILE_QUESTION,
      }),
    });
    const later = await slack.waitForProfileAnswer("D15");
    expect(postsIn("D15")).toEqual([postsIn("D15")[0], later]);
    expect((await exportOf("T1", "U15"))!.events.map((e) => e.intent)).toEqual([
      "recommend",
      "profile",
    ]);
  });

  it("ignores its own messages, other bots' messages and edits", async () => {
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: BOT_USER_ID,
        botId: BOT_ID,
        channel: "D5",
        text: "Here are my picks:",
      }),
    });
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "UOTHERBOT",
        botId: "B999",
        subtype: "bot_message",
        channel: "D5",
        text: "I loved Alien",
      }),
    });
    // Editing our own list (chat.update) comes back as a message_changed event in a DM.
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U5",
        subtype: "message_changed",
        channel: "D5",
        text: "I loved Alien",
      }),
    });
    await postSigned(events, {
      json: eventCallback("dm", { team: "T1", user: "U5", channel: "D5b", text: "hello" }),
    });
    await waitForPost("D5b");
    // The bots' messages are other people's turns, which need not finish before U5's: give any reply to them
    // time to arrive (a turn takes milliseconds) before checking there is none.
    await new Promise((r) => setTimeout(r, 500));
    expect(postsIn("D5")).toHaveLength(0);
    expect(await exportOf("T1", BOT_USER_ID)).toBeUndefined();
    expect(await exportOf("T1", "UOTHERBOT")).toBeUndefined();
    // Only the greeting in D5b: the edit of "I loved Alien" did not count.
    const u5 = (await exportOf("T1", "U5"))!;
    expect(u5.events.map((e) => e.intent)).toEqual(["greeting"]);
    expect(u5.profile.liked).toEqual([]);
  });

  it("keeps profiles apart per workspace", async () => {
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "TA",
        user: "USAME",
        channel: "DA",
        text: "I loved The Godfather",
      }),
    });
    await waitForPost("DA");
    const inA = await bot.profileOf({ platform: "slack", scope: "TA", id: "USAME" });
    expect(inA!.liked.length).toBeGreaterThan(0);
    expect(await bot.profileOf({ platform: "slack", scope: "TB", id: "USAME" })).toBeUndefined();
  });

  it("refuses a bad signature, a stale timestamp and a missing signature with 401", async () => {
    const body = {
      json: eventCallback("dm", { team: "T1", user: "U6", channel: "D6", text: "I loved Heat" }),
    };
    const bad = await postSigned(events, body, { secret: "not-the-secret" });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toMatch(/signature/i);
    const stale = await postSigned(events, body, {
      timestamp: Math.floor(Date.now() / 1000) - 330,
    });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: string }).error).toMatch(/5-minute/);
    const future = await postSigned(events, body, {
      timestamp: Math.floor(Date.now() / 1000) + 330,
    });
    expect(future.status).toBe(401);
    const unsigned = await fetch(events, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body.json),
    });
    expect(unsigned.status).toBe(401);
    // The signature covers the exact bytes: the same JSON re-spaced no longer verifies.
    const raw = JSON.stringify(body.json);
    const respaced = await fetch(events, {
      method: "POST",
      headers: slackHeaders(raw, "application/json"),
      body: JSON.stringify(body.json, null, 1),
    });
    expect(respaced.status).toBe(401);
    expect(
      (
        await fetch(events, {
          method: "POST",
          headers: slackHeaders(raw, "application/json"),
          body: raw,
        })
      ).status,
    ).toBe(200);
    await waitForPost("D6");
    expect(postsIn("D6")).toHaveLength(1);
    expect((await exportOf("T1", "U6"))!.events).toHaveLength(1);
  });

  it("is reached through a proxy (public Host header) and beside a /v1 secret, guarded by Slack's signature alone", async () => {
    // Behind a reverse proxy the Host header is the public name; the API's loopback-only rule is for /v1.
    const raw = JSON.stringify({ type: "url_verification", challenge: "via-proxy" });
    const viaProxy = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(events);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: { ...slackHeaders(raw, "application/json"), host: "chatrec.example.com" },
        },
        (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end(raw);
    });
    expect(viaProxy).toEqual({ status: 200, body: JSON.stringify({ challenge: "via-proxy" }) });

    const secured = buildServer(new TurnHost(bot), {
      maxBodyBytes: bot.config.maxBodyBytes,
      security: { webhookSecret: "a-webhook-secret-of-32-characters" },
    });
    const securedSlack = new SlackAdapter(new TurnHost(bot), bot.config.slack!, {
      server: secured,
      logLevel: LogLevel.ERROR,
    });
    await securedSlack.start();
    try {
      const base = await secured.listen({ port: 0, host: "127.0.0.1" });
      expect((await fetch(`${base}/v1/users/x/profile`)).status).toBe(401);
      await postSigned(`${base}/slack/events`, {
        json: eventCallback("dm", {
          team: "T1",
          user: "USEC",
          channel: "DSEC",
          text: "I loved Heat",
        }),
      });
      expect(readCards((await waitForPost("DSEC")).args.blocks)).toHaveLength(5);
      expect(
        (
          await postSigned(
            `${base}/slack/events`,
            { json: eventCallback("dm", { team: "T1", user: "USEC", channel: "DSEC", text: "x" }) },
            { secret: "wrong" },
          )
        ).status,
      ).toBe(401);
    } finally {
      await secured.close();
    }
  });

  it("answers malformed signed bodies with a 4xx, never a 5xx", async () => {
    const raw = "{not json";
    const res = await fetch(events, {
      method: "POST",
      headers: slackHeaders(raw, "application/json"),
      body: raw,
    });
    expect(res.status).toBe(400);
    const unknownType = await postSigned(events, { json: { type: "something_else" } });
    expect(unknownType.status).toBeGreaterThanOrEqual(400);
    expect(unknownType.status).toBeLessThan(500);
  });

  it("refuses a body over its own 1 MiB limit with a 413 that names that limit", async () => {
    const raw = JSON.stringify({ type: "event_callback", padding: "x".repeat(1_100_000) });
    const res = await fetch(events, {
      method: "POST",
      headers: slackHeaders(raw, "application/json"),
      body: raw,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe("body larger than 1048576 bytes");
  });
});

describe("Slack endpoint under generated input", () => {
  it("answers any signed body, of any content type, with a non-5xx status", async () => {
    const body = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 300 }),
      fc
        .dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }))
        .map((d) => new URLSearchParams(d).toString()),
    );
    const contentType = fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/json; charset=utf-8",
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, async (raw, ct) => {
        const res = await fetch(events, {
          method: "POST",
          headers: slackHeaders(raw, ct),
          body: raw,
        });
        await res.arrayBuffer();
        return res.status < 500;
      }),
      { numRuns: 150 },
    );
  });

  it("answers every generated direct message with a reply inside Slack limits", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), async (text) => {
        const channel = `DGEN${++n}`;
        const res = await postSigned(events, {
          json: eventCallback("dm", { team: "TGEN", user: `UGEN${n}`, channel, text }),
        });
        expect(res.status).toBe(200);
        const post = await waitForPost(channel);
        expect(String(post.args.text).length).toBeGreaterThan(0);
        expect((post.args.blocks as unknown[]).length).toBeLessThanOrEqual(50);
      }),
      { numRuns: 25 },
    );
  });
});

describe("Slack slash commands", () => {
  it("/recommend acks at once and answers through response_url with cards", async () => {
    const form = slashCommand(slack, {
      team: "T1",
      user: "U7",
      command: "/recommend",
      text: "heist movies with a clever plan",
    });
    const res = await postSigned(events, { form });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    const id = form.response_url!.split("/").at(-1);
    const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === id));
    expect(answer.body.response_type).toBe("ephemeral");
    expect(readCards(answer.body.blocks)).toHaveLength(5);
  });

  it("a bare /recommend gives a list from the profile, recorded as shown", async () => {
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U16",
        channel: "D16",
        text: "I loved The Shining",
      }),
    });
    await waitForPost("D16");
    const form = slashCommand(slack, { team: "T1", user: "U16", command: "/recommend" });
    await postSigned(events, { form });
    const answer = await slack.waitFor(() =>
      slack.responses.find((r) => r.id === form.response_url!.split("/").at(-1)),
    );
    const cards = readCards(answer.body.blocks);
    expect(cards).toHaveLength(5);
    expect(leadText(answer.body.blocks)).toBe("Here are my picks:");
    expect(cards.map((c) => c.title)).not.toContain("The Shining");
    const exported = (await exportOf("T1", "U16"))!.events;
    expect(exported).toHaveLength(2);
    expect(exported[1]!.shown).toEqual(cards.map((c) => c.id));
  });

  it("/profile shows what the bot learnt, /forget deletes it", async () => {
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U8",
        channel: "D8",
        text: "I loved Toy Story and Finding Nemo",
      }),
    });
    await waitForPost("D8");
    const profileForm = slashCommand(slack, { team: "T1", user: "U8", command: "/profile" });
    await postSigned(events, { form: profileForm });
    const profileAnswer = await slack.waitFor(() =>
      slack.responses.find((r) => r.id === profileForm.response_url!.split("/").at(-1)),
    );
    expect(leadText(profileAnswer.body.blocks)).toMatch(
      /I think you like .*You liked: .*Toy Story/,
    );

    const forgetForm = slashCommand(slack, { team: "T1", user: "U8", command: "/forget" });
    await postSigned(events, { form: forgetForm });
    const forgetAnswer = await slack.waitFor(() =>
      slack.responses.find((r) => r.id === forgetForm.response_url!.split("/").at(-1)),
    );
    expect(leadText(forgetAnswer.body.blocks)).toMatch(/deleted everything/);
    expect(await bot.profileOf({ platform: "slack", scope: "T1", id: "U8" })).toBeUndefined();
  });

  it("answers Slack's unsigned ssl_check without processing anything", async () => {
    const res = await fetch(events, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "ssl_check=1&token=x",
    });
    expect(res.status).toBe(200);
  });
});

describe("Slack buttons", () => {
  async function listFor(
    user: string,
    channel: string,
    text: string,
  ): Promise<{ post: ApiCall; ts: string }> {
    await postSigned(events, {
      json: eventCallback("app_mention", {
        team: "T1",
        user,
        channel,
        text: `<@${BOT_USER_ID}> ${text}`,
      }),
    });
    const post = await waitForPost(channel);
    return { post, ts: String(post.result.ts) };
  }

  it("a click updates the profile and refreshes the list in place (chat.update)", async () => {
    const { post, ts } = await listFor("U9", "C9", "romantic comedies set in New York");
    const cards = readCards(post.args.blocks);
    const target = cards[0]!;
    const value = JSON.stringify({ item: target.id, for: "U9" });
    const res = await postSigned(events, {
      form: {
        payload: JSON.stringify(
          blockActions(slack, {
            team: "T1",
            user: "U9",
            actionId: "chatrec_dislike",
            value,
            channel: "C9",
            messageTs: ts,
            threadTs: String(post.args.thread_ts),
          }),
        ),
      },
    });
    expect(res.status).toBe(200);
    const update = await slack.waitFor(() =>
      slack.callsTo("chat.update").find((c) => c.args.channel === "C9"),
    );
    expect(update.args.ts).toBe(ts);
    const refreshed = readCards(update.args.blocks);
    expect(refreshed).toHaveLength(5);
    expect(refreshed.map((c) => c.id)).not.toContain(target.id);
    expect(leadText(update.args.blocks)).toContain(target.title);
    const profile = await bot.profileOf({ platform: "slack", scope: "T1", id: "U9" });
    expect(profile!.disliked).toEqual([target.id]);

    const more = JSON.stringify({ item: refreshed[1]!.id, for: "U9" });
    await postSigned(events, {
      form: {
        payload: JSON.stringify(
          blockActions(slack, {
            team: "T1",
            user: "U9",
            actionId: "chatrec_more",
            value: more,
            channel: "C9",
            messageTs: ts,
          }),
        ),
      },
    });
    const second = await slack.waitFor(
      () => slack.callsTo("chat.update").filter((c) => c.args.channel === "C9")[1],
    );
    expect(leadText(second.args.blocks)).toBe(
      `More like ${refreshed[1]!.title}: Here are my picks:`,
    );
  });

  it("a click on someone else's list changes the clicker's profile and answers them alone", async () => {
    const { post, ts } = await listFor("U10", "C10", "scary haunted house films");
    const target = readCards(post.args.blocks)[0]!;
    const payload = blockActions(slack, {
      team: "T1",
      user: "U11",
      actionId: "chatrec_like",
      value: JSON.stringify({ item: target.id, for: "U10" }),
      channel: "C10",
      messageTs: ts,
    });
    await postSigned(events, { form: { payload: JSON.stringify(payload) } });
    const id = String(payload.response_url).split("/").at(-1);
    const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === id));
    expect(answer.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(readCards(answer.body.blocks).every((c) => c.owner === "U11")).toBe(true);
    expect((await bot.profileOf({ platform: "slack", scope: "T1", id: "U11" }))!.liked).toEqual([
      target.id,
    ]);
    expect((await bot.profileOf({ platform: "slack", scope: "T1", id: "U10" }))!.liked).toEqual([]);
    expect(slack.callsTo("chat.update").filter((c) => c.args.channel === "C10")).toHaveLength(0);
  });

  it("a click on an ephemeral list (from a slash command) replaces it through response_url", async () => {
    const item = bot.catalog.items[0]!;
    const payload = blockActions(slack, {
      team: "T1",
      user: "U12",
      actionId: "chatrec_seen",
      value: JSON.stringify({ item: item.id, for: "U12" }),
      channel: "C12",
      messageTs: "1700000001.000200",
      ephemeral: true,
    });
    await postSigned(events, { form: { payload: JSON.stringify(payload) } });
    const id = String(payload.response_url).split("/").at(-1);
    const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === id));
    expect(answer.body).toMatchObject({ replace_original: true });
    expect(leadText(answer.body.blocks)).toContain(`you've seen ${item.title}`);
  });

  it("a stale button (unknown item) or a broken value gets a polite reply", async () => {
    const stale = blockActions(slack, {
      team: "T1",
      user: "U13",
      actionId: "chatrec_like",
      value: JSON.stringify({ item: "no-such-item", for: "U13" }),
      channel: "C13",
      messageTs: "1700000002.000300",
    });
    await postSigned(events, { form: { payload: JSON.stringify(stale) } });
    const a = await slack.waitFor(() =>
      slack.responses.find((r) => r.id === String(stale.response_url).split("/").at(-1)),
    );
    expect(leadText(a.body.blocks)).toMatch(/no longer in my catalog/);
    const broken = blockActions(slack, {
      team: "T1",
      user: "U13",
      actionId: "chatrec_like",
      value: "{oops",
      channel: "C13",
      messageTs: "1700000002.000300",
    });
    await postSigned(events, { form: { payload: JSON.stringify(broken) } });
    const b = await slack.waitFor(() =>
      slack.responses.find((r) => r.id === String(broken.response_url).split("/").at(-1)),
    );
    expect(leadText(b.body.blocks)).toMatch(/could not read that button/);
  });

  it("an over-long message gets a polite reply instead of a turn", async () => {
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U14",
        channel: "D14",
        text: "x ".repeat(bot.config.maxTextLength),
      }),
    });
    const post = await waitForPost("D14");
    expect(leadText(post.args.blocks)).toMatch(/too long/);
    expect(await exportOf("T1", "U14")).toBeUndefined();
  });
});
