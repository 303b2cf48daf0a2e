// `chatrec eval conversations --catalog books [--epochs n] [--json <file>]`: the goodbooks-10k conversation
// suite (research/conversations/books.jsonl) played against the bot serving goodbooks-10k, ingested with
// docs/catalogs.md's recipe (--train) into a throwaway data folder. Checks read the books' own metadata
// (authors as writers, original publication year, title).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";
import { parseOptions } from "../../src/util/args.ts";
import { formatPart } from "./conversations-cli.ts";
import {
  playConversation,
  share,
  summarise,
  type ConversationOutcome,
  type PartSummary,
} from "./conversations-run.ts";
import { parseConversations, SUITE_DIR, type Conversation } from "./conversations-suite.ts";
import { ingestDomain, loadBooksMetadata } from "./domain-catalogs.ts";

const USAGE =
  "usage: chatrec eval conversations --catalog books [--epochs n] [--limit n] [--json <file>]";

export const BOOKS_SUITE = resolve(SUITE_DIR, "books.jsonl");

export function loadBooksSuite(path = BOOKS_SUITE): Conversation[] {
  return parseConversations(readFileSync(path, "utf8"), path);
}

/** Ingests goodbooks-10k into a temporary folder and plays `conversations` there. */
export async function runBooksSuite(
  conversations: Conversation[],
  opts: { epochs?: number; progress?: (done: number) => void } = {},
): Promise<{ summary: PartSummary; outcomes: ConversationOutcome[] }> {
  const dir = mkdtempSync(join(tmpdir(), "chatrec-books-suite-"));
  try {
    await ingestDomain("books", dir, { ...(opts.epochs ? { epochs: opts.epochs } : {}) });
    const bot = await Bot.create(loadConfig({ CHATREC_DATA_DIR: dir }));
    const meta = loadBooksMetadata();
    const outcomes: ConversationOutcome[] = [];
    try {
      for (const conv of conversations) {
        outcomes.push(await playConversation(bot, conv, meta));
        opts.progress?.(outcomes.length);
      }
    } finally {
      await bot.close();
    }
    return { summary: summarise(outcomes), outcomes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runEvalBooksConversationsCli(args: string[]): Promise<void> {
  const { values } = parseOptions(
    args,
    { values: ["--catalog", "--epochs", "--limit", "--json"] },
    USAGE,
  );
  if (values.get("--catalog") !== "books") throw new Error(`--catalog must be books\n${USAGE}`);
  const limit = values.has("--limit") ? Number(values.get("--limit")) : undefined;
  const epochs = values.has("--epochs") ? Number(values.get("--epochs")) : undefined;
  const suite = loadBooksSuite().slice(0, limit);
  const started = performance.now();
  const { summary, outcomes } = await runBooksSuite(suite, {
    ...(epochs ? { epochs } : {}),
    progress: (n) => process.stderr.write(`  books: ${n}/${suite.length}\r`),
  });
  process.stderr.write("\n");
  console.log(formatPart("books" as never, summary).replace(/^part books/, "books suite"));
  const t = summary.total;
  console.log(
    `books: ${t.passed} of ${t.checks} checks passed (${share(t).toFixed(3)}), ${t.conversations} conversations, ${t.perfect} with every check passed; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  const failed = outcomes.flatMap((o) =>
    o.turns.flatMap((turn) =>
      turn.checks
        .filter((c) => !c.pass)
        .map((c) => `  ${o.id} "${turn.say}": ${c.check.check} — ${c.detail}`),
    ),
  );
  if (failed.length) console.log(`failed checks:\n${failed.join("\n")}`);
  const jsonPath = values.get("--json");
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify({ summary, outcomes }, null, 2)}\n`);
    console.log(`wrote ${jsonPath}`);
  }
}
