import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Replay } from "../src/replay.ts";
import { itemText } from "../src/catalog/item-text.ts";
import { loadConfig } from "../src/config.ts";
import { trainInterestModel } from "../research/train/train.ts";

const root = mkdtempSync(join(tmpdir(), "chatrec-retrain-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("a retrained model is picked up on restart without code changes", () => {
  it("re-embeds the stored catalog with the new model and keeps profiles", async () => {
    const rows = readFileSync("data/catalog/movies.jsonl", "utf8")
      .split("\n")
      .filter(Boolean)
      .filter((_, i) => i % 20 === 0);
    const catalogPath = join(root, "small.jsonl");
    writeFileSync(catalogPath, rows.join("\n") + "\n");
    const dataDir = join(root, "data");
    const user = { platform: "test", id: "rita" };

    const first = await Replay.open(loadConfig({}, { dataDir, catalogPath, commitIntervalMs: 2 }));
    const shippedSha = first.model.sha256;
    await first.handleMessage({ user, text: "I want a funny family movie" });
    await first.close();

    const modelDir = join(root, "model");
    await trainInterestModel({
      catalogPath,
      outDir: modelDir,
      seed: 3,
      epochs: 2,
      skipMetrics: true,
    });
    const second = await Replay.open(
      loadConfig({}, { dataDir, catalogPath, modelDir, commitIntervalMs: 2 }),
    );
    try {
      expect(second.model.sha256).not.toBe(shippedSha);
      expect(second.catalog.size).toBe(rows.length);
      // The stored vectors are the new model's embeddings of the items, not the old ones.
      const [prediction] = await second.model.predict([itemText(second.catalog.items[0]!)]);
      expect(Array.from(second.catalog.vector(0))).toEqual(
        Array.from(prediction!.embedding).map((x) => expect.closeTo(x, 5)),
      );
      const reply = await second.handleMessage({ user, text: "something funny please" });
      expect(reply.recommendations.length).toBeGreaterThan(0);
      expect((await second.exportOf(user))?.events).toHaveLength(2);
    } finally {
      await second.close();
    }
  });
});
