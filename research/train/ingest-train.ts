// `chatrec ingest <file> --train`: makes an ingested catalog the bot's own. Loads the file (src's ingest),
// trains an interest model on the whole stored catalog's categories and text into <data-dir>/models (never
// the tracked models/), then re-embeds the stored items with it. bin/chatrec.js routes here because the
// trainer lives in research/ and src/ never imports research/; Engine.open serves the data folder's model.
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import { ownModelDir } from "../../src/config.ts";
import { ingestFromArgs } from "../../src/catalog/ingest-cli.ts";
import { openCatalog, readStoredItems } from "../../src/catalog/store.ts";
import { InterestModel } from "../../src/interest/model.ts";
import { trainInterestModel } from "./train.ts";

export async function runIngestTrainCli(
  args: readonly string[],
  err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  const started = Date.now();
  const secondsSince = (t: number) => ((Date.now() - t) / 1000).toFixed(1);
  const { args: a, config } = await ingestFromArgs(args, err, { training: true });
  const outDir = ownModelDir(config.dataDir);
  const db = await lancedb.connect(config.dbUri);
  try {
    const items = await readStoredItems(db);
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
  } finally {
    db.close();
  }
}
