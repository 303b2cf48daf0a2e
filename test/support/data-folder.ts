// Scanning a data folder byte by byte: the privacy tests use it to prove what is (not) stored on disk.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under `root` whose bytes contain `needle`. */
export function filesContaining(root: string, needle: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    if (statSync(path).isDirectory()) return filesContaining(path, needle);
    return readFileSync(path).includes(needle) ? [path] : [];
  });
}
