import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Replay } from "../src/replay.ts";
import { loadConfig } from "../src/config.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-bot-"));
let bot: Replay;
const user = { platform: "test", id: "ana" };

beforeAll(async () => {
  bot = await Replay.open(loadConfig({}, { dataDir: dir, commitIntervalMs: 2 }));
});
afterAll(async () => {
  await bot.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a conversation on the demo catalog (real model, real LanceDB)", () => {
  it("gives sci-fi/action picks, no horror, never the mentioned movies, each with a reason", async () => {
    const r = await bot.handleMessage({
      user,
      text: "I loved Inception and The Matrix, something like those but no horror",
    });
    expect(r.recommendations).toHaveLength(5);
    for (const rec of r.recommendations) {
      expect(rec.categories).not.toContain("horror");
      expect(["Inception", "The Matrix"]).not.toContain(rec.title);
      expect(rec.reasons.length).toBeGreaterThan(0);
    }
    expect(
      r.recommendations.filter((x) => x.categories.some((c) => c === "sci-fi" || c === "action"))
        .length,
    ).toBeGreaterThanOrEqual(4);
    expect(r.interests.slice(0, 3).map((i) => i.label)).toEqual(expect.arrayContaining(["sci-fi"]));
  });

  it("handles follow-ups against the last list", async () => {
    const before = await bot.handleMessage({ user, text: "more like the second one" });
    expect(before.intent).toBe("critique");
    const first = before.recommendations[0]!.id;
    const rejected = await bot.handleMessage({ user, text: "not that one" });
    expect(rejected.intent).toBe("feedback");
    expect(rejected.recommendations.map((x) => x.id)).not.toContain(first);
    const seenTop = rejected.recommendations[0]!;
    const seen = await bot.handleMessage({ user, text: "I've seen it" });
    expect(seen.text).toContain(seenTop.title);
    expect(seen.recommendations.map((x) => x.id)).not.toContain(seenTop.id);
    const why = await bot.handleMessage({ user, text: "why?" });
    expect(why.intent).toBe("explain");
    expect(why.text).toContain(seen.recommendations[0]!.title);
    const profile = await bot.handleMessage({ user, text: "what do you think I like?" });
    expect(profile.text).toMatch(/sci-fi|action/);
    expect(profile.text).toContain("horror");
  });

  it("follows what a person asks for by name, and the people they name", async () => {
    const scary = await bot.handleMessage({
      user: { platform: "test", id: "cat" },
      text: "something scary please",
    });
    expect(scary.interests[0]!.label).toBe("horror");
    expect(
      scary.recommendations.filter((x) => x.categories.includes("horror")).length,
    ).toBeGreaterThanOrEqual(4);
    const kids = await bot.handleMessage({
      user: { platform: "test", id: "dan" },
      text: "any good animated movies for the kids?",
    });
    expect(
      kids.recommendations.filter((x) => x.categories.includes("animation")).length,
    ).toBeGreaterThanOrEqual(4);
    // "Kids movies" asks for family films, and animated ones count (IMDb's three genres left Toy Story without "family").
    const family = await bot.handleMessage({
      user: { platform: "test", id: "dee" },
      text: "Hi I am looking for good kids movies.",
    });
    expect(
      family.recommendations.filter((x) => x.categories.includes("animation")).length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      family.recommendations.every(
        (x) => x.categories.includes("animation") || x.categories.includes("family"),
      ),
    ).toBe(true);
    const keanu = await bot.handleMessage({
      user: { platform: "test", id: "eve" },
      text: "anything with Keanu Reeves",
    });
    const withKeanu = keanu.recommendations.filter((x) =>
      (bot.catalog.item(x.id)?.extra.stars as string[] | undefined)?.includes("Keanu Reeves"),
    );
    expect(withKeanu.length).toBeGreaterThanOrEqual(3);
    expect((await bot.exportOf({ platform: "test", id: "eve" }))!.profile.people).toEqual([
      "keanu reeves",
    ]);
  });

  it("follows a category asked for mid-conversation, over the taste built so far and an earlier 'no ...'", async () => {
    const fan = { platform: "test", id: "fay" };
    await bot.handleMessage({
      user: fan,
      text: "I loved Inception and The Matrix, something like those but no horror",
    });
    const kids = await bot.handleMessage({
      user: fan,
      text: "any good animated movies for the kids?",
    });
    expect(
      kids.recommendations.filter((x) => x.categories.includes("animation")).length,
    ).toBeGreaterThanOrEqual(3);
    const scary = await bot.handleMessage({ user: fan, text: "something scary please" });
    expect(scary.text).toContain("Horror allowed again");
    expect(
      scary.recommendations.filter((x) => x.categories.includes("horror")).length,
    ).toBeGreaterThanOrEqual(2);
    expect((await bot.profileOf(fan))!.constraints.excludeCategories).not.toContain("horror");
  });

  it("reads 'I don't like horror' as no horror, and quotes the request without the cut words", async () => {
    const person = { platform: "test", id: "hal" };
    const reply = await bot.handleMessage({
      user: person,
      text: "I don't like horror movies, any good comedies?",
    });
    expect(reply.text).toContain("No horror");
    expect(reply.recommendations.some((x) => x.categories.includes("horror"))).toBe(false);
    expect(
      reply.recommendations.filter((x) => x.categories.includes("comedy")).length,
    ).toBeGreaterThanOrEqual(4);
    const quotes = reply.recommendations
      .flatMap((x) => x.reasons)
      .filter((r) => r.code === "phrase")
      .map((r) => /"(.*)"/.exec(r.text)![1]!);
    expect(quotes.length).toBeGreaterThan(0);
    for (const q of quotes) expect(q).toBe("any good comedies?");
  });

  it("brings new picks when asked again: what was shown falls behind fresh items that fit", async () => {
    const again = { platform: "test", id: "gil" };
    const first = (
      await bot.handleMessage({ user: again, text: "I loved Inception and The Matrix" })
    ).recommendations.map((x) => x.id);
    const second = (await bot.handleMessage({ user: again, text: "any other ideas?" }))
      .recommendations;
    const third = (await bot.handleMessage({ user: again, text: "more please" })).recommendations;
    expect(second).toHaveLength(5);
    expect(second.filter((x) => first.includes(x.id))).toEqual([]);
    expect(third.filter((x) => first.includes(x.id) || second.some((y) => y.id === x.id))).toEqual(
      [],
    );
    // Still about the same taste: mostly sci-fi or action.
    expect(
      [...second, ...third].filter((x) =>
        x.categories.some((c) => c === "sci-fi" || c === "action"),
      ).length,
    ).toBeGreaterThanOrEqual(7);
  });

  it("keeps a vague 'newer' for that request and its 'more', not for the next request", async () => {
    const hal = { platform: "test", id: "hal" };
    const yearsOf = (recs: Array<{ id: string }>) => recs.map((x) => bot.catalog.item(x.id)!.year);
    const newer = await bot.handleMessage({
      user: hal,
      text: "can you suggest some newer comedies?",
    });
    expect(newer.recommendations).toHaveLength(5);
    for (const year of yearsOf(newer.recommendations)) expect(year).toBeGreaterThanOrEqual(2010);
    const more = await bot.handleMessage({ user: hal, text: "more please" });
    for (const year of yearsOf(more.recommendations)) expect(year).toBeGreaterThanOrEqual(2010);
    const next = await bot.handleMessage({
      user: hal,
      text: "now a gangster drama like the ones from the seventies",
    });
    // The seventies asked for now, not the vague "newer" of the earlier request.
    expect((await bot.profileOf(hal))!.constraints).toMatchObject({ minYear: 1970, maxYear: 1979 });
    expect(yearsOf(next.recommendations).some((year) => year !== undefined && year < 2010)).toBe(
      true,
    );
  });

  it("says it knows films, not TV series, when asked about a show", async () => {
    const user = { platform: "test", id: "tv" };
    const show = await bot.handleMessage({
      user,
      text: "my favourite show is the office, anything like it?",
    });
    expect(show.text).toMatch(
      /^I only know films, not TV series: these films are in that spirit\./,
    );
    expect(show.recommendations).toHaveLength(5);
    const series = await bot.handleMessage({ user, text: "any good tv series like breaking bad?" });
    expect(series.text).toMatch(/^Sorry, I only know films, not TV series\./);
  });

  it("counts a redelivered message once and forgets for real", async () => {
    const other = { platform: "test", id: "ben" };
    await bot.handleMessage({ user: other, text: "I love romantic comedies", messageId: "m-1" });
    await bot.handleMessage({ user: other, text: "I love romantic comedies", messageId: "m-1" });
    expect((await bot.exportOf(other))?.events).toHaveLength(1);
    expect(await bot.forget(other)).toBe(true);
    expect(await bot.exportOf(other)).toBeUndefined();
    expect(await bot.profileOf(other)).toBeUndefined();
  });
});
