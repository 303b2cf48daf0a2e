// Real files whose id column is not unique on its own (BBC News: `file` repeats across categories): a
// composite or generated id keeps every row, and an ingest that would skip many rows stops, loudly,
// before writing anything, unless --allow-skips.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseColumnMap } from "../src/catalog/ingest.ts";
import { loadCatalogFile } from "../src/catalog/load.ts";
import { PACKAGE_ROOT } from "../src/config.ts";

const BBC = join(PACKAGE_ROOT, "data/news/bbc_news.csv.gz");
const dir = mkdtempSync(join(tmpdir(), "chatrec-ingest-ids-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ids for real files", () => {
  it("a composite id keeps all 2,225 BBC articles; the file name alone keeps 511", () => {
    const composite = loadCatalogFile(BBC, parseColumnMap("id=category+file,categories=category"));
    expect(composite.items).toHaveLength(2225);
    expect(composite.skipped).toEqual([]);
    expect(composite.items[0]!.id).toBe("business:001.txt");
    const fileOnly = loadCatalogFile(BBC, parseColumnMap("id=file,categories=category"));
    expect(fileOnly.items).toHaveLength(511);
  });

  it("generated ids: the row number, or a hash of chosen columns, unique and stable", () => {
    const byRow = loadCatalogFile(BBC, parseColumnMap("id=#row,categories=category"));
    expect(byRow.items).toHaveLength(2225);
    expect(byRow.items[0]!.id).toBe("2");
    const hashed = loadCatalogFile(BBC, parseColumnMap("id=#hash:category+file"));
    const again = loadCatalogFile(BBC, parseColumnMap("id=#hash:category+file"));
    expect(hashed.items).toHaveLength(2225);
    expect(hashed.items[0]!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(again.items.map((i) => i.id)).toEqual(hashed.items.map((i) => i.id));
    // The columns an id is made of do not come back as extra fields.
    expect(hashed.items[0]!.extra).not.toHaveProperty("file");
  });

  it("chatrec ingest stops with a non-zero exit and writes nothing when many rows would be skipped", async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, ["bin/chatrec.js", "ingest", BBC, ...args], {
        cwd: PACKAGE_ROOT,
        env: { ...process.env, CHATREC_DATA_DIR: dir },
      });
    const refused = await run("--columns", "id=file,categories=category").catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toMatch(
      /1714 of 2225 rows would be skipped \(duplicate id.*nothing was loaded.*--allow-skips/,
    );
  });
});
