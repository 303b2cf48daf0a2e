import { describe, expect, it } from "vitest";
import type { Replay } from "../src/replay.ts";
import { useDemoBot } from "./support/demo-bot.ts";

let bot: Replay;
useDemoBot("studios", (b) => (bot = b));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const years = (recs: Array<{ year?: number }>) =>
  recs.flatMap((r) => (r.year === undefined ? [] : [r.year]));

describe("studios, series and critiques on the demo catalog (real model, real LanceDB)", () => {
  it("puts a studio's films first, saying so", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "studio" },
      text: "anything made by pixar?",
    });
    const from = r.recommendations.filter((x) =>
      x.reasons.some((y) => y.code === "from_collection" && /Pixar/.test(y.text)),
    );
    expect(from.length).toBeGreaterThanOrEqual(4);
    expect(r.recommendations[0]!.reasons[0]!.text).toMatch(/^From Pixar.*as you asked/);
  });

  it("finds a series by the title words its films share", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "series" },
      text: "i want to binge the indiana jones movies",
    });
    expect(r.recommendations.filter((x) => /Indiana Jones/.test(x.title)).length).toBeGreaterThan(
      2,
    );
  });

  it("takes less of a word away from the last list, naming the film it moves from", async () => {
    const user = { platform: "test", id: "gentler" };
    const first = await bot.handleMessage({ user, text: "some action films" });
    const gentler = await bot.handleMessage({ user, text: "a bit less violent" });
    const titles = first.recommendations.map((x) => x.title);
    const reason = gentler.recommendations[0]!.reasons.find((x) => x.code === "critique");
    const than = /^Less violent than (.+), as you asked$/.exec(reason?.text ?? "")?.[1];
    expect(titles).toContain(than);
  });

  it("moves the next list older than the last one, and says by how much", async () => {
    const user = { platform: "test", id: "critic" };
    const first = await bot.handleMessage({ user, text: "a few comedies please" });
    const older = await bot.handleMessage({ user, text: "hmm, older ones" });
    expect(mean(years(older.recommendations))).toBeLessThan(mean(years(first.recommendations)));
    const reason = older.recommendations[0]!.reasons.find((x) => x.code === "critique");
    expect(reason?.text).toMatch(/^Older: \d{4} \(the last list averaged \d{4}\)$/);
    expect(
      older.recommendations.filter((x) => x.categories.includes("comedy")).length,
    ).toBeGreaterThan(2);
  });
});
