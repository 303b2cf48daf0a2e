// A person asked for by name: their films lead the list, and each says how it is linked to them.
import { describe, expect, it } from "vitest";
import type { Replay } from "../src/replay.ts";
import { useDemoBot } from "./support/demo-bot.ts";

let bot: Replay;
useDemoBot("people", (b) => (bot = b));

const extra = (id: string, field: string) =>
  (bot.catalog.item(id)?.extra[field] as string[] | undefined) ?? [];

describe("people asked for by name (real model, real LanceDB)", () => {
  it("puts a director's films first and names the director in their reasons", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "p1" },
      text: "got any films directed by steven spielberg?",
    });
    const his = r.recommendations.filter((x) =>
      extra(x.id, "directors").includes("Steven Spielberg"),
    );
    expect(his.length).toBeGreaterThanOrEqual(4);
    expect(r.recommendations[0]!.reasons[0]).toEqual({
      code: "directed_by",
      text: "Directed by Steven Spielberg, as you asked",
    });
  });

  it("asks for the people of the film last named: 'what else did that director make?'", async () => {
    const user = { platform: "test", id: "that-director" };
    await bot.handleMessage({ user, text: "I loved Heat" });
    const r = await bot.handleMessage({ user, text: "what else did that director make?" });
    const his = r.recommendations.filter((x) => extra(x.id, "directors").includes("Michael Mann"));
    expect(his.length).toBeGreaterThanOrEqual(3);
    expect(r.recommendations.map((x) => x.title)).not.toContain("Heat");
  });

  it("keeps a decade asked for after the person's name", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "p3" },
      text: "anything starring tom hanks from the 90s?",
    });
    expect(r.recommendations.length).toBeGreaterThan(0);
    for (const x of r.recommendations) expect(x.year).toBeGreaterThanOrEqual(1990);
    for (const x of r.recommendations) expect(x.year).toBeLessThanOrEqual(1999);
    expect(extra(r.recommendations[0]!.id, "stars")).toContain("Tom Hanks");
  });

  it("says 'Stars' for an actor", async () => {
    const r = await bot.handleMessage({
      user: { platform: "test", id: "p2" },
      text: "in the mood for something starring julia roberts",
    });
    const first = r.recommendations[0]!;
    expect(extra(first.id, "stars")).toContain("Julia Roberts");
    expect(first.reasons[0]?.text).toBe("Stars Julia Roberts, as you asked");
  });
});
