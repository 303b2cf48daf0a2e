// Which commit a model file was made from, for its model card: the checked-out commit, marked "+changes"
// when files other than the models themselves differ from it (a card must not claim a clean commit then).
import { execFileSync } from "node:child_process";

export function sourceCommit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).trim();
    const changed = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      encoding: "utf8",
    })
      .split("\n")
      .filter((line) => line.trim() && !/\smodels\//.test(line));
    return changed.length ? `${head}+changes` : head;
  } catch {
    return "unknown (not a git checkout)";
  }
}
