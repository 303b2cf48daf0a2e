// The server's turn workers: threads that each hold the catalog, the models and the ranker, and run a turn's
// work stages (understand ... reply) on a person the main thread has loaded. The main thread keeps what must
// have one owner: the per-person order of turns, the profile store (the write-ahead log and LanceDB) and the
// replies kept for redelivery. A worker's writes come back with its reply and are made there, in order, so
// a turn a worker never finishes (a crash) leaves nothing half-written: its caller gets an error and may
// send the same message id again.
import { Worker } from "node:worker_threads";
import type { SharedFeatureCodes } from "../recommend/feature-codes.ts";
import type { SharedCatalogArrays } from "../catalog/catalog.ts";
import type { Config } from "../config.ts";
import { ChatrecError, ERROR_CODES, type ErrorCode } from "../errors.ts";
import type { ProfileEvent } from "../profile/profile.ts";
import type { PersonState } from "../profile/store.ts";
import type { OutgoingReply } from "../types.ts";
import type { TurnInput } from "./context.ts";

/** A turn as a worker receives it: the person already loaded by the main thread. */
export interface WorkerTurn {
  key: string;
  input: TurnInput;
  now: number;
  limit: number;
  text: string;
  state: PersonState;
}

/** What a worker starts with. */
export interface WorkerData extends SharedParts {
  config: Config;
  thread: number;
}

/** What the main thread's parts share with a worker, read in place: the catalog's arrays, the index's codes. */
export interface SharedParts {
  arrays: SharedCatalogArrays;
  indexCodes: SharedFeatureCodes | undefined;
}

/** A write the worker's stages asked for, made by the main thread's store. */
export type TurnWrite = { kind: "commit"; event: ProfileEvent } | { kind: "forget" };

export interface WorkerAnswer {
  reply: OutgoingReply;
  writes: TurnWrite[];
}

/** What crosses back from a worker: an answer, or the error its stages threw. */
export type WorkerMessage =
  | { ready: true }
  | { id: number; answer: WorkerAnswer }
  | {
      id: number;
      error: { code: ErrorCode; message: string; details: Record<string, string | number> };
    };

interface Slot {
  worker: Worker;
  /** Its scratch area in the catalog's kernel memory (1 .. count; the main thread has 0). */
  thread: number;
  inFlight: Map<number, { resolve: (a: WorkerAnswer) => void; reject: (e: unknown) => void }>;
  ready: boolean;
}

const ENTRY = new URL("./turn-worker.mjs", import.meta.url);

/**
 * The young generation a turn worker gets (a third of it is a semi-space). A turn's objects live across its
 * awaits (the store), so V8's default copies them again and again; 64 MB semi-spaces gave the load test
 * 6 to 10% more requests/s than 16 MB ones. A catalog with a vector index keeps 16 MB: its search does not
 * await, and at a million items the larger semi-spaces held 140 MB more for the same p50 and p99
 * (docs/scaling.md).
 */
export function youngGenerationMb(items: number, indexFromItems: number): number {
  return items >= indexFromItems ? 48 : 192;
}

export class TurnWorkers {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  /** Turns sent to a worker so far. */
  turnsRun = 0;
  private closing = false;

  /** Scratch areas no running worker holds. */
  private readonly freeThreads: number[];

  private constructor(
    private readonly config: Config,
    private readonly log: (s: string) => void,
    private readonly shared: SharedParts,
    count: number,
  ) {
    this.freeThreads = Array.from({ length: count }, (_, i) => i + 1);
  }

  /**
   * Starts `count` workers and waits until each has loaded its parts. They read the catalog's item arrays
   * and the vector index's codes (`shared`, made with a scratch area for each) in place.
   */
  static async start(
    config: Config,
    count: number,
    log: (s: string) => void,
    shared: SharedParts,
  ): Promise<TurnWorkers> {
    const pool = new TurnWorkers(config, log, shared, count);
    try {
      await Promise.all(Array.from({ length: count }, () => pool.spawn()));
    } catch (err) {
      await pool.close(); // the workers that did start
      throw err;
    }
    log(`turns run in ${count} worker thread${count === 1 ? "" : "s"}`);
    return pool;
  }

  /** Runs a turn's work stages on the least busy worker. */
  run(turn: WorkerTurn): Promise<WorkerAnswer> {
    const ready = this.slots.filter((s) => s.ready);
    if (ready.length === 0)
      return Promise.reject(new Error("no turn worker is running (restarting after a failure)"));
    const slot = ready.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
    const id = this.nextId++;
    this.turnsRun++;
    return new Promise((resolve, reject) => {
      slot.inFlight.set(id, { resolve, reject });
      slot.worker.postMessage({ id, turn });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Promise<void> {
    const thread = this.freeThreads.shift();
    if (thread === undefined) return Promise.reject(new Error("every turn worker is running"));
    const worker = new Worker(ENTRY, {
      workerData: { config: this.config, ...this.shared, thread } satisfies WorkerData,
      resourceLimits: {
        maxYoungGenerationSizeMb: youngGenerationMb(
          this.shared.arrays.arrays.size,
          this.config.indexFromItems,
        ),
      },
    });
    const slot: Slot = { worker, thread, inFlight: new Map(), ready: false };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.on("message", (m: WorkerMessage) => {
        if ("ready" in m) {
          slot.ready = true;
          resolve();
          return;
        }
        const waiting = slot.inFlight.get(m.id);
        slot.inFlight.delete(m.id);
        if ("answer" in m) waiting?.resolve(m.answer);
        else waiting?.reject(rebuildError(m.error));
      });
      worker.on("error", (err) => {
        if (!slot.ready) reject(err);
        else this.log(`turn worker failed: ${err.message}`);
      });
      worker.on("exit", (code) => {
        this.slots.splice(this.slots.indexOf(slot), 1);
        this.freeThreads.push(slot.thread);
        for (const { reject: fail } of slot.inFlight.values())
          fail(new Error(`turn worker stopped (exit code ${code}) before answering`));
        if (!slot.ready) reject(new Error(`turn worker stopped at start-up (exit code ${code})`));
        else if (!this.closing) {
          this.log("turn worker stopped; starting another");
          this.spawn().catch((err: unknown) =>
            this.log(
              `turn worker restart failed: ${err instanceof Error ? err.message : String(err)}`,
            ),
          );
        }
      });
    });
  }
}

/** A worker's error as the main thread throws it: the same code and details, so transports map it alike. */
function rebuildError(e: {
  code: ErrorCode;
  message: string;
  details: Record<string, string | number>;
}): Error {
  return e.code in ERROR_CODES && e.code !== "INTERNAL"
    ? new ChatrecError(e.code, e.message, e.details)
    : new Error(e.message);
}
