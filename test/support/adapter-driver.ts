// The platform-neutral test driver every adapter implements, so one contract suite
// (test/contract/suite.ts) runs the same conversations against the HTTP API (also with callbacks), the terminal,
// Slack and Discord. A driver talks to its adapter only over the adapter's real protocol
// (HTTP, stdin/stdout, signed Slack requests, a fake Discord gateway) and reads back what a person
// would see, turned into a Reply.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";

/** What a person sees after a message or a click: the text and the item cards, in order. */
export interface Reply {
  text: string;
  /** The cards shown (empty when the reply has none); `id` is the catalog item id the card's buttons carry. */
  items: Array<{ id: string; title: string }>;
}

/** The buttons on an item card: like, not for me, seen it, more like this. */
export type ClickAction = "like" | "dislike" | "seen" | "more";
export const CLICK_ACTIONS: readonly ClickAction[] = ["like", "dislike", "seen", "more"];

/**
 * A person on the platform. `scope` is the workspace (Slack team id) or guild (Discord guild id) they
 * write from; drivers of platforms without scopes ignore it. Same id in two scopes = two people.
 */
export interface Person {
  id: string;
  scope?: string;
}

export interface AdapterDriver {
  /** Shown in test names: "webhook", "terminal", "slack", "discord". */
  readonly name: string;
  /** True when the platform has workspaces/guilds that isolate profiles (Person.scope is honoured). */
  readonly scoped: boolean;
  /** True when the platform shows buttons on cards; otherwise `click` is typed as words ("not that one"). */
  readonly buttons: boolean;
  /** Starts the bot and any fake platform servers (fresh data folder); resolves when a message can be sent. */
  start(): Promise<void>;
  /** The person writes `text` to the bot (a DM, a mention, a POST, a typed line); resolves with the reply. */
  say(person: Person, text: string): Promise<Reply>;
  /**
   * The person presses `action` on the card of `itemId` from the last reply; resolves with the refreshed reply.
   * On platforms with buttons, an `itemId` that no card shows (a stale or forged button) must still be sent
   * as the platform would send it (the suite checks the polite answer to "no-such-item"); the terminal,
   * which has no buttons, may throw for it.
   */
  click(person: Person, itemId: string, action: ClickAction): Promise<Reply>;
  /** Stops everything started and deletes the data folder. */
  stop(): Promise<void>;
}

/** A factory, so the suite can build a fresh driver per adapter and skip none silently. */
export type AdapterDriverFactory = () => AdapterDriver;

let template: Promise<string> | undefined;

/**
 * A fresh data folder whose catalog is already embedded: the first call builds one template per test
 * process (about 6 s), later calls copy it (well under a second), so four adapters do not embed the
 * catalog four times. Profiles start empty in every copy.
 */
export async function seededDataDir(prefix: string): Promise<string> {
  template ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "chatrec-template-"));
    const bot = await Bot.create(loadConfig({}, { dataDir: dir }));
    await bot.close();
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  const source = await template;
  const dir = mkdtempSync(join(tmpdir(), `chatrec-${prefix}-`));
  cpSync(source, dir, { recursive: true });
  return dir;
}
