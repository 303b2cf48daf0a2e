// ReDial replay: the protocol's instance counting on real dev dialogues (hand-counted), metrics computed over
// the ranked lists, and the replay through a real Bot (real model, real LanceDB in a temp folder).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Replay } from "../src/replay.ts";
import { loadConfig } from "../src/config.ts";
import { evaluateRedial } from "../research/eval/redial.ts";
import { RecallAccumulator } from "../research/eval/redial-metrics.ts";
import { GAP_SECONDS } from "../research/train/data.ts";
import {
  dialogueInstances,
  loadRedialDialogues,
  replayDialogue,
  type RedialInstance,
  type SeekerMentionInstance,
} from "../research/eval/redial-replay.ts";

const FIXTURE = join(import.meta.dirname, "fixtures/redial-dev-4.jsonl");

describe("metrics over a ranked list", () => {
  it("counts ground truths found within each cutoff and 1/rank up to 50", () => {
    const acc = new RecallAccumulator();
    const ranked = Array.from({ length: 60 }, (_, i) => `m${i + 1}`);
    acc.add(ranked, ["m1", "m7", "m55", "absent"]);
    acc.add(ranked.slice(1), ["m1"]); // m1 not in this list
    const r = acc.report();
    expect(r.instances).toBe(5);
    expect(r["recall@1"]).toBeCloseTo(1 / 5);
    expect(r["recall@10"]).toBeCloseTo(2 / 5);
    expect(r["recall@50"]).toBeCloseTo(2 / 5);
    expect(r["mrr@50"]).toBeCloseTo((1 + 1 / 7) / 5);
  });
});

// Hand-counted from test/fixtures/redial-dev-4.jsonl (dev conversations 480, 575, 600, 3724):
//  480: R#3 @167623, R#4 @173843, R#7 @117515 are new; R#9 @119116 was named by the seeker in #6 -> 3 (4 without de-dup)
//  575: R#1 @82602 @108389, R#3 @83552 @184098 -> 4
//  600: R#3 @83105 @202374, R#5 @172088 @85036 -> 4
// 3724: R#0 is the first message (no instance); R#2 @187028, R#4 @204794, R#6 @120948 (and @204334, named in #5) -> 3 (4)
const HAND = { groundTruths: 14, withoutDedup: 16, messages: 10 };

