// Block Kit rendering stays inside Slack's limits, trimming politely instead of being refused by Slack.
import { describe, expect, it } from "vitest";
import { clip, parseButtonValue, renderReply, SLACK_LIMITS } from "../adapters/slack/blocks.ts";
import { plainText } from "../adapters/slack/text.ts";
import type { OutgoingReply, Recommendation } from "../src/types.ts";
import { readCards } from "./support/slack-fake.ts";

const rec = (i: number, over: Partial<Recommendation> = {}): Recommendation => ({
  id: String(1000 + i),
  title: `Film <${i}> & friends`,
  year: 1990 + i,
  categories: ["drama"],
  score: 1 - i / 100,
  reasons: [{ code: "interest", text: `matches your interest in drama (${i})` }],
  ...over,
});
const reply = (recommendations: Recommendation[], text = "Here are my picks:"): OutgoingReply => ({
  text,
  intent: "recommend",
  recommendations,
  interests: [
    { label: "drama", weight: 0.6 },
    { label: "comedy", weight: 0.3 },
  ],
  actions: ["like", "dislike", "seen", "more"],
});

type AnyBlock = {
  type: string;
  text?: { text: string };
  elements?: Array<{ value?: string; text?: string | { text: string } }>;
};

describe("Slack Block Kit rendering", () => {
  it("renders a card per item with title, year, reason, escaped text and four buttons", () => {
    const message = renderReply(reply([rec(1), rec(2)]), "U1");
    const cards = readCards(message.blocks);
    expect(cards).toEqual([
      {
        id: "1001",
        title: "Film <1> & friends",
        year: 1991,
        reason: "matches your interest in drama (1)",
        owner: "U1",
        actions: ["chatrec_like", "chatrec_dislike", "chatrec_seen", "chatrec_more"],
      },
      {
        id: "1002",
        title: "Film <2> & friends",
        year: 1992,
        reason: "matches your interest in drama (2)",
        owner: "U1",
        actions: ["chatrec_like", "chatrec_dislike", "chatrec_seen", "chatrec_more"],
      },
    ]);
    expect(JSON.stringify(message.blocks)).toContain("Film &lt;1&gt; &amp; friends");
    expect(message.text).toBe(
      "Here are my picks:\n1. Film <1> & friends (1991)\n2. Film <2> & friends (1992)",
    );
    expect(JSON.stringify(message.blocks.at(-1))).toContain(
      "Your interests: drama 60% · comedy 30%",
    );
  });

  it("keeps a long list under 50 blocks and says how many it shows", () => {
    const message = renderReply(reply(Array.from({ length: 40 }, (_, i) => rec(i))), "U1");
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(readCards(message.blocks)).toHaveLength(23);
    expect(
      renderReply(reply(Array.from({ length: 40 }, (_, i) => rec(i))), "U1", "why ".repeat(2000))
        .blocks.length,
    ).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    expect(JSON.stringify(message.blocks)).toContain("Showing the first 23 of 40");
  });

  it("clips long texts to Slack's per-field limits without breaking escapes", () => {
    const long = rec(1, {
      title: "&".repeat(5000),
      reasons: [{ code: "x", text: "why ".repeat(5000) }],
    });
    const message = renderReply(reply([long], "<".repeat(4000)), "U1");
    for (const block of message.blocks as AnyBlock[]) {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      for (const e of block.elements ?? [])
        if (typeof e.text === "string")
          expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
    }
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
    const card = (message.blocks as AnyBlock[])[1]!.text!.text;
    expect(card).toMatch(/(&amp;)+…$/);
    expect(clip("a&amp;b", 4)).toBe("a…");
  });

  it("drops the buttons of an item whose id cannot fit a button value, keeps the card", () => {
    const message = renderReply(reply([rec(1, { id: "x".repeat(2100) }), rec(2)]), "U1");
    const blocks = message.blocks as AnyBlock[];
    expect(blocks.map((b) => b.type)).toEqual([
      "section",
      "section",
      "section",
      "actions",
      "context",
    ]);
    for (const b of blocks)
      for (const e of b.elements ?? [])
        expect((e.value ?? "").length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
    expect(parseButtonValue(blocks[3]!.elements![0]!.value)).toEqual({ item: "1002", for: "U1" });
    expect(parseButtonValue("{oops")).toBeUndefined();
  });

  it("reads Slack markup as plain text", () => {
    expect(
      plainText("<@UBOT> I loved <https://x.org|Alien> &amp; <#C1|movies> &lt;3 <!here>", "UBOT"),
    ).toBe("I loved Alien & #movies <3");
    expect(plainText("<@U2|ana> likes Heat", "UBOT")).toBe("@ana likes Heat");
  });
});
