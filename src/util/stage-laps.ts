// Where a turn's time goes: named laps, recorded only when a recorder is attached (the bench does).

export interface StageRecorder {
  record(stage: string, ms: number): void;
}

/** Consecutive laps of one turn: each `lap(name)` records the time since the previous lap. */
export class StageLaps {
  private last: number;

  constructor(private readonly recorder: StageRecorder | undefined) {
    this.last = recorder ? performance.now() : 0;
  }

  lap(stage: string): void {
    if (!this.recorder) return;
    const now = performance.now();
    this.recorder.record(stage, now - this.last);
    this.last = now;
  }
}

/** Collects every lap per stage, for percentiles and shares of the total. */
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
