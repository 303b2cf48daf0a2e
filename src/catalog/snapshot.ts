// The catalog's word indexes (titles, people, studios and series, attributes), saved once built so that a
// restart of an unchanged catalog reads them instead of reading every item's text again: at a million items
// building them takes minutes, reading them seconds. A snapshot is used only when its key matches. The key
// covers the items table's version, the code and data files that build the indexes, and V8's version (the
// file is V8's serialisation format). The code is the modules the builder imports, so that a change to the
// rest (ranking, adapters) does not cost a large catalog minutes of rebuilding at its next start.
import { createHash } from "node:crypto";
import { closeSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import v8 from "node:v8";
import type * as lancedb from "@lancedb/lancedb";
import { PACKAGE_ROOT } from "../config.ts";
import { openWithHeader, writeWhole } from "../util/headed-file.ts";

export const SNAPSHOT_FILE = "catalog-indexes.v8";
/** The key is a sha256 in hex, then a newline, then the serialised indexes. */
const KEY_BYTES = 64;

/** An instance of `cls` holding `fields`, without running its constructor (which builds them). */
export function revive<T extends object>(cls: { prototype: T }, fields: object): T {
  return Object.assign(Object.create(cls.prototype) as T, fields);
}

/**
 * A copy of a typed array read from a snapshot: V8's deserialiser makes them views of the file's buffer,
 * which one view left would keep whole in memory.
 */
export function ownCopy<T extends Int32Array | Float32Array | Uint16Array | Uint8Array>(
  view: T,
): T {
  return view.slice() as T;
}

/** A relative import or re-export that runs code: `import type` and `export type` change no index. */
const RUNTIME_IMPORT = /^(?:import|export)\s+(?!type\b)(?:[^;]*?\sfrom\s+)?"(\.[^"]+)"/gms;

/** `entry` and every module it imports, directly or not, by relative path; sorted. */
export function importedModules(entry: string): string[] {
  const seen = new Set<string>();
  const next = [entry];
  for (let file = next.pop(); file !== undefined; file = next.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, "utf8").matchAll(RUNTIME_IMPORT))
      next.push(resolve(dirname(file), spec!));
  }
  return [...seen].sort();
}

let buildHash: string | undefined;
/** What builds the indexes: the modules of word-indexes.ts and the word lists and item data they read. */
function codeAndDataHash(): string {
  if (buildHash) return buildHash;
  const hash = createHash("sha256");
  const files = [
    ...importedModules(join(PACKAGE_ROOT, "src/recommend/word-indexes.ts")),
    join(PACKAGE_ROOT, "data/common-words.txt"),
    join(PACKAGE_ROOT, "data/catalog/attributes.jsonl"),
    join(PACKAGE_ROOT, "data/catalog/tmdb-extras.jsonl"),
  ];
  for (const file of files) hash.update(file.slice(PACKAGE_ROOT.length)).update(readFileSync(file));
  return (buildHash = hash.digest("hex"));
}

/** The key of the indexes of the items table as it is now (a re-ingest or re-embedding changes it). */
export async function snapshotKey(items: lancedb.Table): Promise<string> {
  const version = await items.version();
  const written = (await items.listVersions()).find((v) => v.version === version)?.timestamp;
  return createHash("sha256")
    .update(`${version}\0${written?.toISOString() ?? ""}\0`)
    .update(`${process.versions.v8}\0${codeAndDataHash()}`)
    .digest("hex");
}

/** The indexes saved under `key`; undefined when there are none, or they are another catalog's or code's. */
export function readSnapshot<T>(
  dataDir: string,
  key: string,
  log: (s: string) => void,
): T | undefined {
  const path = join(dataDir, SNAPSHOT_FILE);
  const fd = openWithHeader(path, key);
  if (fd === undefined) return undefined;
  closeSync(fd);
  try {
    return v8.deserialize(readFileSync(path).subarray(KEY_BYTES + 1)) as T;
  } catch (err) {
    log(
      `ignoring the unreadable ${SNAPSHOT_FILE} (${(err as Error).message}); building the indexes`,
    );
    return undefined;
  }
}

/** Saves the indexes under `key`, whole or not at all (a reader never sees half a file). */
export function writeSnapshot(dataDir: string, key: string, indexes: unknown): void {
  writeWhole(join(dataDir, SNAPSHOT_FILE), (fd) => {
    writeFileSync(fd, `${key}\n`, "latin1");
    writeFileSync(fd, v8.serialize(indexes));
  });
}
