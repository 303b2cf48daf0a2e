// `chatrec eval redial`: ReDial dialogues replayed through a real Bot (redial-replay.ts); at each instance the
// whole catalog is ranked from the context before the recommender message, excluding movies mentioned
// earlier, and compared with the movies that message names. Baselines run on the same instances.
import type { Replay } from "../../src/replay.ts";
import type { Ranker } from "../../src/recommend/rank.ts";
import type { RedialConversation } from "../train/data.ts";
import { percentile } from "../../src/util/stats.ts";
import {
  ListAccumulator,
  RecallAccumulator,
  type ListReport,
  type RecallReport,
} from "./redial-metrics.ts";
import { replayDialogue, type RedialInstance } from "./redial-replay.ts";

export const TOP = 50;

export interface LatencyReport {
  p50: number;
  p99: number;
}

export interface RedialReport extends RecallReport, ListReport {
  /** Recommender messages with at least one ground truth. */
  messages: number;
  /** Share of the dialogues' mentioned movies the bot itself recognised in seeker text or recorded. */
  mentionRecognition: number;
  /** Per seeker message: the whole turn, end to end. */
  latency_ms: LatencyReport;
  /** Ranker.rank alone over the whole catalog (top 50 and MMR). */
  rank_ms: LatencyReport;
  withoutDeduplication: RecallReport;
  /** The main system's recalls for ground truths that no train dialogue mentions, and for the others. */
  byTrainMentions: { never: RecallReport; mentioned: RecallReport };
  baselines: Record<
    "popularity" | "neighbours",
    RecallReport & { withoutDeduplication: RecallReport }
  >;
}

export interface RedialEvalOptions {
  ranker: Ranker;
  mmrLambda: number;
  progress?: (done: number, total: number) => void;
  /** Sees each instance's top 50 as scored (for checking the metrics against the lists). */
  onRanked?: (inst: RedialInstance, ids: readonly string[]) => void;
}

function latency(ms: number[]): LatencyReport {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted.length
    ? { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
    : { p50: 0, p99: 0 };
}

/** Top `k` ids of a ranked id list that were not mentioned before. */
function unmentioned(ranked: Iterable<string>, inst: RedialInstance, k = TOP): string[] {
  const out: string[] = [];
  for (const id of ranked) {
    if (!inst.mentionedBefore.has(id)) out.push(id);
    if (out.length === k) break;
  }
  return out;
}

/** Ranks by score, best first; ties keep the given order. */
function byScore(scores: Map<string, { score: number }>): string[] {
  return [...scores.entries()].sort((a, b) => b[1].score - a[1].score).map(([id]) => id);
}

class MethodScore {
  readonly dedup = new RecallAccumulator();
  readonly all = new RecallAccumulator();
  add(ranked: string[], inst: RedialInstance): void {
    this.dedup.add(ranked, inst.groundTruth);
    this.all.add(ranked, inst.allMentioned);
  }
  report(): RecallReport & { withoutDeduplication: RecallReport } {
    return { ...this.dedup.report(), withoutDeduplication: this.all.report() };
  }
}

export async function evaluateRedial(
  replay: Replay,
  dialogues: readonly RedialConversation[],
  opts: RedialEvalOptions,
): Promise<RedialReport> {
  const { catalog } = replay;
  const main = new MethodScore();
  const popularity = new MethodScore();
  const neighbours = new MethodScore();
  const lists = new ListAccumulator(catalog);
  const turnMs: number[] = [];
  const rankMs: number[] = [];
  let messages = 0;
  let recognised = 0;
  let mentions = 0;
  const neverInTrain = new RecallAccumulator();
  const mentionedInTrain = new RecallAccumulator();
  const trainMentions = new Map(
    catalog.items.map((item) => [item.id, Number(item.extra.popularity) || 0]),
  );
  const byPopularity = catalog.items
    .map((item) => ({ id: item.id, count: Number(item.extra.popularity) || 0 }))
    .sort((a, b) => b.count - a.count)
    .map((x) => x.id);

  for (const [n, d] of dialogues.entries()) {
    const user = { platform: "redial-eval", id: `${d.id}#${n}` };
    await replayDialogue(replay, d, user, {
      turnMs: (ms) => turnMs.push(ms),
      instance: async (inst) => {
        if (inst.groundTruth.length > 0) messages++;
        const req = await replay.rankingRequest(user, {
          limit: TOP + inst.mentionedBefore.size,
          text: inst.seekerText,
          mmrLambda: opts.mmrLambda,
          at: inst.at,
        });
        const known = new Set(req.profile.mentioned);
        for (const id of inst.mentionedBefore) {
          mentions++;
          if (known.has(id)) recognised++;
        }
        const started = performance.now();
        const ranked = opts.ranker.rank(req);
        rankMs.push(performance.now() - started);
        const ids = unmentioned(
          ranked.map((r) => catalog.items[r.row]!.id),
          inst,
        );
        opts.onRanked?.(inst, ids);
        main.add(ids, inst);
        neverInTrain.add(
          ids,
          inst.groundTruth.filter((id) => !trainMentions.get(id)),
        );
        mentionedInTrain.add(
          ids,
          inst.groundTruth.filter((id) => trainMentions.get(id)),
        );
        lists.add(ids);
        popularity.add(unmentioned(byPopularity, inst), inst);
        neighbours.add(
          unmentioned(byScore(replay.neighbours.scoreFor(inst.mentionedBefore)), inst),
          inst,
        );
      },
    });
    opts.progress?.(n + 1, dialogues.length);
  }
  const { withoutDeduplication, ...recall } = main.report();
  return {
    ...recall,
    messages,
    ...lists.report(),
    mentionRecognition: mentions ? recognised / mentions : 1,
    latency_ms: latency(turnMs),
    rank_ms: latency(rankMs),
    withoutDeduplication,
    byTrainMentions: { never: neverInTrain.report(), mentioned: mentionedInTrain.report() },
    baselines: { popularity: popularity.report(), neighbours: neighbours.report() },
  };
}
