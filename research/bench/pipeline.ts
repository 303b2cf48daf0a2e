// Per-message latency of the in-process pipeline on the demo catalog, in a throwaway data folder.
//
// Realistic traffic: conversations of new people, people seen earlier in this run, and people who come back
// after a restart (their profile is on disk, not in memory); a mix of recommendations naming catalog titles,
// critiques ("more like the second one"), feedback buttons, "not that one", "why?" and profile questions.
// JIT warm-up turns are excluded. Each turn's stages are timed (Replay.timeStages) for the breakdown.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bot } from "../../src/bot.ts";
import { Replay } from "../../src/replay.ts";
import type { Config } from "../../src/config.ts";
import { Rng } from "../train/rng.ts";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import { StageTimes } from "../../src/pipeline/run.ts";
import { percentile } from "../../src/util/stats.ts";
import { floorMs } from "./scale.ts";

/** The stages that neither read nor wait for the store: the per-message work the hot-path target is about. */
const WORK_STAGES = new Set(["understand", "read", "event", "profile", "rank", "reasons"]);

export interface BenchOptions {
  /** People with history written before the measured run; they come back after a restart. */
  returningPeople: number;
  /** Conversations in the measured run (after warm-up). */
  conversations: number;
  /** Turns excluded from the numbers while the JIT warms up. */
  warmupTurns: number;
  /** Conversations in flight at once (1: one message at a time, the per-message latency). */
  concurrency: number;
  seed: number;
}

export const DEFAULT_BENCH: BenchOptions = {
  returningPeople: 60,
  conversations: 150,
  warmupTurns: 100,
  concurrency: 1,
  seed: 7,
};

export interface StageSummary {
  stage: string;
  /** Turns that went through this stage. */
  count: number;
  meanMs: number;
  p50: number;
  p99: number;
  /** Share of all measured turn time. */
  share: number;
}

export interface BenchResult {
  p50: number;
  p99: number;
  max: number;
  messages: number;
  turnsByKind: Record<string, number>;
  stages: StageSummary[];
  /** Per turn, the work stages' time together (WORK_STAGES). */
  workP50: number;
  workP99: number;
  /** One dot product with every item vector and a top 10, over the same catalog in the same run. */
  floorP50: number;
}

type Turn = {
  kind: string;
  run: (bot: Bot, user: UserRef, last: OutgoingReply | undefined) => Promise<OutgoingReply>;
};

const OPENERS = [
  "I loved {A} and {B}, something like those but no horror",
  "{A} is one of my favourite films, anything similar?",
  "I really enjoyed {A}. What else would I like?",
  "I hated {A} but {B} was great",
];
const FREE_REQUESTS = [
  "something funny for a family night",
  "a dark crime thriller from the 90s",
  "any good animated movies after 2000?",
  "I want a romantic comedy",
  "a scary movie please",
];

function say(text: string): Turn["run"] {
  return (bot, user) => bot.handleMessage({ user, text });
}

function press(signal: "like" | "dislike" | "seen" | "more", position: number): Turn["run"] {
  return (bot, user, last) => {
    const item =
      last?.recommendations[
        Math.min(position, Math.max(0, (last?.recommendations.length ?? 1) - 1))
      ];
    return item
      ? bot.handleFeedback({ user, itemId: item.id, signal })
      : bot.handleMessage({ user, text: "surprise me" });
  };
}

/** One conversation: an opener, then follow-ups drawn from what people do after a list. */
function conversation(rng: Rng, titles: string[]): Turn[] {
  const title = () => titles[rng.int(titles.length)]!;
  const opener =
    rng.next() < 0.7
      ? OPENERS[rng.int(OPENERS.length)]!.replace("{A}", title()).replace("{B}", title())
      : FREE_REQUESTS[rng.int(FREE_REQUESTS.length)]!;
  const turns: Turn[] = [{ kind: "recommend", run: say(opener) }];
  const followUps: Array<() => Turn> = [
    () => ({
      kind: "critique",
      run: say(
        ["more like the second one", "more like the first one", "something like the last one"][
          rng.int(3)
        ]!,
      ),
    }),
    () => ({
      kind: "feedback button",
      run: press((["like", "dislike", "seen", "more"] as const)[rng.int(4)]!, rng.int(5)),
    }),
    () => ({
      kind: "feedback text",
      run: say(["not that one", "I've seen it", "I loved that one"][rng.int(3)]!),
    }),
    () => ({ kind: "why", run: say("why?") }),
    () => ({
      kind: "recommend",
      run: say(
        rng.next() < 0.5
          ? FREE_REQUESTS[rng.int(FREE_REQUESTS.length)]!
          : `what about something like ${title()}?`,
      ),
    }),
    () => ({ kind: "profile", run: say("what do you think I like?") }),
  ];
  const weights = [0.25, 0.25, 0.15, 0.12, 0.18, 0.05];
  const length = 2 + rng.int(5);
  for (let i = 0; i < length; i++) {
    let r = rng.next();
    let k = 0;
    while (k < weights.length - 1 && r >= weights[k]!) r -= weights[k++]!;
    turns.push(followUps[k]!());
  }
  return turns;
}

async function playConversation(
  bot: Bot,
  user: UserRef,
  turns: Turn[],
  onTurn: (kind: string, ms: number) => void,
): Promise<void> {
  let last: OutgoingReply | undefined;
  for (const turn of turns) {
    const start = performance.now();
    const reply = await turn.run(bot, user, last);
    onTurn(turn.kind, performance.now() - start);
    if (reply.recommendations.length > 0) last = reply;
  }
}

