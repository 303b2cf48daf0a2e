// scratch: full dev feature matrices for analysis (not committed)
import { writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { withReplayBot, loadRedialDialogues, replayDialogue } from "./src/eval/redial-replay.ts";
import { FEATURE_NAMES } from "./src/recommend/ranker-model.ts";
const out = process.argv[2] ?? "/tmp/x/dev-full.bin";
await withReplayBot(async (bot) => {
  const c = bot.catalog;
  const ds = loadRedialDialogues("data/redial/dev.jsonl", c);
  const fd = openSync(out, "w");
  const meta: Array<{ n: number; gt: number[]; before: number[]; rows: number }> = [];
  for (const [n, d] of ds.entries()) {
    const user = { platform: "dump", id: `dev${n}` };
    await replayDialogue(bot, d, user, {
      instance: async (inst) => {
        if (inst.groundTruth.length === 0) return;
        const req = await bot.rankingRequest(user, { limit: 50, text: inst.seekerText });
        const m = bot.ranker.featureMatrix(req);
        const pos = new Map<string, number>(); m.rows.forEach((r, k) => pos.set(c.items[r]!.id, k));
        meta.push({ n, gt: inst.groundTruth.map((id) => pos.get(id) ?? -1), before: [...inst.mentionedBefore].map((id) => pos.get(id) ?? -1).filter((k) => k >= 0), rows: m.rows.length });
        writeSync(fd, Buffer.from(m.values.buffer, m.values.byteOffset, m.values.byteLength));
      },
    });
  }
  closeSync(fd);
  writeFileSync(out + ".json", JSON.stringify({ features: FEATURE_NAMES, meta }));
});
