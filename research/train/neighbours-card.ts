// The neighbours artefact's part of models/MODEL_CARD.md: a marked section, replaced in place on every build
// and kept when the interest model's card is regenerated (model-card.ts).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";

export interface NeighboursCardFacts {
  out: string;
  bytes: number;
  sha256: string;
  k: number;
  command: string;
  commit: string;
  movielensUsers: number;
  movielensLikes: number;
  mappedMovies: number;
  dialogues: number;
  items: number;
  pairs: number;
}

/** The marked sections of a card (neighbours, ranker): kept when the interest model's card is rewritten. */
export function markedSectionsOf(card: string): string {
  return (card.match(/<!-- (\w+):begin -->[\s\S]*?<!-- \1:end -->/g) ?? []).join("\n\n");
}

/** Replaces the card's section `name` (between its markers) with `lines`, or appends it. */
export function updateCardSection(cardPath: string, name: string, lines: string[]): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const section = [begin, ...lines, end].join("\n");
  const card = existsSync(cardPath) ? readFileSync(cardPath, "utf8") : "";
  const start = card.indexOf(begin);
  const stop = card.indexOf(end);
  writeFileSync(
    cardPath,
    start >= 0 && stop > start
      ? card.slice(0, start) + section + card.slice(stop + end.length)
      : `${card.trimEnd()}\n\n${section}\n`,
  );
}

export function updateNeighboursCard(cardPath: string, f: NeighboursCardFacts): void {
  updateCardSection(cardPath, "neighbours", [
    "# Model card: item neighbours",
    "",
    `\`${basename(f.out)}\`: ${(f.bytes / 1e6).toFixed(2)} MB gzipped JSONL, sha256 \`${f.sha256}\`; top ${f.k} neighbours for ${f.items} catalog items (${f.pairs} pairs). Built by \`${f.command}\`; loaded into the LanceDB \`item_neighbours\` table on first start.`,
    "",
    `- MovieLens ml-latest-small (Harper & Konstan 2015; GroupLens research terms): ${f.movielensLikes} likes (rating >= 4) by ${f.movielensUsers} users on movies with a catalog id (${f.mappedMovies} MovieLens ids linked to catalog ids: data/redial/redial_to_movielens.csv, then title and year in movies.csv for the items it leaves out). Score: shrunk cosine c_ij / sqrt(n_i n_j) · c_ij / (c_ij + 10) over users who liked both, pairs liked together by at least 2 users.`,
    `- ReDial train dialogues (CC BY 4.0; ${f.dialogues} dialogues; dev is never used): movies mentioned in the same dialogue, shrunk cosine with shrink 3.`,
    "- Combined score = MovieLens score + co-mention score (each 0 when the pair is not in that source's top 100).",
    "- Limits: popular movies dominate MovieLens co-likes; only 1,441 train dialogues, so co-mentions are sparse; the MovieLens ratings include every user's full history, so `chatrec eval movielens` does not use these neighbours (leakage).",
  ]);
}
