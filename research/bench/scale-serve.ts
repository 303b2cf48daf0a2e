// The serving half of `chatrec bench scale`, run as a process of its own on a data folder the bench has
// ingested: the start, per-message times over a fixed mix of requests, the candidates' recall, the
// brute-force floor and the process's RSS, printed as one JSON line.
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { Replay } from "../../src/replay.ts";
import { percentile } from "../../src/util/stats.ts";
import { floorMs } from "./scale.ts";

const MESSAGES = [
  "I loved Inception and The Matrix, something like those but no horror",
  "funny animated movies for kids",
  "a slow romantic drama",
  "more like the second one",
  "something scary for halloween",
  "crime thrillers from the 90s",
];
export interface ServedRow {
  /** The start after the ingest, serving from then: nothing is embedded or built again. */
  startSeconds: number;
  /** The candidate stage's mean recall@100 against the exact linear stage; undefined for the exact pass. */
  recall: number | undefined;
  messageP50: number;
  messageP99: number;
  /** The serving process's RSS after the messages. */
  rssMb: number;
  floorP50: number;
  floorP99: number;
}

async function serve(dir: string, messages: number): Promise<ServedRow> {
  const config = loadConfig(process.env, { dataDir: dir, dbUri: join(dir, "lancedb") });
  const started = performance.now();
  const replay = await Replay.open(config);
  const startSeconds = (performance.now() - started) / 1000;
  try {
    if (replay.itemIndex?.buildSeconds !== undefined)
      throw new Error("the start after the ingest built the vector index again");
    const times: number[] = [];
    for (let i = 0; i < messages; i++) {
      const user = { platform: "bench", id: `p${i % 20}` };
      const t = performance.now();
      await replay.handleMessage({ user, text: MESSAGES[i % MESSAGES.length]! });
      if (i >= 10) times.push(performance.now() - t); // the first ten warm up the JIT
    }
    times.sort((a, b) => a - b);
    const rssMb = process.memoryUsage().rss / 1e6;
    // Recall after the timing: it ranks every request a second time, exactly.
    const index = replay.itemIndex;
    if (index) {
      index.recall = [];
      for (let i = 0; i < messages; i++)
        await replay.handleMessage({
          user: { platform: "bench-recall", id: `p${i % 20}` },
          text: MESSAGES[i % MESSAGES.length]!,
        });
    }
    const recall = index?.recall?.length
      ? index.recall.reduce((a, b) => a + b, 0) / index.recall.length
      : undefined;
    const floor = floorMs(replay.catalog.vectors, replay.catalog.dim, 50);
    return {
      startSeconds,
      recall,
      messageP50: percentile(times, 0.5),
      messageP99: percentile(times, 0.99),
      rssMb,
      floorP50: percentile(floor, 0.5),
      floorP99: percentile(floor, 0.99),
    };
  } finally {
    await replay.close();
  }
}

const [dir, messages] = process.argv.slice(2);
console.log(JSON.stringify(await serve(dir!, Number(messages))));
