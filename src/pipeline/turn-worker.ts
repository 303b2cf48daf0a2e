// One turn worker thread (see turn-workers.ts): loads the parts the work stages read, then runs the turns the
// main thread sends, handing the store writes back with each reply instead of making them.
import "../util/quiet-lancedb.ts";
import * as lancedb from "@lancedb/lancedb";
import { parentPort, workerData } from "node:worker_threads";
import { loadWorkParts } from "../engine.ts";
import { ChatrecError } from "../errors.ts";
import { applyEvent } from "../profile/profile.ts";
import type { TurnContext } from "./context.ts";
import type { Parts, TurnStore } from "./parts.ts";
import { runStages } from "./run.ts";
import { WORK_STAGES } from "./stages.ts";
import type { TurnWrite, WorkerData, WorkerMessage, WorkerTurn } from "./turn-workers.ts";

const port = parentPort;
if (!port) throw new Error("turn-worker.ts runs as a worker thread");
const { config, arrays, indexCodes, thread } = workerData as WorkerData;
const db = await lancedb.connect(config.dbUri);
// The catalog's vectors, interests and genre hits, and the vector index's codes, are the main thread's, read
// in place.
const loaded = await loadWorkParts(config, db, () => undefined, {
  buildIndex: false,
  arrays: { shared: arrays, thread },
  indexCodes,
});
const shared: Omit<Parts, "store"> = {
  ...loaded,
  categories: new Set(loaded.catalog.labels),
  sentReply: () => undefined, // redelivery is answered on the main thread, before a turn comes here
};

/** The turn's store: records the writes for the main thread and applies them to the person it was sent. */
function deferredStore(writes: TurnWrite[]): TurnStore {
  const mainThreadOnly = () => Promise.reject(new Error("a turn worker does not read the store"));
  return {
    load: mainThreadOnly,
    eventAt: mainThreadOnly,
    forget: () => {
      writes.push({ kind: "forget" });
      return Promise.resolve(true);
    },
    commit: (_key, state, event, items) => {
      state.profile = applyEvent(state.profile, event, items); // as the store does: the reply reads it
      writes.push({ kind: "commit", event });
      return Promise.resolve();
    },
  };
}

async function answer(id: number, turn: WorkerTurn): Promise<WorkerMessage> {
  const writes: TurnWrite[] = [];
  const { input, key, now, limit, text, state } = turn;
  const ctx: TurnContext = { key, input, now, limit, text, state };
  try {
    const reply = await runStages(
      WORK_STAGES,
      { ...shared, store: deferredStore(writes) },
      ctx,
      undefined,
    );
    return { id, answer: { reply, writes } };
  } catch (err) {
    const e = err instanceof ChatrecError ? err : undefined;
    return {
      id,
      error: {
        code: e?.code ?? "INTERNAL",
        message: err instanceof Error ? err.message : String(err),
        details: { ...(e?.details ?? {}) },
      },
    };
  }
}

port.on("message", (m: { id: number; turn: WorkerTurn }) => {
  void answer(m.id, m.turn).then((reply) => port.postMessage(reply));
});
port.postMessage({ ready: true } satisfies WorkerMessage);