const dir = mkdtempSync(join(tmpdir(), "chatrec-redial-test-"));
let bot: Replay;
beforeAll(async () => {
  bot = await Replay.open(loadConfig({}, { dataDir: dir, commitIntervalMs: 0 }));
}, 60_000);
afterAll(async () => {
  await bot?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ReDial protocol on real dev dialogues", () => {
  it("finds the hand-counted instances", () => {
    const dialogues = loadRedialDialogues(FIXTURE, bot.catalog);
    const instances = dialogues.flatMap(dialogueInstances);
    expect(instances.reduce((s, i) => s + i.groundTruth.length, 0)).toBe(HAND.groundTruths);
    expect(instances.reduce((s, i) => s + i.allMentioned.length, 0)).toBe(HAND.withoutDedup);
    expect(instances.filter((i) => i.groundTruth.length > 0)).toHaveLength(HAND.messages);
    expect(
      instances.find((i) => i.dialogueId === "480" && i.messageIndex === 9)?.groundTruth,
    ).toEqual([]);
    expect(instances.some((i) => i.dialogueId === "3724" && i.messageIndex === 0)).toBe(false);
    // @id is written as "Title (Year)", as a person types it.
    expect(dialogues[0]!.messages[3]!.text).toMatch(/\(\d{4}\)/);
  });

  it("replays through the bot and scores the lists it ranked", async () => {
    const dialogues = loadRedialDialogues(FIXTURE, bot.catalog);
    const lists: Array<{ inst: RedialInstance; ids: readonly string[] }> = [];
    const report = await evaluateRedial(bot, dialogues, {
      ranker: bot.ranker,
      mmrLambda: 1,
      onRanked: (inst, ids) => lists.push({ inst, ids }),
    });
    expect(report.instances).toBe(HAND.groundTruths);
    expect(report.messages).toBe(HAND.messages);
    expect(report.withoutDeduplication.instances).toBe(HAND.withoutDedup);
    expect(report.baselines.popularity.instances).toBe(HAND.groundTruths);
    let hits10 = 0;
    for (const { inst, ids } of lists) {
      expect(ids).toHaveLength(50);
      expect(new Set(ids).size).toBe(50);
      for (const id of ids) expect(inst.mentionedBefore.has(id)).toBe(false);
      hits10 += inst.groundTruth.filter((g) => ids.slice(0, 10).includes(g)).length;
    }
    expect(report["recall@10"]).toBeCloseTo(hits10 / HAND.groundTruths);
    // The split by train mentions partitions the ground truths and its hits.
    const { never, mentioned } = report.byTrainMentions;
    const neverCount = lists.reduce(
      (s, { inst }) =>
        s +
        inst.groundTruth.filter(
          (g) => !Number(bot.catalog.items[bot.catalog.row(g)!]!.extra.popularity),
        ).length,
      0,
    );
    expect(never.instances).toBe(neverCount);
    expect(never.instances + mentioned.instances).toBe(HAND.groundTruths);
    expect(
      never["recall@10"] * never.instances + mentioned["recall@10"] * mentioned.instances,
    ).toBeCloseTo(hits10, 6);
    expect(report.latency_ms.p99).toBeGreaterThanOrEqual(report.latency_ms.p50);
    expect(report.coverage).toBeGreaterThan(0);
  }, 60_000);

  it("hands training the seeker messages that bring up new movies, without the mentions, before the bot reads them", async () => {
    const d = loadRedialDialogues(FIXTURE, bot.catalog).find((x) => x.id === "480")!;
    const seen: Array<SeekerMentionInstance & { knownToBot: string[] }> = [];
    const user = { platform: "test", id: "seeker-mentions" };
    await replayDialogue(bot, d, user, {
      instance: async () => undefined,
      seekerMentions: async (inst) => {
        const { profile } = await bot.rankingRequest(user, { limit: 1 });
        seen.push({ ...inst, knownToBot: [...profile.mentioned] });
      },
    });
    // Message 5: "I liked @167623 for fantasy I am more into movies like @90950" (167623 was offered at 3);
    // message 6: "@119116 was pretty good too".
    expect(seen.map(({ text, groundTruth }) => ({ text, groundTruth }))).toEqual([
      { text: "I liked for fantasy I am more into movies like", groundTruth: ["90950"] },
      { text: "was pretty good too", groundTruth: ["119116"] },
    ]);
    expect([...seen[1]!.mentionedBefore].sort()).toEqual(["167623", "173843", "90950"]);
    expect(seen[0]!.knownToBot).not.toContain("90950"); // asked before the message is handled
    expect(seen[1]!.knownToBot).toContain("90950");
  }, 30_000);

  it("replays on the dialogue's own clock: the same features however long the replay takes, decay over ReDial's timeOffset gaps", async () => {
    const d = loadRedialDialogues(FIXTURE, bot.catalog).find((x) => x.id === "480")!;
    expect(d.messages.map((m) => m.offsetSeconds).slice(0, 4)).toEqual([0, 18, 66, 93]); // from the fixture's timeOffset
    // The gap used where a release lacks timeOffset is the median gap of the train dialogues that have it.
    const gaps = readFileSync(join(import.meta.dirname, "../data/redial/train.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => {
        const offsets = (
          JSON.parse(line) as { messages: Array<{ timeOffset?: number }> }
        ).messages.map((m) => m.timeOffset);
        return offsets.every((o) => typeof o === "number")
          ? offsets.slice(1).map((o, k) => o! - offsets[k]!)
          : [];
      })
      .sort((x, y) => x - y);
    expect(gaps.length).toBeGreaterThan(10_000);
    expect(gaps[Math.floor(gaps.length / 2)]).toBe(GAP_SECONDS);
    // Dialogue 575 comes from a release without timeOffset: GAP_SECONDS per message.
    expect(
      loadRedialDialogues(FIXTURE, bot.catalog)
        .find((x) => x.id === "575")!
        .messages.map((m) => m.offsetSeconds)
        .slice(0, 3),
    ).toEqual([0, GAP_SECONDS, 2 * GAP_SECONDS]);
    const replay = async (id: string, pauseMs: number) => {
      const user = { platform: "test", id };
      const out: Array<{ at: number; values: number[] }> = [];
      await replayDialogue(bot, d, user, {
        instance: async (inst) => {
          const m = bot.ranker.featureMatrix(
            await bot.rankingRequest(user, { limit: 10, text: inst.seekerText, at: inst.at }),
          );
          out.push({ at: inst.at, values: Array.from(m.values.subarray(0, 2000)) });
          await new Promise((r) => setTimeout(r, pauseMs)); // a slow replay: wall-clock time passes between messages
        },
      });
      return out;
    };
    const fast = await replay("clock-fast", 0);
    const slow = await replay("clock-slow", 120);
    expect(fast.length).toBeGreaterThan(2);
    expect(slow.map((x) => x.values)).toEqual(fast.map((x) => x.values));
    // Instances are ranked at their message's time: message 3 came 93 s and message 7 came 258 s after the start.
    expect((fast[2]!.at - fast[0]!.at) / 1000).toBe(258 - 93);
  }, 60_000);

  it("shows the seeker only what the recommender said: the bot's own lists in a replay are not recorded as shown", async () => {
    const d = loadRedialDialogues(FIXTURE, bot.catalog).find((x) => x.id === "480")!;
    const user = { platform: "test", id: "shown-in-replay" };
    await replayDialogue(bot, d, user, { instance: async () => undefined });
    const { profile } = await bot.rankingRequest(user, { limit: 1 });
    const suggested = d.messages.filter((m) => !m.seeker).flatMap((m) => m.movies);
    expect(new Set(profile.shown)).toEqual(new Set(suggested));
    expect(profile.lastList).toEqual(
      d.messages.filter((m) => !m.seeker && m.movies.length > 0).at(-1)!.movies,
    );
  }, 30_000);

  it("records a bot turn: its items are never offered again and 'I've seen that one' refers to them", async () => {
    const user = { platform: "test", id: "suggested" };
    await bot.handleMessage({ user, text: "I like science fiction movies" });
    const before = await bot.rankFor(user, { limit: 3 });
    await bot.recordSuggestions(user, [before[0]!.id]);
    const after = await bot.rankFor(user, { limit: 50 });
    expect(after.map((r) => r.id)).not.toContain(before[0]!.id);
    const reply = await bot.handleMessage({ user, text: "I've seen that one" });
    expect(reply.intent).toBe("feedback");
    expect((await bot.profileOf(user))!.seen).toContain(before[0]!.id);
  }, 30_000);
});
