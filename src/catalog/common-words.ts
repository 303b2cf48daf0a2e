// The English word list (data/common-words.txt, GloVe's vocabulary in frequency order) that tells everyday
// words from names and titles: word -> frequency rank. Read once per process.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../config.ts";

let words: ReadonlyMap<string, number> | undefined;

export function commonWords(): ReadonlyMap<string, number> {
  words ??= new Map(
    readFileSync(join(PACKAGE_ROOT, "data/common-words.txt"), "utf8")
      .split("\n")
      .map((w, rank) => [w, rank] as const),
  );
  return words;
}
