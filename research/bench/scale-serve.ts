// The serving half of `chatrec bench scale`, run as a process of its own on a data folder the bench has
// ingested: the start, per-message times over a fixed mix of requests and over requests with years and
// categories to keep to, the candidates' recall for each, the brute-force floor and the process's RSS,
// printed as one JSON line.
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
/**
 * Requests with years and categories to keep to, each from someone new: they search within filters, which
 * costs more than the mix above shows (two of its six have a constraint).
 */
const KINDS = "comedy|drama|horror|thriller|sci-fi|romance|action|animated".split("|");
const SPANS = "from the 80s|from the 90s|before 1970|after 2010|from the 2000s|from 2005".split(
  "|",
);
const CONSTRAINED = KINDS.flatMap((kind) => SPANS.map((span) => `${kind} movies ${span}`));

export interface ServedRow {
  /** The start after the ingest, serving from then: nothing is embedded or built again. */
  startSeconds: number;
  /** The candidate stage's mean recall@100 against the exact linear stage; undefined for the exact pass. */
  recall: number | undefined;
  messageP50: number;
  messageP99: number;
  /** The same over the constrained requests. */
  constrainedP50: number;
  constrainedP99: number;
  constrainedRecall: number | undefined;
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
    const constrained: number[] = [];
    for (const [i, text] of CONSTRAINED.entries()) {
      const t = performance.now();
      await replay.handleMessage({ user: { platform: "bench-constrained", id: `c${i}` }, text });
      constrained.push(performance.now() - t);
    }
    constrained.sort((a, b) => a - b);
    const rssMb = process.memoryUsage().rss / 1e6;
    // Recall after the timing: it ranks every request a second time, exactly.
    const index = replay.itemIndex;
    const meanRecall = async (ask: () => Promise<unknown>) => {
      if (!index) return undefined;
      index.recall = [];
      await ask();
      const recall = index.recall;
      index.recall = undefined;
      return recall.length ? recall.reduce((a, b) => a + b, 0) / recall.length : undefined;
    };
    const recall = await meanRecall(async () => {
      for (let i = 0; i < messages; i++)
        await replay.handleMessage({
          user: { platform: "bench-recall", id: `p${i % 20}` },
          text: MESSAGES[i % MESSAGES.length]!,
        });
    });
    const constrainedRecall = await meanRecall(async () => {
      for (const [i, text] of CONSTRAINED.entries())
        await replay.handleMessage({ user: { platform: "bench-recall", id: `c${i}` }, text });
    });
    const floor = floorMs(replay.catalog.vectors, replay.catalog.dim, 50);
    return {
      startSeconds,
      recall,
      messageP50: percentile(times, 0.5),
      messageP99: percentile(times, 0.99),
      constrainedP50: percentile(constrained, 0.5),
      constrainedP99: percentile(constrained, 0.99),
      constrainedRecall,
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
