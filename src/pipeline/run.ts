// Runs a turn's named stages in order and, when a recorder is attached (the bench), times each one.
import type { TurnContext } from "./context.ts";

export interface Stage<P> {
  readonly name: string;
  run(parts: P, ctx: TurnContext): void | Promise<void>;
}

export interface StageRecorder {
  record(stage: string, ms: number): void;
}

/** Runs `stages` until one sets `ctx.reply`; returns that reply. */
export async function runStages<P>(
  stages: ReadonlyArray<Stage<P>>,
  parts: P,
  ctx: TurnContext,
  recorder: StageRecorder | undefined,
) {
  const reply = await runUntilReply(stages, parts, ctx, recorder);
  if (reply) return reply;
  throw new Error("turn pipeline: no stage answered the turn");
}

/** Runs `stages` until one sets `ctx.reply`; undefined when none did (the rest of the pipeline runs elsewhere). */
export async function runUntilReply<P>(
  stages: ReadonlyArray<Stage<P>>,
  parts: P,
  ctx: TurnContext,
  recorder: StageRecorder | undefined,
) {
  for (const stage of stages) {
    const started = recorder ? performance.now() : 0;
    await stage.run(parts, ctx);
    recorder?.record(stage.name, performance.now() - started);
    if (ctx.reply) return ctx.reply;
  }
  return undefined;
}

/** Collects every stage's times, for percentiles and shares of the total. */
export class StageTimes implements StageRecorder {
  readonly byStage = new Map<string, number[]>();

  record(stage: string, ms: number): void {
    let list = this.byStage.get(stage);
    if (!list) this.byStage.set(stage, (list = []));
    list.push(ms);
  }

  clear(): void {
    this.byStage.clear();
  }
}
