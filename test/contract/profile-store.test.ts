// The store contract against the shipped store: real LanceDB and a real write-ahead log in a temp folder.
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { ProfileStore } from "../../src/profile/store.ts";
import { storeContract } from "./store-suite.ts";

storeContract("LanceDB + write-ahead log", async (folder) =>
  ProfileStore.open(await lancedb.connect(join(folder, "db")), {
    commitIntervalMs: 5,
    compactEvery: 1000,
    retentionDays: 0,
    labels: 3,
    dim: 2,
    walDir: join(folder, "wal"),
  }),
);
