// The web chat in a real headless Chromium: the list appears at once, then the LLM explanation streams in
// under it (fake OpenAI-compatible server over HTTP), and a dropped explanation is withdrawn.
import { TurnHost } from "../../adapters/host.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";
import { answerNamingPromptTitles, FakeOpenAI } from "../support/fake-openai.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-llm-browser-"));
const fake = new FakeOpenAI(() => ({ content: "" }));
let bot: Bot;
let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  await fake.listen();
  const config = loadConfig(
    { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.baseUrl },
    { dataDir: dir, commitIntervalMs: 2 },
  );
  bot = await Bot.create(config);
  app = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking"],
  });
});
afterAll(async () => {
  await browser?.close();
  await app.close();
  await bot.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("web chat with LLM explanations", () => {
  it("shows the list first, then streams the explanation under it; a dropped one disappears", async () => {
    // Two sentences, the second one arriving 600 ms after the first.
    fake.setScript((_n, req) => {
      const answer = answerNamingPromptTitles(req);
      return { chunks: ["These picks follow what you told me. ", answer], chunkDelayMs: 600 };
    });
    const page = await browser.newPage();
    await page.goto(base);
    await page.fill("#t", "I loved Inception and The Matrix, no horror");
    await page.press("#t", "Enter");
    await page.waitForSelector(".card");
    const titles = await page.$$eval(".card h3", (hs) => hs.map((h) => h.textContent ?? ""));
    expect(titles).toHaveLength(5);
    await page.waitForFunction(
      () => document.querySelector("#why")?.textContent === "These picks follow what you told me.",
    );
    const plain = (t: string) => t.replace(/ \(\d{4}\)$/, "");
    await page.waitForFunction(
      (text) => document.querySelector("#why")?.textContent?.endsWith(text),
      `${plain(titles[0]!)} and ${plain(titles[1]!)} both fit what you told me.`,
    );
    expect(await page.isVisible("#why")).toBe(true);

    // The next answer names a movie that was not recommended: whatever streamed is withdrawn.
    fake.setScript(() => ({
      chunks: ["Good choices all round. ", "Fans of Jurassic Park agree."],
      chunkDelayMs: 600,
    }));
    await page.click(".card button:has-text('Not for me')");
    await page.waitForFunction(
      () => document.querySelector("#why")?.textContent === "Good choices all round.",
    );
    await page.waitForFunction(
      () => (document.querySelector("#why") as HTMLElement | null)?.hidden === true,
    );
    expect(await page.$$(".card")).toHaveLength(5);
    await page.close();
  });
});
