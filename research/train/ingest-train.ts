// `chatrec ingest <file>` (without --no-train): makes an ingested catalog the bot's own. Loads the file
// (src's ingest), trains an interest model on the whole stored catalog's categories and text into
// <data-dir>/models (never the tracked models/), then re-embeds the stored items with it. bin/chatrec.js
// routes here because the trainer lives in research/ and src/ never imports research/; Engine.open serves
// the data folder's model. Without --train, the demo movie catalog (served with the shipped model, trained
// with ReDial conversations) and a catalog too poor in categories to train on are loaded only, with a note.
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { ownModelDir } from "../../src/config.ts";
import {
  ingestFromArgs,
  reportServedModel,
  type IngestCliResult,
} from "../../src/catalog/ingest-cli.ts";
import { buildItemIndexAfterIngest } from "../../src/engine.ts";
import { openCatalog, readStoredItems } from "../../src/catalog/store.ts";
import { InterestModel } from "../../src/interest/model.ts";
import type { Item } from "../../src/types.ts";
import { labelSet } from "./data.ts";
import { MIN_LABEL_ITEMS } from "./pipeline.ts";
import { trainInterestModel } from "./train.ts";

/**
 * Why `items` cannot be trained on (the trainer needs 2 categories of MIN_LABEL_ITEMS items), as the note
 * says it ("only sport has 20 items or more"); undefined when they can.
 */
export function untrainableReason(items: readonly Item[]): string | undefined {
  const labels = labelSet(items, MIN_LABEL_ITEMS);
  if (labels.length >= 2) return undefined;
  if (!items.some((it) => it.categories.length > 0))
    return "it has none; map a column to them with --columns categories=<column>";
  if (labels.length === 0) return `none has ${MIN_LABEL_ITEMS} items`;
  return `only ${labels[0]} has ${MIN_LABEL_ITEMS} items or more`;
}

export async function runIngestTrainCli(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  const loaded = await ingestAndTrain(args, err);
  // Last: the index holds the vectors of the model that serves, trained just now or not.
  await buildItemIndexAfterIngest(loaded.config, loaded.stored, err);
}

async function ingestAndTrain(
  args: readonly string[],
  err: (line: string) => void,
): Promise<IngestCliResult> {
  const started = Date.now();
  const secondsSince = (t: number) => ((Date.now() - t) / 1000).toFixed(1);
  const loaded = await ingestFromArgs(args, err, { trainer: true });
  const { args: a, config } = loaded;
  // --no-train is routed to src by bin/chatrec.js; the demo catalog keeps the shipped model unless --train.
  if (a.noTrain || (loaded.demo && !a.train)) {
    reportServedModel(loaded, err);
    return loaded;
  }
  const outDir = ownModelDir(config.dataDir);
  const db = await lancedb.connect(config.dbUri);
  try {
    const items = await readStoredItems(db);
    // An explicit --train that cannot train fails in the trainer, with the data folder's model kept.
    const untrainable = a.train ? undefined : untrainableReason(items);
    if (untrainable !== undefined) {
      reportServedModel(loaded, err, { untrainable });
      return loaded;
    }
    console.log(loaded.summary);
    err(
      `training an interest model on the ${items.length} stored items (labels: their categories)`,
    );
    const trainStarted = Date.now();
    // Trained beside the served model and swapped in whole: a failed run leaves the folder as it was.
    const tmpDir = `${outDir}.training`;
    rmSync(tmpDir, { recursive: true, force: true });
    let report;
    try {
      report = await trainInterestModel({
        catalogPath: a.file,
        items,
        outDir: tmpDir,
        useRedial: false,
        skipMetrics: true,
        command: `chatrec ingest ${args.join(" ")}`,
        ...(a.epochs !== undefined ? { epochs: a.epochs } : {}),
        log: err,
      });
    } catch (e) {
      rmSync(tmpDir, { recursive: true, force: true });
      throw e;
    }
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmpDir, outDir);
    err(`trained in ${secondsSince(trainStarted)} s: ${report.labels.join(", ")}`);
    const embedStarted = Date.now();
    const model = await InterestModel.load(outDir);
    try {
      // The stored vectors were made by another model: openCatalog sees the sha differ and re-embeds them.
      let shown = 0;
      await openCatalog(
        db,
        model,
        () => Promise.reject(new Error("the items table vanished during training")),
        new Map(),
        (done, total) => {
          if (done < total && done - shown < 1000) return;
          shown = done;
          err(`re-embedded ${done}/${total} items`);
        },
      );
    } finally {
      await model.close();
    }
    err(`re-embedded in ${secondsSince(embedStarted)} s`);
    console.log(
      `trained ${join(outDir, "interest.onnx")} on ${items.length} items (${report.labels.length} labels) and re-embedded them; ` +
        `${secondsSince(started)} s in all. Restart the bot (npm start) to serve them.`,
    );
    return loaded;
  } finally {
    db.close();
  }
}
