// `chatrec bench`, LLM section: does the explainer delay the first reply? The same conversations run on a bot
// without an LLM and on one whose explanations go to a deliberately slow local OpenAI-compatible server,
// each reply followed by bot.explain() in the background, as the Slack/Discord adapters and the web chat do.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bot } from "../../src/bot.ts";
import type { Config } from "../../src/config.ts";
import { percentile } from "../../src/util/stats.ts";
import { answerNamingPromptTitles, FakeOpenAI } from "../../test/support/fake-openai.ts";

// Liked titles x moods, then follow-ups on each person's own profile: mostly different lists, so most
// explanations are real LLM calls rather than cache hits.
const LIKES = [
  "I loved Inception and The Matrix",
  "funny animated movies for kids",
  "I liked Heat and The Godfather",
  "romantic comedies like When Harry Met Sally",
  "space adventure like Star Wars",
  "I enjoyed The Shining and Alien",
  "classic westerns",
  "Rocky was great",
  "I loved Amelie",
  "dark superhero films like The Dark Knight",
];
const MOODS = [
  "no horror",
  "something recent, after 2000",
  "more like the second one",
  "I've seen the first one",
  "something lighter",
  "older ones are fine",
];

interface Summary {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface ExplainerBench {
  llmDelayMs: number;
  messages: number;
  /** First-reply latency (message in, reply out) in ms. */
  disabled: Summary;
  enabled: Summary;
  /** Explanations that arrived (checked) after their reply, and when, in ms after the reply. */
  explained: number;
  explainedAfter: Summary;
  llmRequests: number;
  stats: { requests: number; cacheHits: number; dropped: number; failed: number };
}

export async function benchExplainer(
  config: Config,
  opts: { people?: number; turns?: number; llmDelayMs?: number } = {},
): Promise<ExplainerBench> {
  const people = opts.people ?? 100;
  const turns = opts.turns ?? 3;
  const llmDelayMs = opts.llmDelayMs ?? 1_500;
  const fake = await new FakeOpenAI((_n, req) => ({
    content: answerNamingPromptTitles(req),
    delayMs: llmDelayMs,
  })).listen();
  const dirs = [
    mkdtempSync(join(tmpdir(), "chatrec-bench-llm-")),
    mkdtempSync(join(tmpdir(), "chatrec-bench-llm-")),
  ];
  const { apiKey: _ignored, ...noKey } = config.llm;
  const plain = await Bot.create({
    ...config,
    dataDir: dirs[0]!,
    dbUri: join(dirs[0]!, "lancedb"),
    llm: noKey,
  });
  const explaining = await Bot.create({
    ...config,
    dataDir: dirs[1]!,
    dbUri: join(dirs[1]!, "lancedb"),
    llm: { ...noKey, apiKey: "bench", baseUrl: fake.baseUrl },
  });
  const replyMs = { plain: [] as number[], explaining: [] as number[] };
  const explainedAfter: number[] = [];
  const pending: Array<Promise<void>> = [];
  try {
    for (const bot of [plain, explaining])
      await bot.handleMessage({ user: { platform: "bench", id: "warm-up" }, text: LIKES[0]! });
    // Both bots take turns message by message (in alternating order), so machine noise hits both alike.
    for (let turn = 0; turn < turns; turn++) {
      for (let p = 0; p < people; p++) {
        const user = { platform: "bench", id: `person-${p}` };
        const text =
          turn === 0
            ? `${LIKES[p % LIKES.length]}, ${MOODS[Math.floor(p / LIKES.length) % MOODS.length]}`
            : MOODS[(p + turn) % MOODS.length]!;
        const order = (p + turn) % 2 === 0 ? [plain, explaining] : [explaining, plain];
        for (const bot of order) {
          const started = performance.now();
          const reply = await bot.handleMessage({ user, text });
          const repliedAt = performance.now();
          (bot === plain ? replyMs.plain : replyMs.explaining).push(repliedAt - started);
          if (bot.explanationsEnabled)
            pending.push(
              bot
                .explain(reply, user)
                .then(
                  (t) =>
                    void (t !== undefined && explainedAfter.push(performance.now() - repliedAt)),
                ),
            );
        }
      }
    }
    await Promise.all(pending);
    return {
      llmDelayMs,
      messages: people * turns,
      disabled: summary(replyMs.plain),
      enabled: summary(replyMs.explaining),
      explained: explainedAfter.length,
      explainedAfter: summary(explainedAfter),
      llmRequests: fake.requests.length,
      stats: { ...explaining.explanationStats },
    };
  } finally {
    await Promise.all([plain.close(), explaining.close(), fake.close()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function summary(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return { mean: NaN, p50: NaN, p90: NaN, p99: NaN };
  return {
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
  };
}

/** Prints the section of `chatrec bench` (and `chatrec bench llm`). */
export async function printExplainerBench(config: Config): Promise<void> {
  const r = await benchExplainer(config);
  const ms = (s: Summary) =>
    `mean ${s.mean.toFixed(2)} ms, p50 ${s.p50.toFixed(2)} ms, p90 ${s.p90.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms`;
  console.log(`first reply, no LLM configured: ${ms(r.disabled)} over ${r.messages} messages`);
  console.log(
    `first reply, LLM explanations on (local fake answering in ${r.llmDelayMs} ms): ${ms(r.enabled)} over ${r.messages} messages`,
  );
  console.log(
    `explanations after their reply: ${r.explained}/${r.messages} arrived, ${r.explained ? ms(r.explainedAfter) : "none"} later (${r.llmRequests} LLM requests, ${r.stats.cacheHits} cache hits, ${r.stats.dropped} dropped by the checks, ${r.stats.failed} failed or over budget)`,
  );
}
