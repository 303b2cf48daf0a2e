// The catalog with the indexes of its items' words: titles, people, studios and series, attributes. They are
// read back from the data folder when saved for the items table as it is (src/catalog/snapshot.ts), else
// built from the items' texts and, by the engine, saved for the next start. Either way the items then let go
// of their texts (Catalog.textOf reads one when a reply needs it).
import { join } from "node:path";
import type * as lancedb from "@lancedb/lancedb";
import type { Catalog, CatalogIndexes } from "../catalog/catalog.ts";
import { readSnapshot, SNAPSHOT_FILE, snapshotKey, writeSnapshot } from "../catalog/snapshot.ts";
import { readCatalogSource } from "../catalog/source.ts";
import { openCatalog, type ItemArraysPlace, type Progress } from "../catalog/store.ts";
import { PACKAGE_ROOT } from "../config.ts";
import type { InterestModel } from "../interest/model.ts";
import type { Item } from "../types.ts";
import { Attributes, loadItemAttributes, type AttributesSnapshot } from "./attributes.ts";
import { Collections, loadItemExtras, type CollectionsSnapshot } from "./collections.ts";
import { itemFacets, restoreFacets, type ItemFacets } from "./item-facets.ts";

/** What is saved. */
interface WordIndexes {
  catalog: CatalogIndexes;
  collections: CollectionsSnapshot;
  attributes: AttributesSnapshot;
  facets: ItemFacets;
}

export interface CatalogWithIndexes {
  catalog: Catalog;
  collections: Collections;
  attributes: Attributes;
  /** The items' years, people and series, as the ranker compares them with a request. */
  facets: ItemFacets;
  /** The data folder holds the shipped demo catalog (its TMDB and MovieLens data apply). */
  demo: boolean;
}

/**
 * Opens the catalog (seeding or re-embedding it as openCatalog does) with its word indexes. `save`: whether
 * indexes built here are saved (the engine), or kept in memory only (a turn worker).
 */
export async function openCatalogWithIndexes(opts: {
  db: lancedb.Connection;
  model: InterestModel;
  seed: () => Promise<unknown>;
  commonWords: ReadonlyMap<string, number>;
  progress: Progress;
  dataDir: string;
  save: boolean;
  log: (s: string) => void;
  arrays?: ItemArraysPlace | undefined;
}): Promise<CatalogWithIndexes> {
  const { db, dataDir, commonWords, log } = opts;
  const started = performance.now();
  let key = "";
  let saved: WordIndexes | undefined;
  const catalog = await openCatalog(
    db,
    opts.model,
    opts.seed,
    commonWords,
    opts.progress,
    async (items) => {
      key = await snapshotKey(items);
      saved = readSnapshot<WordIndexes>(dataDir, key, log);
      return saved?.catalog;
    },
    opts.arrays,
  );
  // The shipped TMDB studios and tags belong to the demo catalog's ids: an ingested catalog of its own goes
  // without them (its series still come from its titles).
  const source = await readCatalogSource(db);
  const demo = !source || source.demo;
  const { collections, attributes, facets } = saved
    ? {
        collections: Collections.restore(saved.collections),
        attributes: Attributes.restore(saved.attributes, catalog.items, commonWords),
        facets: restoreFacets(saved.facets),
      }
    : { ...buildWordIndexes(catalog.items, demo, commonWords), facets: itemFacets(catalog) };
  catalog.dropTexts();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (saved) log(`read the catalog's word indexes from ${SNAPSHOT_FILE} (${seconds} s to open)`);
  else if (opts.save) {
    try {
      writeSnapshot(dataDir, key, {
        catalog: catalog.indexes(),
        collections: collections.snapshot(),
        attributes: attributes.snapshot(),
        facets,
      } satisfies WordIndexes);
      log(`built the catalog's word indexes in ${seconds} s and saved them to ${SNAPSHOT_FILE}`);
    } catch (err) {
      log(`could not save the catalog's word indexes: ${(err as Error).message}`);
    }
  }
  return { catalog, collections, attributes, facets, demo };
}

/** Studios, series and attributes from the items (the demo catalog's also from its TMDB and MovieLens data). */
function buildWordIndexes(
  items: Item[],
  demo: boolean,
  commonWords: ReadonlyMap<string, number>,
): { collections: Collections; attributes: Attributes } {
  const extras = demo
    ? loadItemExtras(join(PACKAGE_ROOT, "data/catalog/tmdb-extras.jsonl"))
    : new Map();
  const given = demo
    ? loadItemAttributes(join(PACKAGE_ROOT, "data/catalog/attributes.jsonl"))
    : new Map();
  return {
    collections: new Collections(items, extras, commonWords),
    attributes: new Attributes(items, given, commonWords),
  };
}
