// `chatrec eval news [--readers n] [--k n] [--seed n] [--epochs n] [--json <file>]`: ingests BBC News with
// docs/catalogs.md's recipe (--train) into a throwaway data folder, plays simulated readers against the bot
// (research/eval/news.ts) and prints next-story hit rate @5/@10 against popularity and random.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";
import { parseOptions } from "../../src/util/args.ts";
import { ingestDomain, loadNewsStories } from "./domain-catalogs.ts";
import {
  popularityOrder,
  randomList,
  readerMessages,
  ScoreTally,
  seeded,
  simulateReaders,
  unreadTop,
  type NewsScores,
} from "./news.ts";

const USAGE =
  "usage: chatrec eval news [--readers n] [--k n] [--seed n] [--epochs n] [--json <file>]  (defaults: 1000 readers, k 3, seed 1, 12 epochs)";

export interface NewsEvalResult {
  readers: number;
  k: number;
  seed: number;
  bot: NewsScores;
  popularity: NewsScores;
  random: NewsScores;
  seconds: number;
}

export async function runNewsEval(opts: {
  readers: number;
  k: number;
  seed: number;
  epochs?: number;
  progress?: (done: number) => void;
}): Promise<NewsEvalResult> {
  const started = performance.now();
  const stories = loadNewsStories();
  const categoryOf = new Map(stories.map((s) => [s.id, s.category]));
  const readers = simulateReaders(stories, opts);
  const popular = popularityOrder(readers, stories);
  const random = seeded(opts.seed + 1);
  const tallies = { bot: new ScoreTally(), popularity: new ScoreTally(), random: new ScoreTally() };
  const dir = mkdtempSync(join(tmpdir(), "chatrec-news-eval-"));
  try {
    await ingestDomain("news", dir, { ...(opts.epochs ? { epochs: opts.epochs } : {}) });
    const bot = await Bot.create(loadConfig({ CHATREC_DATA_DIR: dir }));
    try {
      for (const [i, reader] of readers.entries()) {
        const user = { platform: "eval", id: reader.id };
        let list: string[] = [];
        for (const [t, text] of readerMessages(reader).entries()) {
          const reply = await bot.handleMessage({
            user,
            text,
            messageId: `${reader.id}-${t}`,
            limit: 10,
          });
          list = reply.recommendations.map((r) => r.id);
        }
        const of = (id: string) => categoryOf.get(id);
        tallies.bot.add(reader, list, of);
        tallies.popularity.add(reader, unreadTop(popular, reader, 10), of);
        tallies.random.add(reader, randomList(stories, reader, 10, random), of);
        opts.progress?.(i + 1);
      }
    } finally {
      await bot.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    readers: readers.length,
    k: opts.k,
    seed: opts.seed,
    bot: tallies.bot.scores,
    popularity: tallies.popularity.scores,
    random: tallies.random.scores,
    seconds: (performance.now() - started) / 1000,
  };
}

export function formatNewsEval(r: NewsEvalResult): string {
  const row = (name: string, s: NewsScores) =>
    `  ${name.padEnd(11)} ${s.hr5.toFixed(3).padStart(6)} ${s.hr10.toFixed(3).padStart(6)} ${s.categoryPrecision5.toFixed(3).padStart(8)}`;
  return [
    `BBC News, ${r.readers} simulated readers (${r.k} stories read each, the next one held out; seed ${r.seed}); ${r.seconds.toFixed(0)} s`,
    `  ${"".padEnd(11)} ${"HR@5".padStart(6)} ${"HR@10".padStart(6)} ${"catP@5".padStart(8)}`,
    row("bot", r.bot),
    row("popularity", r.popularity),
    row("random", r.random),
  ].join("\n");
}

export async function runEvalNewsCli(args: string[]): Promise<void> {
  const { values } = parseOptions(
    args,
    { values: ["--readers", "--k", "--seed", "--epochs", "--json"] },
    USAGE,
  );
  const num = (name: string, fallback: number) => {
    const v = values.has(name) ? Number(values.get(name)) : fallback;
    if (!Number.isInteger(v) || v < 1)
      throw new Error(`${name} must be a positive integer\n${USAGE}`);
    return v;
  };
  const readers = num("--readers", 1000);
  const result = await runNewsEval({
    readers,
    k: num("--k", 3),
    seed: num("--seed", 1),
    ...(values.has("--epochs") ? { epochs: num("--epochs", 12) } : {}),
    progress: (n) => process.stderr.write(`  readers: ${n}/${readers}\r`),
  });
  process.stderr.write("\n");
  console.log(formatNewsEval(result));
  const jsonPath = values.get("--json");
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${jsonPath}`);
  }
}
