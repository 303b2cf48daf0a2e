// `chatrec eval conversations [--part working|held-out|all] [--json <file>]`: plays the hand-written
// conversation suite against the real bot (shipped catalog and models, no LLM, a throwaway data folder) and
// prints the share of checks passed by class. The held-out part runs only when asked for.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";
import { parseOptions } from "../../src/util/args.ts";
import { loadMetadata } from "./conversations-metadata.ts";
import {
  playConversation,
  share,
  summarise,
  type ConversationOutcome,
  type PartSummary,
  type Tally,
} from "./conversations-run.ts";
import { loadPart, PARTS, type Part } from "./conversations-suite.ts";

const USAGE =
  "usage: chatrec eval conversations [--part working|held-out|all] [--json <file>]  (default: working)";

const row = (name: string, t: Tally) =>
  `  ${name.padEnd(20)} ${String(t.conversations).padStart(5)} ${String(t.turns).padStart(6)} ${String(t.checks).padStart(7)} ${String(t.passed).padStart(7)} ${share(t).toFixed(3).padStart(6)} ${String(t.perfect).padStart(8)}`;

export function formatPart(part: Part, s: PartSummary): string {
  return [
    `part ${part}: ${s.total.conversations} conversations, ${s.total.turns} turns, ${s.total.checks} checks`,
    `  ${"class".padEnd(20)} ${"conv".padStart(5)} ${"turns".padStart(6)} ${"checks".padStart(7)} ${"passed".padStart(7)} ${"share".padStart(6)} ${"all-pass".padStart(8)}`,
    ...Object.entries(s.byClass)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, t]) => row(name, t)),
    row("all", s.total),
  ].join("\n");
}

export async function runEvalConversationsCli(args: string[]): Promise<void> {
  const { values } = parseOptions(args, { values: ["--part", "--json"] }, USAGE);
  const which = values.get("--part") ?? "working";
  if (which !== "all" && !(PARTS as readonly string[]).includes(which))
    throw new Error(`--part must be working, held-out or all\n${USAGE}`);
  const parts = which === "all" ? [...PARTS] : [which as Part];
  const suites = parts.map((part) => ({ part, conversations: loadPart(part) }));
  const dir = mkdtempSync(join(tmpdir(), "chatrec-conversations-"));
  const started = performance.now();
  try {
    const config = loadConfig({ CHATREC_DATA_DIR: dir });
    const meta = loadMetadata();
    console.log(
      `metadata: ${meta.size} catalog films, ${meta.withTmdb} with a TMDB record (runtime, studios, keywords)`,
    );
    const bot = await Bot.create(config);
    const results: Array<{ part: Part; summary: PartSummary; outcomes: ConversationOutcome[] }> =
      [];
    try {
      for (const { part, conversations } of suites) {
        const outcomes: ConversationOutcome[] = [];
        for (const conv of conversations) {
          outcomes.push(await playConversation(bot, conv, meta));
          process.stderr.write(`  ${part}: ${outcomes.length}/${conversations.length}\r`);
        }
        process.stderr.write("\n");
        const summary = summarise(outcomes);
        results.push({ part, summary, outcomes });
        console.log(formatPart(part, summary));
      }
    } finally {
      await bot.close();
    }
    const overall = summarise(results.flatMap((r) => r.outcomes)).total;
    console.log(
      `overall (${parts.join(" + ")}): ${overall.passed} of ${overall.checks} checks passed (${share(overall).toFixed(3)}), ${overall.conversations} conversations, ${overall.turns} turns, ${overall.perfect} conversations with every check passed; ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const jsonPath = values.get("--json");
    if (jsonPath) {
      writeFileSync(jsonPath, `${JSON.stringify({ parts: results, overall }, null, 2)}\n`);
      console.log(`wrote ${jsonPath}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
