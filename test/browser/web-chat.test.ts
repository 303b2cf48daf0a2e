// The web chat page in a real headless Chromium against a real server (real bot, model and LanceDB): what a
// person sees when they type, read the cards and click like / not for me / seen it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";

const CHROMIUM = "/usr/bin/chromium"; // Debian's chromium, installed by .ci/run
const dir = mkdtempSync(join(tmpdir(), "chatrec-browser-"));
let bot: Bot;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const config = loadConfig({}, { dataDir: dir, commitIntervalMs: 2 });
  bot = await Bot.create(config);
  app = buildServer(bot, { maxBodyBytes: config.maxBodyBytes });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage();
  await page.goto(base);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await bot?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cards = () => page.locator("#cards > li.card");
const cardIds = () => cards().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
const interests = () => page.locator("#interests li").allTextContents();
const idle = () => page.waitForFunction(() => !document.body.hasAttribute("aria-busy"));

async function readCard(card: Locator) {
  return {
    id: (await card.getAttribute("data-id"))!,
    heading: (await card.locator("h3").textContent())!,
    year: await card
      .locator("h3 .year")
      .textContent()
      .catch(() => null),
    reasons: await card.locator("ul.reasons li").allTextContents(),
  };
}

async function click(label: "Like" | "Not for me" | "Seen it", card: Locator) {
  const title = (await card.locator("h3").textContent())!.replace(/\s*\(\d{4}\)$/, "");
  await page.getByRole("button", { name: `${label}: ${title}`, exact: true }).click();
  await idle();
}

describe("web chat in a real browser", () => {
  it("shows cards with title, year and reasons, and the person's interests, after a typed message", async () => {
    await page
      .getByLabel("Message")
      .fill("I loved Inception and The Matrix, something like those but no horror");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(() => cards().count(), { timeout: 30_000 }).toBe(5);
    await idle();
    for (const card of await cards().all()) {
      const shown = await readCard(card);
      const item = bot.catalog.item(shown.id)!;
      expect(item, `card ${shown.id} is a catalog item`).toBeDefined();
      expect(shown.heading).toContain(item.title);
      if (item.year) expect(shown.year).toBe(`(${item.year})`);
      expect(shown.reasons.length).toBeGreaterThan(0);
      expect(shown.reasons.every((r) => r.trim().length > 5)).toBe(true);
      expect(item.categories).not.toContain("horror");
      expect(["Inception", "The Matrix"]).not.toContain(item.title);
    }
    expect(await page.locator("#cards h3 .year").count()).toBeGreaterThan(0);
    const labels = (await interests()).map((t) => t.replace(/\s+\d+%$/, ""));
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.some((l) => ["sci-fi", "action", "thriller", "adventure"].includes(l))).toBe(
      true,
    );
    await expect.poll(() => page.locator("#log .bot").count()).toBeGreaterThan(0);
    expect(await page.locator("#error").isVisible()).toBe(false);
  });

  it("'Not for me' and 'Seen it' take the card off the list; 'Like' changes the interests; the profile agrees", async () => {
    const before = await cardIds();
    const rejected = before[0]!;
    await click("Not for me", cards().first());
    await expect.poll(cardIds).not.toContain(rejected);
    expect(await cards().count()).toBe(5);

    const seen = (await cardIds())[1]!;
    await click("Seen it", cards().nth(1));
    await expect.poll(cardIds).not.toContain(seen);
    expect(await cardIds()).not.toContain(rejected);

    const interestsBefore = await interests();
    const liked = (await cardIds())[0]!;
    const likedItem = bot.catalog.item(liked)!;
    await click("Like", cards().first());
    await expect.poll(interests).not.toEqual(interestsBefore);
    await expect.poll(cardIds).not.toContain(liked);
    expect(await page.locator("#log .me").allTextContents()).toContain(
      `You liked ${likedItem.title}`,
    );

    const uid = await page.evaluate(() => localStorage.getItem("chatrec-user"));
    const profile = (await (
      await fetch(`${base}/v1/users/${encodeURIComponent(uid!)}/profile`)
    ).json()) as { liked: string[]; disliked: string[]; seen: string[] };
    expect(profile.disliked).toContain(rejected);
    expect(profile.seen).toContain(seen);
    expect(profile.liked).toContain(liked);
  });

  it("shows a polite error for a refused message and keeps the list", async () => {
    const listBefore = await cardIds();
    await page.getByLabel("Message").fill("x".repeat(bot.config.maxTextLength + 10));
    await page.getByLabel("Message").press("Enter");
    const error = page.getByRole("alert");
    await expect
      .poll(() => error.textContent())
      .toMatch(/^Sorry, that didn't work: text: text is longer than 2000 characters/);
    expect(await error.isVisible()).toBe(true);
    expect(await cardIds()).toEqual(listBefore);

    await page.getByRole("button", { name: "Send" }).click();
    expect(await error.textContent()).toMatch(/Type a message first/);
  });

  it("says so politely when the server cannot be reached", async () => {
    await page.route("**/v1/messages", (route) => route.abort("connectionrefused"));
    await page.getByLabel("Message").fill("more like the first one");
    await page.getByLabel("Message").press("Enter");
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toMatch(/can't reach the bot right now/);
    await page.unroute("**/v1/messages");
  });
});
