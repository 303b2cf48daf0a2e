// The research commands (train, eval, bench): the product never imports this folder.
import "../src/util/quiet-lancedb.ts";

export const RESEARCH_USAGE = `  train [--catalog <file>] [--out <dir>] [--seed n]   train the interest model (ONNX); writes build/models unless --out
  train neighbours [--k n] [--out <file>]              learn item-to-item neighbours (MovieLens likes + ReDial train co-mentions)
  train ranker [--out <file>]                          learn the ranking weights on replayed ReDial train dialogues
  eval interests [--json <file>]                       interest-model quality on ReDial dev and BBC News
  eval movielens --ratings <csv> --movies <csv>        next-item HR@10/NDCG@10: real-time profile vs no decay vs popularity
  eval redial --dialogues <jsonl> [--json <file>]      ReDial replay: Recall@1/10/50, MRR@50 vs popularity and neighbours
  eval conversations [--part working|held-out|all] [--json <file>]
                                                       hand-written conversation suite: share of checks passed by class
  eval conversations --catalog books [--json <file>]   the goodbooks-10k suite (research/conversations/books.jsonl) on goodbooks
  eval news [--readers n] [--seed n]                   BBC News, readers simulated from its categories: next-story HR@5/@10 vs popularity, random
  bench [llm]                                          interest-model and pipeline latency; llm: first reply with/without LLM explanations
  bench people [--people 100000,1000000]               load time of a person not in memory, with that many stored
  bench scale [--items 10000,100000] [--messages n]    synthetic catalogs of those sizes: ingest, start, per-message p50/p99, RSS, floor`;

export async function runResearchCommand(command: string, rest: string[]): Promise<void> {
  switch (command) {
    case "train": {
      if (rest[0] === "ranker") {
        const { runRankerCli } = await import("./train/ranker-cli.ts");
        return runRankerCli(rest.slice(1));
      }
      if (rest[0] === "neighbours") {
        const { runNeighboursCli } = await import("./train/neighbours-cli.ts");
        return runNeighboursCli(rest.slice(1));
      }
      const { runTrainCli } = await import("./train/cli.ts");
      return runTrainCli(rest);
    }
    case "eval": {
      const [what, ...args] = rest;
      if (what === "redial") {
        const { runEvalRedialCli } = await import("./eval/redial-cli.ts");
        return runEvalRedialCli(args);
      }
      if (what === "movielens") {
        const { runEvalMovielensCli } = await import("./eval/movielens-cli.ts");
        return runEvalMovielensCli(args);
      }
      if (what === "conversations" && args.includes("--catalog")) {
        const { runEvalBooksConversationsCli } = await import("./eval/conversations-books-cli.ts");
        return runEvalBooksConversationsCli(args);
      }
      if (what === "news") {
        const { runEvalNewsCli } = await import("./eval/news-cli.ts");
        return runEvalNewsCli(args);
      }
      if (what === "conversations") {
        const { runEvalConversationsCli } = await import("./eval/conversations-cli.ts");
        return runEvalConversationsCli(args);
      }
      if (what !== "interests")
        throw new Error(
          `unknown evaluation "${what ?? ""}"; available: conversations, interests, movielens, news, redial`,
        );
      const { runEvalInterestsCli } = await import("./eval/interests-cli.ts");
      return runEvalInterestsCli(args);
    }
    case "bench": {
      const { printExplainerBench } = await import("./bench/explainer.ts");
      if (rest[0] === "llm")
        return printExplainerBench((await import("../src/config.ts")).loadConfig());
      if (rest[0] === "people") {
        const { benchPeople } = await import("./bench/people.ts");
        const { parseArgs } = await import("node:util");
        const { values } = parseArgs({
          args: rest.slice(1),
          options: { people: { type: "string", default: "100000" } },
        });
        for (const n of values.people.split(",")) console.log(await benchPeople(Number(n)));
        return;
      }
      if (rest[0] === "scale") {
        const { runScaleCli } = await import("./bench/scale-cli.ts");
        return runScaleCli(rest.slice(1));
      }
      const { InterestModel } = await import("../src/interest/model.ts");
      const { benchInterestModel } = await import("./bench/interest-model.ts");
      const { loadConfig } = await import("../src/config.ts");
      const model = await InterestModel.load(loadConfig().modelDir);
      const r = await benchInterestModel(model);
      console.log(
        `interest model, single message: p50 ${r.singleMs.p50.toFixed(3)} ms, p99 ${r.singleMs.p99.toFixed(3)} ms`,
      );
      console.log(
        `interest model, batch of 64: ${r.batch64Ms.toFixed(3)} ms (${Math.round(r.perCoreTextsPerSec)} texts/s per core)`,
      );
      await model.close();
      const { benchPipeline, formatBench } = await import("./bench/pipeline.ts");
      const config = loadConfig();
      console.log(
        formatBench(
          "pipeline per message, one at a time (reply after its event is fdatasync'd in the write-ahead log)",
          await benchPipeline(config),
        ),
      );
      console.log(
        formatBench(
          "pipeline per message, 4 conversations at once",
          await benchPipeline(config, { concurrency: 4 }),
        ),
      );
      await printExplainerBench(config);
      return;
    }
    default:
      throw new Error(`unknown command "${command}"`);
  }
}
