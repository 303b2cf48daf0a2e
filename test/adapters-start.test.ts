// `npm start` (chatrec start) starts every adapter whose secrets are in the environment: here the HTTP API,
// Slack over HTTP events on the same port (fake Slack Web API) and Discord (fake gateway and REST) in one
// process, each answering over its real protocol; SIGTERM stops them all cleanly.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { spawnServer } from "../research/bench/server-child.ts";
import { seededDataDir } from "./support/adapter-driver.ts";
import {
  APPLICATION_ID,
  FakeDiscord,
  messageCreate,
  nextId,
  TOKEN,
} from "./support/discord-fake.ts";
import {
  eventCallback,
  FakeSlack,
  postSigned,
  readCards,
  SIGNING_SECRET,
} from "./support/slack-fake.ts";

it("chatrec start serves the API, Slack and Discord from the environment, and stops cleanly", async () => {
  const discord = await FakeDiscord.start();
  const slack = await FakeSlack.start();
  const dir = await seededDataDir("adapters-start");
  try {
    const server = await spawnServer({
      CHATREC_DATA_DIR: dir,
      DISCORD_TOKEN: TOKEN,
      DISCORD_APPLICATION_ID: APPLICATION_ID,
      DISCORD_API_URL: discord.apiUrl,
      SLACK_BOT_TOKEN: "xoxb-start",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    });
    try {
      // stdout is its own pipe, so its lines may trail the IPC "listening" message a little.
      for (let i = 0; i < 100 && !server.output().includes("Discord: connected"); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(server.output()).toContain(`Slack: events at ${server.url}/slack/events`);
      expect(server.output()).toContain("Discord: connected as chatrec; slash commands registered");
      expect(slack.callsTo("auth.test")[0]!.token).toBe("xoxb-start");
      expect(
        discord.calls.some(
          (c) => c.method === "PUT" && c.path === `/applications/${APPLICATION_ID}/commands`,
        ),
      ).toBe(true);

      const api = await fetch(`${server.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user: { id: "api-person" }, text: "I loved Alien" }),
      });
      expect(api.status).toBe(200);
      expect(
        ((await api.json()) as { recommendations: unknown[] }).recommendations.length,
      ).toBeGreaterThan(0);

      const event = await postSigned(`${server.url}/slack/events`, {
        json: eventCallback("dm", {
          team: "TSTART",
          user: "USTART",
          channel: "DSTART",
          text: "I loved Inception",
        }),
      });
      expect(event.status).toBe(200);
      const post = await slack.waitFor(() =>
        slack.callsTo("chat.postMessage").find((c) => c.args.channel === "DSTART"),
      );
      expect(readCards(post.args.blocks).length).toBeGreaterThan(0);
      expect(
        (
          await postSigned(
            `${server.url}/slack/events`,
            {
              json: eventCallback("dm", {
                team: "TSTART",
                user: "USTART",
                channel: "DSTART",
                text: "x",
              }),
            },
            { secret: "not-the-secret" },
          )
        ).status,
      ).toBe(401);

      const sent = messageCreate(discord, { userId: nextId(), content: "I loved Inception" });
      const reply = await discord.waitFor(
        (c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`,
      );
      expect((reply.body as { embeds: unknown[] }).embeds.length).toBeGreaterThan(0);

      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
    }
  } finally {
    await discord.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("a port already in use stops start-up at once, before loading, with a hint to set PORT", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), "chatrec-port-"));
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ["bin/chatrec.js", "start"], {
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", CHATREC_DATA_DIR: dir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).not.toBe(0);
    expect(output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(output).toContain(`PORT=${port + 1} npm start`);
    expect(output).not.toContain("embedded"); // failed before embedding the catalog
    expect(performance.now() - started).toBeLessThan(20_000);
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
