// Whole turns on the demo catalog (real model, real LanceDB): several references at once, and reasons
// that name the real link (a shared director or star, the years asked for).
import { describe, expect, it } from "vitest";
import type { Replay } from "../src/replay.ts";
import { useDemoBot } from "./support/demo-bot.ts";

let bot: Replay;
useDemoBot("links", (b) => (bot = b));

describe("several items of the last list in one message", () => {
  it("marks every one of them, each with its own feedback", async () => {
    const user = { platform: "test", id: "several" };
    const first = await bot.handleMessage({ user, text: "some westerns please" });
    const ids = first.recommendations.map((r) => r.id);
    await bot.handleMessage({ user, text: "watched the top two already" });
    const second = await bot.handleMessage({ user, text: "okay and more westerns" });
    const ids2 = second.recommendations.map((r) => r.id);
    await bot.handleMessage({ user, text: "the third one bored me, but I adored the fourth" });
    const profile = await bot.profileOf(user);
    expect(profile?.seen).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    expect(profile?.disliked).toContain(ids2[2]);
    expect(profile?.liked).toContain(ids2[3]);
  });
});

describe("more like several of the last list", () => {
  it("builds the list on all of them and cites the closest one", async () => {
    const user = { platform: "test", id: "more-like-two" };
    const first = await bot.handleMessage({ user, text: "a few space adventures" });
    const titles = first.recommendations.slice(-2).map((r) => r.title);
    const r = await bot.handleMessage({ user, text: "something similar to the bottom two" });
    expect(r.text).toContain(`More like ${titles[0]} and ${titles[1]}`);
    const cited = r.recommendations.flatMap((x) => x.reasons).filter((y) => y.code === "more_like");
    expect(cited.length).toBeGreaterThan(0);
    for (const c of cited)
      expect(titles.some((t) => c.text.startsWith(`Like ${t}, as you asked`))).toBe(true);
  });
});

describe("reasons that name the link", () => {
  it("names a director shared with a liked film", async () => {
    const user = { platform: "test", id: "director" };
    const r = await bot.handleMessage({ user, text: "I really enjoyed Pulp Fiction" });
    const texts = r.recommendations.flatMap((x) => x.reasons.map((y) => y.text));
    const shared = texts.filter((t) => / like Pulp Fiction$/.test(t));
    expect(shared.length).toBeGreaterThan(0);
    for (const t of shared) expect(t).toMatch(/^(Directed by|Stars|Written by) [A-Z]/);
  });

  it("names the decade asked for first", async () => {
    const user = { platform: "test", id: "decade" };
    const r = await bot.handleMessage({ user, text: "give me some dramas from the 70s" });
    expect(r.recommendations.length).toBeGreaterThan(0);
    for (const rec of r.recommendations)
      expect(rec.reasons[0]!.text).toBe(`From ${rec.year}, within the 1970s you asked for`);
  });
});

describe("writers", () => {
  it("are found by name and lead the list, said once when they also directed", async () => {
    const user = { platform: "test", id: "writer" };
    const r = await bot.handleMessage({ user, text: "anything scripted by charlie kaufman" });
    const his = r.recommendations.filter((x) =>
      x.reasons.some((y) => /^(Written|Directed) by Charlie Kaufman, as you asked$/.test(y.text)),
    );
    expect(his.length).toBeGreaterThanOrEqual(3);
    for (const x of r.recommendations)
      expect(
        x.reasons.filter((y) => /Charlie Kaufman, as you asked/.test(y.text)).length,
      ).toBeLessThan(2);
  });
});

describe("taste holds", () => {
  it("a message that only narrows keeps to the category asked for before", async () => {
    const user = { platform: "test", id: "narrows" };
    await bot.handleMessage({ user, text: "got any good westerns?" });
    const r = await bot.handleMessage({ user, text: "hmm, nothing before 1990 though" });
    expect(r.recommendations.length).toBeGreaterThan(0);
    for (const x of r.recommendations) expect(x.year).toBeGreaterThanOrEqual(1990);
    expect(
      r.recommendations.filter((x) => x.categories.includes("western")).length,
    ).toBeGreaterThanOrEqual(3);
  });
});

describe("several categories at once", () => {
  it("puts films that are all of them first", async () => {
    const user = { platform: "test", id: "two-categories" };
    const r = await bot.handleMessage({ user, text: "a western comedy would be fun" });
    const both = r.recommendations.filter(
      (x) => x.categories.includes("western") && x.categories.includes("comedy"),
    );
    expect(both.length).toBeGreaterThanOrEqual(3);
  });
});
