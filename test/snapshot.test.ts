// The catalog's word indexes are saved after the first start and read back at the next: they must be the
// same indexes (every field, the same answers), and a changed catalog or a damaged file must build them again.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as lancedb from "@lancedb/lancedb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Catalog } from "../src/catalog/catalog.ts";
import { ingestCatalog } from "../src/catalog/ingest.ts";
import { titleKey } from "../src/catalog/normalize.ts";
import { importedModules, SNAPSHOT_FILE } from "../src/catalog/snapshot.ts";
import { loadConfig, PACKAGE_ROOT } from "../src/config.ts";
import { loadWorkParts } from "../src/engine.ts";
import { restoreFacets } from "../src/recommend/item-facets.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-snapshot-"));
const config = loadConfig({}, { dataDir: dir });
type Parts = Awaited<ReturnType<typeof loadWorkParts>>;
let db: lancedb.Connection;
const opened: Parts[] = [];

async function open(): Promise<{ parts: Parts; log: string[] }> {
  const log: string[] = [];
  const parts = await loadWorkParts(config, db, (s) => log.push(s), { buildIndex: true });
  opened.push(parts);
  return { parts, log };
}

let built: Awaited<ReturnType<typeof open>>;
let restored: Awaited<ReturnType<typeof open>>;

beforeAll(async () => {
  db = await lancedb.connect(config.dbUri);
  built = await open();
  restored = await open();
}, 120_000);
afterAll(async () => {
  for (const p of opened) await p.model.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const said = (log: string[], what: RegExp) => log.some((line) => what.test(line));

describe("the saved word indexes", () => {
  it("are built and saved at the first start, and read back at the next", () => {
    expect(said(built.log, /built the catalog's word indexes .* saved them/)).toBe(true);
    expect(said(restored.log, /read the catalog's word indexes/)).toBe(true);
    expect(said(restored.log, /built the catalog's word indexes/)).toBe(false);
  });

  it("hold every field the built ones hold, with the same data", () => {
    const [a, b] = [built.parts, restored.parts];
    const pairs: Array<[string, object, object]> = [
      ["titles", a.catalog.titles, b.catalog.titles],
      [
        "title words",
        Reflect.get(a.catalog.titles, "fuzzy"),
        Reflect.get(b.catalog.titles, "fuzzy"),
      ],
      ["people", a.catalog.people, b.catalog.people],
      ["collections", a.ranker.collections!, b.ranker.collections!],
      ["attributes", a.ranker.attributes!, b.ranker.attributes!],
    ];
    for (const [name, x, y] of pairs) {
      expect(Object.keys(y).sort(), name).toEqual(Object.keys(x).sort());
      expect(Object.getPrototypeOf(y), name).toBe(Object.getPrototypeOf(x));
    }
    // Arrays of their own: a view of the file's buffer would keep the whole file in memory.
    const words = Reflect.get(b.catalog.titles, "fuzzy") as object;
    const keys = Reflect.get(b.catalog.titles, "keys") as object;
    const runtime = Reflect.get(b.ranker.collections!, "runtime") as Float32Array;
    for (const array of [
      ...["keyWords", "postingStart", "postingKeys"].map(
        (name) => Reflect.get(words, name) as Int32Array,
      ),
      ...["rowStart", "rows", "ownKeys"].map((name) => Reflect.get(keys, name) as Int32Array),
      Reflect.get(b.catalog.titles, "fuzzyKeys") as Int32Array,
      runtime,
      ...[b.ranker.facets.year, b.ranker.facets.personIds, b.ranker.facets.series],
    ])
      expect(array.buffer.byteLength).toBe(array.byteLength);
    expect(isDeepStrictEqual(a.catalog.indexes(), b.catalog.indexes())).toBe(true);
    expect(isDeepStrictEqual(a.ranker.facets, b.ranker.facets)).toBe(true);
    expect(b.catalog.hasText).toEqual(a.catalog.hasText);
    // Each row's title key is its title's, restored as built.
    const keysOf = (catalog: Catalog) => catalog.items.map((_, row) => catalog.titles.keyOf(row));
    expect(keysOf(b.catalog)).toEqual(keysOf(a.catalog));
    expect(keysOf(a.catalog)).toEqual(a.catalog.items.map((item) => titleKey(item.title)));
    expect(
      isDeepStrictEqual(a.ranker.collections!.snapshot(), b.ranker.collections!.snapshot()),
    ).toBe(true);
    expect(
      isDeepStrictEqual(a.ranker.attributes!.snapshot(), b.ranker.attributes!.snapshot()),
    ).toBe(true);
  });

  it("leave the texts in the items table, read one by one when a reply needs them", async () => {
    for (const { parts } of [built, restored]) {
      const { catalog } = parts;
      expect(catalog.items.every((item) => item.text === "")).toBe(true);
      const row = catalog.row(catalog.titles.exactTitle("Jaws")!)!;
      expect(catalog.hasText[row]).toBe(1);
      expect(await catalog.textOf(row)).toMatch(/^When a killer shark unleashes chaos/);
    }
  });

  it("find the same titles, typos, people, studios and attributes", () => {
    const [a, b] = [built.parts, restored.parts];
    const messages = [
      "I loved the shinning and jurasic park, anything by Stanley Kubrick?",
      "studio ghibli films, or the harry potter ones",
      "something twisty and gory, not too violent",
      "more with tom hnaks please",
    ];
    for (const text of messages) {
      const titlesA = a.catalog.titles.find(text);
      const found =
        titlesA.length +
        a.catalog.people.find(text).length +
        a.ranker.collections!.in(text).length +
        a.ranker.attributes!.match(text).size;
      expect(found, text).toBeGreaterThan(0);
      expect(b.catalog.titles.find(text), text).toEqual(titlesA);
      expect(b.catalog.people.find(text), text).toEqual(a.catalog.people.find(text));
      expect(b.ranker.collections!.in(text), text).toEqual(a.ranker.collections!.in(text));
      const matched = (parts: Parts) => {
        const m = parts.ranker.attributes!.match(text);
        return [...m.rows].map((row) => [row, m.get(row)]);
      };
      expect(matched(b), text).toEqual(matched(a));
      expect(b.ranker.attributes!.characteristicOf(text), text).toEqual(
        a.ranker.attributes!.characteristicOf(text),
      );
    }
    expect(a.catalog.titles.find("the shinning")[0]?.typo).toBe("confident");
    expect(a.ranker.collections!.in("studio ghibli films").length).toBeGreaterThan(0);
  });

  it("are built again when the file is damaged", async () => {
    truncateSync(join(dir, SNAPSHOT_FILE), 200);
    const again = await open();
    expect(said(again.log, /ignoring the unreadable/)).toBe(true);
    expect(said(again.log, /built the catalog's word indexes .* saved them/)).toBe(true);
    const next = await open();
    expect(said(next.log, /read the catalog's word indexes/)).toBe(true);
  });

  it("are built again for another catalog, never taken from the one before", async () => {
    const file = join(dir, "shop.jsonl");
    writeFileSync(
      file,
      [
        { id: "k1", title: "Copper Kettle Deluxe", text: "A kettle of hammered copper." },
        { id: "k2", title: "Walnut Spice Rack", text: "A rack for twelve spice jars." },
      ]
        .map((item) => JSON.stringify(item))
        .join("\n"),
    );
    await ingestCatalog(db, built.parts.model, { path: file, mode: "replace" });
    const shop = await open();
    expect(said(shop.log, /read the catalog's word indexes/)).toBe(false);
    expect(said(shop.log, /built the catalog's word indexes/)).toBe(true);
    expect(shop.parts.catalog.titles.find("the copper kettle deluxe")[0]?.itemId).toBe("k1");
    expect(shop.parts.catalog.titles.find("I loved jurassic park")).toEqual([]);
  });
});

describe("facets read back", () => {
  it("own their arrays, not views of the file's buffer", () => {
    // What V8's deserialiser gives for aligned typed arrays: views of one buffer.
    const file = new ArrayBuffer(64);
    const saved = {
      year: new Float32Array(file, 0, 2),
      personStart: new Int32Array(file, 8, 3),
      personIds: new Int32Array(file, 20, 1),
      personCount: 1,
      personIdOf: new Map([["someone", 0]]),
      series: new Int32Array(file, 24, 2),
      seriesCount: 0,
    };
    saved.year.set([1999, Number.NaN]);
    const facets = restoreFacets(saved);
    for (const name of ["year", "personStart", "personIds", "series"] as const) {
      expect(facets[name].buffer, name).not.toBe(file);
      expect(facets[name].buffer.byteLength, name).toBe(facets[name].byteLength);
    }
    expect(isDeepStrictEqual(facets, saved)).toBe(true);
  });
});

describe("the snapshot key's code", () => {
  it("is the modules the index builder runs, found through their imports", () => {
    const modules = importedModules(join(PACKAGE_ROOT, "src/recommend/word-indexes.ts")).map(
      (file) => file.slice(PACKAGE_ROOT.length + 1),
    );
    // Through several levels: word-indexes imports the catalog, which imports the kernels.
    expect(modules).toContain("src/catalog/titles.ts");
    expect(modules).toContain("src/util/kernels.ts");
    expect(modules).toContain("src/recommend/attributes.ts");
    // The ranker and the pipeline build no index: changing them keeps a large catalog's snapshot.
    expect(modules).not.toContain("src/recommend/rank.ts");
    expect(modules).not.toContain("src/pipeline/run.ts");
  });

  it("follows side-effect imports and re-exports, not type-only ones", () => {
    const root = mkdtempSync(join(tmpdir(), "chatrec-imports-"));
    const file = (name: string, text: string) => writeFileSync(join(root, name), text);
    file(
      "entry.ts",
      'import "./side.ts";\nimport type { T } from "./types.ts";\nexport { b } from "./b.ts";\n',
    );
    file("side.ts", "");
    file("types.ts", "export type T = number;\n");
    file("b.ts", 'import {\n  type T,\n  c,\n} from "./c.ts";\nexport const b = c;\n');
    file("c.ts", "export const c = 1;\n");
    const names = importedModules(join(root, "entry.ts")).map((f) => f.slice(root.length + 1));
    expect(names).toEqual(["b.ts", "c.ts", "entry.ts", "side.ts"]);
    rmSync(root, { recursive: true });
  });
});
