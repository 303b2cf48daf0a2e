// Slack configuration: on when its secrets are present, a clear start-up error when half-configured.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SLACK_EVENTS_PATH } from "../adapters/slack/receiver.ts";
import { ConfigError, loadConfig, PACKAGE_ROOT } from "../src/config.ts";

const load = (env: Record<string, string>) => loadConfig(env);

describe("Slack configuration", () => {
  it("is off without Slack variables", () => {
    expect(load({}).slack).toBeUndefined();
  });

  it("HTTP mode: bot token + signing secret; Socket Mode: bot token + app token; API base normalised", () => {
    expect(load({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" }).slack).toEqual({
      botToken: "xoxb-1",
      signingSecret: "s",
    });
    expect(
      load({
        SLACK_BOT_TOKEN: "xoxb-1",
        SLACK_APP_TOKEN: "xapp-1",
        SLACK_API_URL: "http://127.0.0.1:9/api",
      }).slack,
    ).toEqual({ botToken: "xoxb-1", appToken: "xapp-1", apiUrl: "http://127.0.0.1:9/api/" });
  });

  it("names the missing or wrong variable when half-configured", () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ SLACK_BOT_TOKEN: "xoxb-1" }, /SLACK_SIGNING_SECRET is missing.*SLACK_APP_TOKEN/],
      [{ SLACK_SIGNING_SECRET: "s" }, /SLACK_BOT_TOKEN is missing: SLACK_SIGNING_SECRET is set/],
      [
        { SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: "http://x/" },
        /SLACK_BOT_TOKEN is missing: SLACK_APP_TOKEN and SLACK_API_URL are set/,
      ],
      [
        { SLACK_BOT_TOKEN: "xapp-1", SLACK_SIGNING_SECRET: "s" },
        /SLACK_BOT_TOKEN: a bot token starts with xoxb-/,
      ],
      [
        { SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-2" },
        /SLACK_APP_TOKEN: an app-level token starts with xapp-/,
      ],
      [
        { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: "not a url" },
        /SLACK_API_URL/,
      ],
    ];
    for (const [env, message] of cases) {
      expect(() => load(env)).toThrow(ConfigError);
      expect(() => load(env)).toThrow(message);
    }
  });

  it("`npm start` refuses to start half-configured, naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "chatrec-slackcfg-"));
    try {
      const run = spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin/chatrec.js"), "start"], {
        env: {
          PATH: process.env.PATH,
          CHATREC_DATA_DIR: dir,
          PORT: "0",
          SLACK_BOT_TOKEN: "xoxb-only",
        },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("SLACK_SIGNING_SECRET is missing");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("Slack app manifest", () => {
  const manifest = readFileSync(join(PACKAGE_ROOT, "adapters/slack/manifest.yml"), "utf8");
  it("asks for the scopes, events, commands and interactivity the adapter uses, all on /slack/events", () => {
    for (const scope of ["app_mentions:read", "chat:write", "commands", "im:history", "im:read"])
      expect(manifest).toMatch(new RegExp(`^\\s+- ${scope}$`, "m"));
    for (const event of ["app_mention", "message.im"])
      expect(manifest).toMatch(new RegExp(`^\\s+- ${event}$`, "m"));
    for (const command of ["/recommend", "/profile", "/forget"])
      expect(manifest).toMatch(
        new RegExp(
          `- command: ${command}\\n\\s+url: https://chatrec.example.com${SLACK_EVENTS_PATH}`,
        ),
      );
    expect(manifest).toMatch(
      /interactivity:\n\s+is_enabled: true\n\s+request_url: https:\/\/chatrec.example.com\/slack\/events/,
    );
    expect(manifest).toMatch(
      /event_subscriptions:\n\s+request_url: https:\/\/chatrec.example.com\/slack\/events/,
    );
    // The README's set-up step 1 tells people to replace the address "in all five places".
    expect(manifest.replace(/^\s*#.*$/gm, "").match(/https:\/\/chatrec\.example\.com\S*/g)).toEqual(
      Array(5).fill(`https://chatrec.example.com${SLACK_EVENTS_PATH}`),
    );
    expect(manifest).toMatch(/^\s+socket_mode_enabled: (true|false)$/m);
  });
});
