// Builds data/catalog/attributes.jsonl: per catalog movie, the attribute words people and TMDB give it, the
// data the mood and suitability vocabulary is learnt from (src/recommend/attributes.ts): MovieLens users'
// tags (ml-latest-small tags.csv, most-used first, joined through data/redial/redial_to_movielens.csv) and
// all TMDB 5000 keywords (joined like data/catalog/tmdb-extras.jsonl: MovieLens links, else title + year;
// movies.jsonl keeps only the first 12), else the keywords of movies.jsonl.
// Usage: tsx research/scripts/build-item-attributes.ts [tags.csv] [out.jsonl]
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { joinTmdb } from "../train/priors.ts";
import type { Item } from "../../src/types.ts";

const root = join(import.meta.dirname, "../..");
const tagsPath = process.argv[2] ?? join(root, "../shared/data/movielens/ml-latest-small/tags.csv");
const outPath = process.argv[3] ?? join(root, "data/catalog/attributes.jsonl");
/** Tags longer than this are sentences, not attributes. */
const MAX_TAG = 30;

/** The fields of one CSV line (quoted fields may hold commas). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const items = readFileSync(join(root, "data/catalog/movies.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Item & { keywords?: string[] });
const tmdb = joinTmdb(
  {
    moviesCsv: join(root, "data/tmdb/tmdb_5000_movies.csv.gz"),
    linksCsv: join(root, "data/movielens/links.csv"),
    mappingCsv: join(root, "data/redial/redial_to_movielens.csv"),
  },
  items,
);
const toCatalog = new Map<string, string>(); // MovieLens id -> catalog id
for (const line of readFileSync(join(root, "data/redial/redial_to_movielens.csv"), "utf8")
  .split("\n")
  .slice(1)) {
  const f = csvFields(line);
  if (f.length >= 4 && f[0] && f[3]) toCatalog.set(f[0], f[3]);
}
// Per catalog id: tag -> users who gave it.
const tagUsers = new Map<string, Map<string, Set<string>>>();
for (const line of readFileSync(tagsPath, "utf8").split("\n").slice(1)) {
  const [user, movie, raw] = csvFields(line);
  const id = movie && toCatalog.get(movie);
  const tag = raw?.trim().toLowerCase();
  if (!user || !id || !tag || tag.length > MAX_TAG) continue;
  const tags = tagUsers.get(id) ?? new Map<string, Set<string>>();
  tags.set(tag, (tags.get(tag) ?? new Set()).add(user));
  tagUsers.set(id, tags);
}
const lines: string[] = [];
let tagged = 0;
for (const item of items) {
  const tags = [...(tagUsers.get(item.id) ?? new Map<string, Set<string>>())]
    .sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))
    .map(([t]) => t);
  const keywords = [
    ...new Set((tmdb.get(item.id)?.keywords ?? item.keywords ?? []).map((k) => k.toLowerCase())),
  ];
  if (tags.length === 0 && keywords.length === 0) continue;
  if (tags.length) tagged++;
  lines.push(
    JSON.stringify({
      id: item.id,
      ...(tags.length ? { tags } : {}),
      ...(keywords.length ? { keywords } : {}),
    }),
  );
}
writeFileSync(outPath, lines.join("\n") + "\n");
console.log(`${lines.length} movies with attributes (${tagged} with MovieLens tags) -> ${outPath}`);
