// Socket Mode over a real WebSocket: the adapter opens a connection through apps.connections.open on a fake
// Slack, receives envelopes, acks them, and answers through the fake Web API. Also: a refused token fails start-up.
import { TurnHost } from "../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackAdapter } from "../adapters/slack/app.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import { Bot } from "../src/bot.ts";
import { loadConfig, type Config } from "../src/config.ts";
import {
  BOT_USER_ID,
  FakeSlack,
  PROFILE_QUESTION,
  blockActions,
  eventCallback,
  readCards,
  slashCommand,
} from "./support/slack-fake.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-slack-socket-"));
let bot: Bot;
let slack: FakeSlack;
let config: Config;

beforeAll(async () => {
  slack = await FakeSlack.start();
  config = loadConfig(
    { SLACK_BOT_TOKEN: "xoxb-sock", SLACK_APP_TOKEN: "xapp-1-sock", SLACK_API_URL: slack.apiUrl },
    { dataDir: dir, commitIntervalMs: 2 },
  );
  bot = await Bot.create(config);
});
afterAll(async () => {
  await bot.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Slack Socket Mode", () => {
  it("connects with the app token and answers events and commands sent over the socket", async () => {
    const adapter = new SlackAdapter(new TurnHost(bot), config.slack!, {
      logLevel: LogLevel.ERROR,
    });
    expect(adapter.mode).toBe("socket");
    await adapter.start();
    try {
      const open = slack.callsTo("apps.connections.open");
      expect(open).toHaveLength(1);
      expect(open[0]!.token).toBe("xapp-1-sock");
      expect(slack.socketConnections).toBe(1);

      const ack = await slack.sendEnvelope(
        "events_api",
        eventCallback("app_mention", {
          team: "T9",
          user: "U1",
          channel: "C1",
          text: `<@${BOT_USER_ID}> I loved Alien and Aliens`,
        }),
      );
      expect(ack.envelope_id).toMatch(/^env-/);
      const post = await slack.waitFor(() =>
        slack.callsTo("chat.postMessage").find((c) => c.args.channel === "C1"),
      );
      expect(post.token).toBe("xoxb-sock");
      expect(readCards(post.args.blocks)).toHaveLength(5);
      expect(
        (await bot.profileOf({ platform: "slack", scope: "T9", id: "U1" }))!.liked.length,
      ).toBeGreaterThan(0);

      // A redelivered envelope (retry_attempt 1) with the same event is acted on once.
      const dm = eventCallback("dm", {
        team: "T9",
        user: "U2",
        channel: "D2",
        text: "courtroom dramas",
      });
      await slack.sendEnvelope("events_api", dm);
      await slack.waitFor(() =>
        slack.callsTo("chat.postMessage").find((c) => c.args.channel === "D2"),
      );
      await slack.sendEnvelope("events_api", dm, 1);
      await slack.sendEnvelope(
        "events_api",
        eventCallback("dm", { team: "T9", user: "U2", channel: "D2", text: PROFILE_QUESTION }),
      );
      const later = await slack.waitForProfileAnswer("D2");
      expect(slack.postsIn("D2")).toEqual([slack.postsIn("D2")[0], later]);
      expect(
        (await bot.exportOf({ platform: "slack", scope: "T9", id: "U2" }))!.events.map(
          (e) => e.intent,
        ),
      ).toEqual(["recommend", "profile"]);

      const form = slashCommand(slack, {
        team: "T9",
        user: "U1",
        command: "/recommend",
        text: "something darker",
      });
      await slack.sendEnvelope("slash_commands", form);
      const answer = await slack.waitFor(() =>
        slack.responses.find((r) => r.id === form.response_url!.split("/").at(-1)),
      );
      expect(readCards(answer.body.blocks)).toHaveLength(5);

      // A button on the mention's list, over the socket: the profile changes and the list is refreshed in place.
      const target = readCards(post.args.blocks)[0]!;
      const click = blockActions(slack, {
        team: "T9",
        user: "U1",
        actionId: "chatrec_seen",
        value: JSON.stringify({ item: target.id, for: "U1" }),
        channel: "C1",
        messageTs: String(post.result.ts),
      });
      await slack.sendEnvelope("interactive", click);
      const update = await slack.waitFor(() =>
        slack.callsTo("chat.update").find((c) => c.args.channel === "C1"),
      );
      expect(update.args.ts).toBe(post.result.ts);
      expect(readCards(update.args.blocks).map((c) => c.id)).not.toContain(target.id);
      expect((await bot.profileOf({ platform: "slack", scope: "T9", id: "U1" }))!.seen).toContain(
        target.id,
      );

      const forget = slashCommand(slack, { team: "T9", user: "U1", command: "/forget" });
      await slack.sendEnvelope("slash_commands", forget);
      await slack.waitFor(() =>
        slack.responses.find((r) => r.id === forget.response_url!.split("/").at(-1)),
      );
      expect(await bot.profileOf({ platform: "slack", scope: "T9", id: "U1" })).toBeUndefined();
    } finally {
      await adapter.stop();
    }
  });

  it("a refused bot token is a clear start-up error", async () => {
    slack.failures.set("auth.test", "invalid_auth");
    try {
      const server = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
      const adapter = new SlackAdapter(
        new TurnHost(bot),
        { botToken: "xoxb-bad", signingSecret: "s", apiUrl: slack.apiUrl },
        { server, logLevel: LogLevel.ERROR },
      );
      await expect(adapter.start()).rejects.toThrow(
        /Slack refused SLACK_BOT_TOKEN \(auth\.test\): .*invalid_auth/,
      );
      await server.close();
    } finally {
      slack.failures.delete("auth.test");
    }
  });
});
