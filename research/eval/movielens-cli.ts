// `chatrec eval movielens --ratings <csv> --movies <csv> [--json <file>] [--model <dir>] [--max-users n]`
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { InterestModel } from "../../src/interest/model.ts";
import { loadRankerModel, RANKER_FILE } from "../../src/recommend/ranker-model.ts";
import { parseOptions } from "../../src/util/args.ts";
import { readRatings } from "../train/neighbours.ts";
import { movielensCatalog } from "./movielens-catalog.ts";
import { evaluateMovielens, leaveLastLikedOut, METHODS, trainingPopularity } from "./movielens.ts";

const USAGE =
  "usage: chatrec eval movielens --ratings <csv> --movies <csv> [--json <file>] [--model <dir>] [--max-users n]";

export async function runEvalMovielensCli(args: string[]): Promise<void> {
  const { values } = parseOptions(
    args,
    { values: ["--ratings", "--movies", "--json", "--model", "--max-users"] },
    USAGE,
  );
  const ratingsPath = values.get("--ratings");
  const moviesPath = values.get("--movies");
  const json = values.get("--json");
  const modelDir = values.get("--model") ?? "models";
  const maxUsers = values.has("--max-users")
    ? Number.parseInt(values.get("--max-users")!, 10)
    : Infinity;
  if (!ratingsPath || !moviesPath) throw new Error(USAGE);
  if (!(maxUsers > 0)) throw new Error("--max-users must be a positive integer");
  const started = performance.now();
  const ratings = readRatings(ratingsPath);
  const splits = leaveLastLikedOut(ratings).slice(0, maxUsers);
  const model = await InterestModel.load(modelDir);
  const catalog = await movielensCatalog(model, moviesPath, trainingPopularity(splits));
  await model.close();
  const ranker = loadRankerModel(join(modelDir, RANKER_FILE));
  console.log(
    `${ratings.length} ratings, ${splits.length} users with a held-out last like, catalog of ${catalog.size} movies; ranker weights: ${ranker.source}`,
  );
  const results = evaluateMovielens(splits, catalog, ranker, (done, total) => {
    if (done % 100 === 0 || done === total) process.stderr.write(`\r${done}/${total} users`);
  });
  process.stderr.write("\n");
  const seconds = (performance.now() - started) / 1000;
  console.log("| method | users | HR@10 | NDCG@10 |\n|---|---|---|---|");
  for (const m of METHODS)
    console.log(
      `| ${m} | ${results[m].users} | ${results[m]["hr@10"].toFixed(4)} | ${results[m]["ndcg@10"].toFixed(4)} |`,
    );
  console.log(`done in ${seconds.toFixed(1)} s`);
  if (json)
    writeFileSync(
      json,
      JSON.stringify(
        {
          ratings: ratingsPath,
          movies: moviesPath,
          users: splits.length,
          catalog: catalog.size,
          rankerWeights: ranker.source,
          results,
          seconds,
        },
        null,
        2,
      ) + "\n",
    );
}