export async function benchPipeline(
  base: Config,
  options: Partial<BenchOptions> = {},
): Promise<BenchResult> {
  const o = { ...DEFAULT_BENCH, ...options };
  const rng = new Rng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), "chatrec-bench-"));
  const config: Config = { ...base, dataDir: dir, dbUri: join(dir, "lancedb") };
  try {
    // History for people who return after a restart: written by one process, read cold by the next.
    let replay = await Replay.open(config);
    const titles = replay.catalog.items
      .filter((_, row) => replay.catalog.popularity[row]! > 0.3)
      .map((item) => item.title);
    const returning = Array.from({ length: o.returningPeople }, (_, i): UserRef => ({
      platform: "bench",
      id: `returning-${i}`,
    }));
    for (const user of returning)
      await playConversation(replay, user, conversation(rng, titles), () => undefined);
    await replay.close();

    replay = await Replay.open(config);
    const bot = replay;
    const times = new StageTimes();
    const latencies: number[] = [];
    const turnsByKind: Record<string, number> = {};
    let turnsDone = 0;
    const workTimes: number[] = [];
    let work = 0;
    const onTurn = (kind: string, ms: number) => {
      const turnWork = work;
      work = 0;
      if (++turnsDone <= o.warmupTurns) {
        if (turnsDone === o.warmupTurns) times.clear();
        return;
      }
      latencies.push(ms);
      if (o.concurrency === 1) workTimes.push(turnWork); // one turn at a time: the stage times are its own
      turnsByKind[kind] = (turnsByKind[kind] ?? 0) + 1;
    };
    replay.timeStages({
      record(stage, ms) {
        times.record(stage, ms);
        if (WORK_STAGES.has(stage)) work += ms;
      },
    });
    const floor = floorMs(replay.catalog.vectors, replay.catalog.dim, 200).sort((a, b) => a - b);
    const seenThisRun: UserRef[] = [];
    let fresh = 0;
    const pickUser = (): UserRef => {
      const r = rng.next();
      if (r < 0.3 && returning.length > 0)
        return returning.splice(rng.int(returning.length), 1)[0]!;
      if (r < 0.6 && seenThisRun.length > 0) return seenThisRun[rng.int(seenThisRun.length)]!;
      const user = { platform: "bench", id: `new-${fresh++}` };
      seenThisRun.push(user);
      return user;
    };
    const warmupConversations = Math.ceil(o.warmupTurns / 3);
    const plan = Array.from({ length: warmupConversations + o.conversations }, () => ({
      user: pickUser(),
      turns: conversation(rng, titles),
    }));
    try {
      // Each worker plays whole conversations; one person is never in two workers at once.
      const busy = new Set<string>();
      const next = 0;
      const worker = async () => {
        while (next < plan.length) {
          const i = plan.findIndex((c, j) => j >= next && !busy.has(c.user.id));
          if (i < 0) {
            await new Promise((r) => setTimeout(r, 1));
            continue;
          }
          const [c] = plan.splice(i, 1);
          busy.add(c!.user.id);
          await playConversation(bot, c!.user, c!.turns, onTurn);
          busy.delete(c!.user.id);
        }
      };
      await Promise.all(Array.from({ length: o.concurrency }, worker));
    } finally {
      replay.timeStages(undefined);
      await replay.close();
    }
    latencies.sort((a, b) => a - b);
    const total = latencies.reduce((a, b) => a + b, 0);
    const stages = [...times.byStage].map(([stage, list]): StageSummary => {
      const sorted = [...list].sort((a, b) => a - b);
      const sum = sorted.reduce((a, b) => a + b, 0);
      return {
        stage,
        count: sorted.length,
        meanMs: sum / sorted.length,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        share: sum / total,
      };
    });
    workTimes.sort((a, b) => a - b);
    return {
      workP50: percentile(workTimes, 0.5),
      workP99: percentile(workTimes, 0.99),
      floorP50: percentile(floor, 0.5),
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: latencies.at(-1)!,
      messages: latencies.length,
      turnsByKind,
      stages,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatBench(label: string, r: BenchResult): string {
  const lines = [
    `${label}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(2)} ms over ${r.messages} messages (${Object.entries(
      r.turnsByKind,
    )
      .map(([k, n]) => `${n} ${k}`)
      .join(", ")})`,
  ];
  if (r.workP50 > 0)
    lines.push(
      `  work stages (${[...WORK_STAGES].join(", ")}) per message: p50 ${r.workP50.toFixed(2)} ms, p99 ${r.workP99.toFixed(2)} ms; floor (one dot product with every item vector, top 10) p50 ${r.floorP50.toFixed(2)} ms; work p50 / floor p50 = ${(r.workP50 / r.floorP50).toFixed(1)}`,
    );
  lines.push("  stage       turns   mean ms   p50 ms   p99 ms   share");
  for (const s of r.stages)
    lines.push(
      `  ${s.stage.padEnd(10)} ${String(s.count).padStart(6)} ${s.meanMs.toFixed(3).padStart(9)} ${s.p50.toFixed(3).padStart(8)} ${s.p99.toFixed(3).padStart(8)} ${(s.share * 100).toFixed(1).padStart(6)}%`,
    );
  return lines.join("\n");
}
