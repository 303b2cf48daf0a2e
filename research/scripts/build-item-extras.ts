// Builds data/catalog/tmdb-extras.jsonl: per catalog movie TMDB 5000 knows (joined like the demo catalog's
// keywords: MovieLens links, else title + year), its runtime and production companies. Kept out of
// movies.jsonl so that item texts (and the interest model's embeddings) stay as they are.
// Usage: tsx research/scripts/build-item-extras.ts [out.jsonl]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { joinTmdb } from "../train/priors.ts";
import type { Item } from "../../src/types.ts";

const root = join(import.meta.dirname, "../..");
const outPath = process.argv[2] ?? join(root, "data/catalog/tmdb-extras.jsonl");
const items = readFileSync(join(root, "data/catalog/movies.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Item);
const tmdb = joinTmdb(
  {
    moviesCsv: join(root, "data/tmdb/tmdb_5000_movies.csv.gz"),
    linksCsv: join(root, "data/movielens/links.csv"),
    mappingCsv: join(root, "data/redial/redial_to_movielens.csv"),
  },
  items,
);
const lines: string[] = [];
for (const item of items) {
  const m = tmdb.get(item.id);
  const studios = m?.studios ?? [];
  if (!m || (m.runtime === undefined && studios.length === 0)) continue;
  lines.push(
    JSON.stringify({
      id: item.id,
      ...(m.runtime !== undefined ? { runtime: m.runtime } : {}),
      ...(studios.length ? { studios } : {}),
    }),
  );
}
writeFileSync(outPath, lines.join("\n") + "\n");
console.log(`${lines.length} of ${items.length} movies with TMDB runtime or studios -> ${outPath}`);
