// A small real news catalog for tests: the first `perCategory` BBC stories of each of its five categories,
// written as JSONL (id category:file, title, the text's first `textChars` characters, the category).
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { parseCsvObjects } from "../../src/util/csv.ts";

export function writeNewsSample(file: string, perCategory: number, textChars: number): string {
  const rows = parseCsvObjects(gunzipSync(readFileSync("data/news/bbc_news.csv.gz")).toString());
  const taken = new Map<string, number>();
  const out: string[] = [];
  for (const r of rows) {
    const n = taken.get(r.category!) ?? 0;
    if (n >= perCategory) continue;
    taken.set(r.category!, n + 1);
    out.push(
      JSON.stringify({
        id: `${r.category}:${r.file}`,
        title: r.title,
        text: r.text!.slice(0, textChars),
        categories: [r.category],
      }),
    );
  }
  writeFileSync(file, out.join("\n") + "\n");
  return file;
}
