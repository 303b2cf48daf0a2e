// The web chat page in a real headless Chromium against a real server (real bot, model and LanceDB): what a
// person sees when they type, read the cards and click like / not for me / seen it / more like this, on a
// phone and on a desktop screen: the message box stays on screen, focus comes back to it, the page says
// when it is thinking, and nothing is logged as done unless the server accepted it.
// CHATREC_WEB_SCREENSHOT=docs/web-chat.png also saves the desktop page after its first reply there.
import { TurnHost } from "../../adapters/host.ts";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import {
  chromium,
  type Browser,
  type BrowserContextOptions,
  type Locator,
  type Page,
} from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Bot } from "../../src/bot.ts";
import { loadCatalogFile } from "../../src/catalog/load.ts";
import { loadConfig } from "../../src/config.ts";
import type { Item } from "../../src/types.ts";

const CHROMIUM = "/usr/bin/chromium"; // Debian's chromium, installed by .ci/run
const dir = mkdtempSync(join(tmpdir(), "chatrec-browser-"));
let bot: Bot;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
/** The catalog file the bot was built from, read here so the checks do not lean on the Bot's own API. */
let catalog: Map<string, Item>;

beforeAll(async () => {
  const config = loadConfig({}, { dataDir: dir, commitIntervalMs: 2 });
  catalog = new Map(loadCatalogFile(config.catalogPath).items.map((i) => [i.id, i]));
  bot = await Bot.create(config);
  app = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
  base = await app.listen({ port: 0, host: "127.0.0.1" });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(base);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await bot?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What Chromium reported as blocked by the page's Content-Security-Policy. */
const cspViolations: string[] = [];
const cardsOn = (p: Page) => p.locator("#cards > li.card");
const cardIdsOn = (p: Page) =>
  cardsOn(p).evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.id!));
const logOn = (p: Page, who: "me" | "bot") => p.locator(`#log .${who}`).allTextContents();
/** The page has finished its request: nothing is marked busy. */
const idleOn = (p: Page) => p.waitForFunction(() => !document.querySelector("[aria-busy]"));
const cards = () => cardsOn(page);
const cardIds = () => cardIdsOn(page);
const interests = () => page.locator("#interests li").allTextContents();
const idle = () => idleOn(page);
const API = /\/v1\/(messages|feedback)$/;

/** Does `action`, waits for the request it sends and for the page to have dealt with the answer. */
async function act(p: Page, action: () => Promise<void>) {
  const request = p.waitForRequest((r) => API.test(new URL(r.url()).pathname));
  request.catch(() => undefined); // reported by the await below, unless the action failed first
  await action();
  await request;
  await idleOn(p);
}

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

type CardAction = "Like" | "Not for me" | "Seen it" | "More like this";
const titleOf = async (card: Locator) =>
  (await card.locator("h3").textContent())!.replace(/\s*\(\d{4}\)$/, "");
const buttonOn = (p: Page, label: CardAction, title: string) =>
  p.getByRole("button", { name: `${label}: ${title}`, exact: true });

async function click(label: CardAction, card: Locator) {
  const title = await titleOf(card);
  await act(page, () => buttonOn(page, label, title).click());
}

