import { readFileSync } from "node:fs";
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

  it("understands a studio named on its own after a list", async () => {
    const user = { platform: "test", id: "studio-alone" };
    await bot.handleMessage({ user, text: "some animated movies for the family" });
    const r = await bot.handleMessage({ user, text: "yes pixar ones only" });
    expect(r.text).not.toMatch(/didn't understand/);
    expect(
      r.recommendations.filter((x) => x.reasons.some((y) => /Pixar/.test(y.text))).length,
    ).toBeGreaterThanOrEqual(4);
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

  it("finds a series by its recurring character, and a follow-up keeps to it", async () => {
    const user = { platform: "test", id: "bond" };
    const first = await bot.handleMessage({
      user,
      text: "the bond films, which ones should i watch",
    });
    const bond = (r: typeof first) =>
      r.recommendations.filter((x) =>
        x.reasons.some((y) => y.code === "from_collection" && /James Bond/.test(y.text)),
      );
    expect(bond(first)).toHaveLength(5);
    const newer = await bot.handleMessage({ user, text: "newer" });
    expect(bond(newer).length).toBeGreaterThanOrEqual(4);
    expect(mean(years(newer.recommendations))).toBeGreaterThan(mean(years(first.recommendations)));
  });

  it("a follow-up keeps to the person asked for; a new request does not", async () => {
    const user = { platform: "test", id: "follow-person" };
    await bot.handleMessage({ user, text: "films by steven spielberg" });
    const older = await bot.handleMessage({ user, text: "older ones please" });
    const bySpielberg = older.recommendations.filter((x) =>
      x.reasons.some((y) => y.code === "directed_by" && /Spielberg/.test(y.text)),
    );
    expect(bySpielberg.length).toBeGreaterThanOrEqual(3);
    const next = await bot.handleMessage({ user, text: "some romantic comedies" });
    expect(next.recommendations.some((x) => x.reasons.some((y) => y.code === "directed_by"))).toBe(
      false,
    );
  });

  it("asks for a studio by its one-word name, not for a company named after a person", async () => {
    const ghibli = await bot.handleMessage({
      user: { platform: "test", id: "ghibli" },
      text: "a ghibli film",
    });
    expect(ghibli.recommendations[0]!.reasons[0]!.text).toBe("From Studio Ghibli, as you asked");
    const sofia = await bot.handleMessage({
      user: { platform: "test", id: "sofia" },
      text: "any films by sofia coppola?",
    });
    expect(sofia.recommendations[0]!.reasons[0]!.text).toBe(
      "Directed by Sofia Coppola, as you asked",
    );
  });

  it("funnier, scarier and lighter move along what those words read as", async () => {
    const user = { platform: "test", id: "lighter" };
    await bot.handleMessage({ user, text: "the dark knight" });
    const lighter = await bot.handleMessage({ user, text: "something lighter" });
    expect(lighter.recommendations[0]!.reasons[0]!.text).toMatch(/^Lighter than .+, as you asked$/);
    expect(
      lighter.recommendations.filter((x) => x.categories.includes("comedy")).length,
    ).toBeGreaterThanOrEqual(3);
    const scary = { platform: "test", id: "scarier" };
    await bot.handleMessage({ user: scary, text: "a family comedy" });
    const scarier = await bot.handleMessage({ user: scary, text: "scarier" });
    expect(scarier.recommendations[0]!.reasons[0]!.text).toMatch(/^Scarier than .+, as you asked$/);
  });

  it("keeps to a runtime bound, using only films whose runtime is known", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "runtime" },
      text: "a thriller under 90 minutes",
    });
    expect(r.recommendations).toHaveLength(5);
    for (const x of r.recommendations) {
      const runtime = bot.ranker.collections!.runtime[bot.catalog.row(x.id)!]!;
      expect(runtime).toBeLessThanOrEqual(90);
    }
  });

  it("answers a question about an item of the last list with its facts", async () => {
    const user = { platform: "test", id: "about" };
    const list = await bot.handleMessage({ user, text: "horror movies" });
    const first = list.recommendations[0]!;
    const about = await bot.handleMessage({ user, text: "what year is the first one from?" });
    expect(about.intent).toBe("about");
    expect(about.recommendations).toHaveLength(0);
    expect(about.text).toContain(`${first.title}: from ${first.year}`);
    const jaws = await bot.handleMessage({ user, text: "who directed jaws?" });
    expect(jaws.text).toMatch(/^Jaws: from 1975; directed by Steven Spielberg/);
    // The plot, read from the items table: the catalog keeps no texts in memory once its indexes are made.
    expect(jaws.text).toContain("When a killer shark unleashes chaos on a beach community");
    expect(bot.catalog.items.every((item) => item.text === "")).toBe(true);
  });

  it("takes people through a title: the director of a film", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "director-of" },
      text: "something by the director of jaws",
    });
    const spielberg = r.recommendations.filter((x) =>
      x.reasons.some((y) => y.code === "directed_by" && /Steven Spielberg/.test(y.text)),
    );
    expect(spielberg.length).toBeGreaterThanOrEqual(3);
    expect(r.recommendations.map((x) => x.title)).not.toContain("Jaws");
  });

  it("names what a similar film shares with the liked one, as the data has it", async () => {
    const attributes = new Map(
      readFileSync("data/catalog/attributes.jsonl", "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const a = JSON.parse(line) as { id: string; tags?: string[]; keywords?: string[] };
          return [
            a.id,
            new Set([...(a.tags ?? []), ...(a.keywords ?? [])].map((t) => t.toLowerCase())),
          ];
        }),
    );
    const r = await bot.handleMessage({
      user: { platform: "test", id: "shared" },
      text: "loved jurassic park as a kid, got anything like it?",
    });
    const jurassicPark = bot.catalog.items.find((x) => x.title === "Jurassic Park")!.id;
    const named = r.recommendations.flatMap((x) =>
      x.reasons
        .filter((y) => y.code === "similar_to")
        .flatMap((y) => {
          const terms = /which you liked: (.+) \(similarity/.exec(y.text)?.[1];
          return terms ? [{ id: x.id, terms: terms.split(", ") }] : [];
        }),
    );
    expect(named.length).toBeGreaterThan(0);
    for (const { id, terms } of named)
      for (const t of terms) {
        expect(attributes.get(id)?.has(t), t).toBe(true);
        expect(attributes.get(jurassicPark)?.has(t), t).toBe(true);
      }
  });

  it("says a span of days cannot be kept when items have only years, and answers the topic", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "this-week" },
      text: "any comedies from this week?",
    });
    expect(r.text).toMatch(/^I can't tell which films are from this week: they carry no dates/);
    expect(r.recommendations.filter((x) => x.categories.includes("comedy")).length).toBeGreaterThan(
      2,
    );
  });
});
