// Turns in worker threads (the server's default): the same replies as on one thread, and the store's
// guarantees kept by the main thread: one person's turns in order, a repeated message id answered once,
// every acknowledged event durable, errors with their codes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bot } from "../src/bot.ts";
import { loadConfig } from "../src/config.ts";
import { ChatrecError } from "../src/errors.ts";

const dirs = [
  mkdtempSync(join(tmpdir(), "chatrec-workers-")),
  mkdtempSync(join(tmpdir(), "chatrec-one-thread-")),
];
const config = (dir: string) => loadConfig({}, { dataDir: dir, commitIntervalMs: 2 });
let threaded: Bot;
let oneThread: Bot;

beforeAll(async () => {
  [threaded, oneThread] = await Promise.all([
    Bot.create(config(dirs[0]!), () => undefined, { workers: 2 }),
    Bot.create(config(dirs[1]!)),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([threaded.close(), oneThread.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const CONVERSATION = [
  "I loved Inception and The Matrix, no horror",
  "more like the second one",
  "not that one",
  "something older",
  "why?",
  "what do you think I like?",
];

describe("turns in worker threads", () => {
  it("answers a conversation exactly as the main thread does", async () => {
    for (const [i, text] of CONVERSATION.entries()) {
      const msg = (id: string) => ({ user: { platform: "test", id }, text, messageId: `c${i}` });
      const [a, b] = await Promise.all([
        threaded.handleMessage(msg("same")),
        oneThread.handleMessage(msg("same")),
      ]);
      expect(a.text).toBe(b.text);
      expect(a.intent).toBe(b.intent);
      expect(a.recommendations.map((r) => [r.title, r.reasons])).toEqual(
        b.recommendations.map((r) => [r.title, r.reasons]),
      );
      expect(a.interests).toEqual(b.interests);
    }
  });

  it("keeps one person's turns in the order they were sent, each event recorded once", async () => {
    const user = { platform: "test", id: "busy" };
    const titles = [
      "Heat",
      "Jaws",
      "Alien",
      "Fargo",
      "Casablanca",
      "Titanic",
      "Goodfellas",
      "Rocky",
    ];
    const replies = await Promise.all(
      titles.map((t, i) =>
        threaded.handleMessage({ user, text: `I loved ${t}`, messageId: `b${i}` }),
      ),
    );
    for (const [i, r] of replies.entries()) expect(r.text).toContain(titles[i]);
    // The same message ids again: the first answers, nothing new on record.
    const again = await threaded.handleMessage({ user, text: "I loved Heat", messageId: "b0" });
    expect(again.recommendations.map((r) => r.id)).toEqual(
      replies[0]!.recommendations.map((r) => r.id),
    );
    const { events } = (await threaded.exportOf(user))!;
    expect(events.map((e) => e.messageId)).toEqual(titles.map((_, i) => `b${i}`));
    expect(events.map((e) => e.seq)).toEqual(titles.map((_, i) => i + 1));
  });

  it("throws a worker's error with its code", async () => {
    const err = await threaded
      .handleFeedback({
        user: { platform: "test", id: "ana" },
        itemId: "no-such-item",
        signal: "like",
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChatrecError);
    expect((err as ChatrecError).code).toBe("UNKNOWN_ITEM");
  });

  it("forgets through the main thread's store", async () => {
    const user = { platform: "test", id: "leaving" };
    await threaded.handleMessage({ user, text: "I loved Alien" });
    expect(await threaded.profileOf(user)).toBeDefined();
    const r = await threaded.handleMessage({ user, text: "forget me" });
    expect(r.intent).toBe("forget");
    expect(await threaded.profileOf(user)).toBeUndefined();
  });

  it("has every acknowledged event on disk after a restart", async () => {
    const user = { platform: "test", id: "durable" };
    await threaded.handleMessage({ user, text: "I loved Jurassic Park" });
    await threaded.close();
    const reopened = await Bot.create(config(dirs[0]!));
    try {
      const profile = await reopened.profileOf(user);
      expect(profile?.liked.length).toBeGreaterThan(0);
    } finally {
      await reopened.close();
      threaded = await Bot.create(config(dirs[0]!), () => undefined, { workers: 1 }); // for afterAll
    }
  }, 60_000);
});

describe("turn workers started in the background (the server)", () => {
  it("answers on the main thread while they load, then in them, in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chatrec-background-"));
    const log: string[] = [];
    const bot = await Bot.create(config(dir), (s) => log.push(s), {
      workers: 1,
      workersInBackground: true,
    });
    try {
      const user = { platform: "test", id: "early" };
      const early = await bot.handleMessage({ user, text: "I loved Alien", messageId: "e1" });
      expect(early.recommendations.length).toBeGreaterThan(0);
      expect(bot.turnsInWorkers).toBe(0);
      await bot.workersStarted;
      expect(log).toContain("turns run in 1 worker thread");
      const later = await bot.handleMessage({ user, text: "something funnier", messageId: "e2" });
      expect(later.recommendations.length).toBeGreaterThan(0);
      expect(bot.turnsInWorkers).toBe(1);
      const { events } = (await bot.exportOf(user))!;
      expect(events.map((e) => e.messageId)).toEqual(["e1", "e2"]);
    } finally {
      await bot.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