describe("web chat in a real browser", () => {
  it("is served under a strict CSP with no inline script or style, and Chromium blocks nothing", async () => {
    const res = await fetch(base);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    await page.getByLabel("Message").fill("funny animated movies");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(() => cards().count(), { timeout: 30_000 }).toBe(5);
    await idle();
    expect(cspViolations).toEqual([]);
  });

  it("shows cards with title, year and reasons, and the person's interests, after a typed message", async () => {
    await page
      .getByLabel("Message")
      .fill("I loved Inception and The Matrix, something like those but no horror");
    await page.getByLabel("Message").press("Enter");
    await expect.poll(() => cards().count(), { timeout: 30_000 }).toBe(5);
    await idle();
    for (const card of await cards().all()) {
      const shown = await readCard(card);
      const item = catalog.get(shown.id)!;
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
    const likedItem = catalog.get(liked)!;
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
    // Not logged as said, and kept in the box to be shortened.
    expect((await page.locator("#log .me").allTextContents()).some((t) => t.includes("xxxx"))).toBe(
      false,
    );
    expect(await page.getByLabel("Message").inputValue()).toHaveLength(
      bot.config.maxTextLength + 10,
    );

    await page.getByLabel("Message").fill("");
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
    await idle();
    expect(await logOn(page, "me")).not.toContain("You: more like the first one");
    await page.unroute("**/v1/messages");
  });
});

interface Screen {
  name: string;
  context: BrowserContextOptions;
  /** Touch screens tap; the others click. */
  touch: boolean;
}
const SCREENS: Screen[] = [
  {
    name: "phone (390x844)",
    context: {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    },
    touch: true,
  },
  { name: "desktop (1280x800)", context: { viewport: { width: 1280, height: 800 } }, touch: false },
];

describe.each(SCREENS)("web chat on a $name screen", (screen) => {
  let p: Page;
  const press = (target: Locator) => (screen.touch ? target.tap() : target.click());
  const send = (text: string) =>
    act(p, async () => {
      await p.getByLabel("Message").fill(text);
      await press(p.getByRole("button", { name: "Send" }));
    });
  const onCard = async (label: CardAction, card: Locator) => {
    const title = await titleOf(card);
    await act(p, () => press(buttonOn(p, label, title)));
    return title;
  };
  const ensureList = async () => {
    if ((await cardsOn(p).count()) === 0) await send("I loved Inception and The Matrix");
    expect(await cardsOn(p).count()).toBe(5);
  };
  const focused = () => p.evaluate(() => document.activeElement?.id ?? "");

  /** Where the message box, the log, the cards and the newest reply are on screen. */
  async function layout() {
    return p.evaluate(() => {
      const box = (el: Element | null | undefined) => {
        const r = el!.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      };
      const input = document.getElementById("t")!;
      const before = (el: Element) =>
        Boolean(el.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_FOLLOWING);
      const log = document.getElementById("log")!;
      const cards = document.getElementById("cards")!;
      return {
        input: box(input),
        send: box(document.getElementById("send")),
        newestReply: box(log.querySelector(".bot:last-child")),
        log: box(log),
        cards: box(cards),
        logAndCardsBeforeInput: before(log) && before(cards),
        innerHeight: window.innerHeight,
        innerWidth: window.innerWidth,
        scrollWidth: document.documentElement.scrollWidth,
      };
    });
  }
  async function expectInputOnScreen(when: string) {
    const l = await layout();
    const where = `${screen.name}, ${when}: ${JSON.stringify(l)}`;
    expect(l.input.top, where).toBeGreaterThanOrEqual(0);
    expect(l.input.bottom, where).toBeLessThanOrEqual(l.innerHeight);
    expect(l.send.bottom, where).toBeLessThanOrEqual(l.innerHeight);
    expect(l.send.right, where).toBeLessThanOrEqual(l.innerWidth);
    expect(l.scrollWidth, `${where}: no sideways scrolling`).toBeLessThanOrEqual(l.innerWidth);
    // The conversation and the cards come before the box and start above it; the newest reply is in
    // sight, above the box (not under it).
    expect(l.logAndCardsBeforeInput, where).toBe(true);
    expect(l.log.top, where).toBeLessThan(l.input.top);
    expect(l.cards.top, where).toBeLessThan(l.input.top);
    expect(l.newestReply.top, where).toBeGreaterThanOrEqual(0);
    expect(l.newestReply.bottom, where).toBeLessThanOrEqual(l.input.top);
  }

  beforeAll(async () => {
    const context = await browser.newContext(screen.context);
    context.setDefaultTimeout(15_000);
    p = await context.newPage();
    await p.goto(base);
  });
  afterAll(async () => {
    await p?.context().close();
  });

  it("keeps the log and the cards above the message box, which stays on screen reply after reply", async () => {
    await send("I loved Inception and The Matrix, something like those but no horror");
    expect(await cardsOn(p).count()).toBe(5);
    await expectInputOnScreen("after the first reply");
    const shot = process.env.CHATREC_WEB_SCREENSHOT;
    if (shot && !screen.touch) {
      mkdirSync(dirname(shot), { recursive: true });
      await p.screenshot({ path: shot });
    }

    await onCard("Not for me", cardsOn(p).first());
    await expectInputOnScreen("after 'Not for me'");
    await onCard("Seen it", cardsOn(p).nth(2));
    await expectInputOnScreen("after 'Seen it'");
    await send("something lighter, a comedy maybe");
    await expectInputOnScreen("after a second message");
    await onCard("Like", cardsOn(p).first());
    await send("more");
    await expectInputOnScreen("after six replies");
    expect(await logOn(p, "bot")).toHaveLength(6);
  });

  it("gives focus back to the message box after Send and after each card button", async () => {
    await send("I loved Alien and Blade Runner");
    expect(await focused(), "after Send").toBe("t");
    for (const label of ["Like", "Not for me", "Seen it", "More like this"] as const) {
      await ensureList();
      await onCard(label, cardsOn(p).first());
      expect(await focused(), `after ${label}`).toBe("t");
    }
    // Typing right away goes to the box.
    await p.keyboard.type("thanks");
    expect(await p.getByLabel("Message").inputValue()).toBe("thanks");
    await p.getByLabel("Message").fill("");
  });

  it("'More like this' on a card gives a new list around that film", async () => {
    await ensureList();
    const before = await cardIdsOn(p);
    const anchor = before[1]!;
    const title = await onCard("More like this", cardsOn(p).nth(1));
    await expect.poll(() => cardIdsOn(p)).not.toEqual(before);
    const after = await cardIdsOn(p);
    expect(after).toHaveLength(5);
    expect(after).not.toContain(anchor);
    expect(after.every((id) => catalog.has(id))).toBe(true);
    expect((await logOn(p, "me")).at(-1)).toBe(`You asked for more like ${title}`);
    expect((await logOn(p, "bot")).at(-1)).toContain(`More like ${title}`);
    expect(await p.getByRole("alert").isVisible()).toBe(false);
  });

  it("shows that it is thinking while a request is in flight, and only then", async () => {
    await ensureList();
    for (const [path, start] of [
      ["/v1/messages", () => p.getByLabel("Message").fill("I loved Heat")] as const,
      ["/v1/feedback", () => Promise.resolve()] as const,
    ]) {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await p.route(`**${path}`, async (route) => {
        await held;
        await route.continue().catch(() => undefined); // already let through when unrouted early
      });
      const said = (await logOn(p, "me")).length;
      const status = p.getByRole("status");
      try {
        await start();
        const title = await titleOf(cardsOn(p).first());
        const request = p.waitForRequest(`**${path}`);
        await press(
          path === "/v1/messages"
            ? p.getByRole("button", { name: "Send" })
            : buttonOn(p, "Like", title),
        );
        await request;
        await expect.poll(() => status.textContent({ timeout: 1000 })).toMatch(/thinking/i);
        expect(await status.isVisible()).toBe(true);
        expect(await p.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
        expect(await buttonOn(p, "Not for me", title).isDisabled()).toBe(true);
        expect(await p.getByLabel("Message").isEditable()).toBe(false);
        expect(await focused()).toBe("t");
        expect(await logOn(p, "me"), "nothing logged before the server accepts it").toHaveLength(
          said,
        );
      } finally {
        release();
        await p.unroute(`**${path}`);
      }
      await idleOn(p);
      expect(await status.textContent()).toBe("");
      expect(await logOn(p, "me")).toHaveLength(said + 1);
      expect(await p.getByRole("button", { name: "Send" }).isDisabled()).toBe(false);
      expect(await p.getByLabel("Message").isEditable()).toBe(true);
      expect(await cardsOn(p).first().getByRole("button").first().isDisabled()).toBe(false);
    }
  });

  it("logs nothing as done when the server refuses a click or cannot be reached, and says why", async () => {
    await ensureList();
    const before = await cardIdsOn(p);
    const said = await logOn(p, "me");
    const replies = (await logOn(p, "bot")).length;
    const alert = p.getByRole("alert");
    const nothingLogged = async () => {
      expect(await logOn(p, "me")).toEqual(said);
      expect(await logOn(p, "bot")).toHaveLength(replies);
      expect(await cardIdsOn(p)).toEqual(before);
      expect(await focused()).toBe("t");
      expect(await p.getByRole("status").textContent()).toBe("");
    };
    // The catalog changed under the page (a rebuild between showing the list and the click): the real
    // server answers 404 with its reason.
    await p.route("**/v1/feedback", (route) =>
      route.continue({
        postData: JSON.stringify({
          ...route.request().postDataJSON(),
          itemId: "gone-from-catalog",
        }),
      }),
    );
    await onCard("Like", cardsOn(p).first());
    await p.unroute("**/v1/feedback");
    expect(await alert.textContent()).toMatch(
      /^Sorry, that didn't work: unknown item gone-from-catalog/,
    );
    expect(await alert.isVisible()).toBe(true);
    expect((await logOn(p, "me")).filter((t) => t.startsWith("You liked"))).toEqual(
      said.filter((t) => t.startsWith("You liked")),
    );
    await nothingLogged();

    await p.route("**/v1/feedback", (route) => route.abort("connectionrefused"));
    await onCard("Not for me", cardsOn(p).nth(1));
    await p.unroute("**/v1/feedback");
    expect(await alert.textContent()).toMatch(/can't reach the bot right now/);
    await nothingLogged();

    // The next click that works clears the error and is logged.
    const title = await onCard("Seen it", cardsOn(p).nth(1));
    expect(await alert.isVisible()).toBe(false);
    expect((await logOn(p, "me")).at(-1)).toBe(`You've seen ${title}`);
  });
});
