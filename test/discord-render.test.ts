// Discord's limits hold for any reply: 2,000 characters of content, 10 embeds (6,000 characters together),
// 5 rows of buttons, 100-character custom_ids.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMITS, parseCustomId, renderReply, truncate } from "../adapters/discord/render.ts";
import type { OutgoingReply } from "../src/types.ts";

const text = (maxLength: number) => fc.string({ unit: "binary", maxLength });
const recommendation = fc.record({
  id: fc.oneof(fc.stringMatching(/^\d{1,8}$/), fc.string({ minLength: 1, maxLength: 120 })),
  title: fc.string({ unit: "binary", minLength: 1, maxLength: 400 }),
  year: fc.option(fc.integer({ min: 1900, max: 2030 }), { nil: undefined }),
  categories: fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }),
  score: fc.double({ noNaN: true }),
  reasons: fc.array(fc.record({ code: fc.constant("interest"), text: text(1500) }), {
    maxLength: 4,
  }),
});

describe("Discord rendering", () => {
  it("keeps every reply within Discord's limits", () => {
    fc.assert(
      fc.property(text(5000), fc.array(recommendation, { maxLength: 20 }), (text, recs) => {
        const reply: OutgoingReply = {
          text,
          intent: "recommend",
          recommendations: recs.map((r) => ({ ...r, year: r.year })),
          interests: [{ label: "sci-fi", weight: 0.4 }],
          actions: ["like", "dislike", "seen", "more"],
        };
        const m = renderReply(reply, "123456789012345678");
        expect(m.content.length).toBeLessThanOrEqual(LIMITS.content);
        expect(m.embeds.length).toBeLessThanOrEqual(Math.min(LIMITS.embeds, recs.length));
        expect(
          m.embeds.reduce((n, e) => n + e.title.length + (e.description?.length ?? 0), 0),
        ).toBeLessThanOrEqual(LIMITS.embedTotal);
        for (const e of m.embeds) expect(e.title.length).toBeLessThanOrEqual(LIMITS.embedTitle);
        expect(m.components.length).toBeLessThanOrEqual(LIMITS.rows);
        for (const row of m.components) {
          expect(row.components).toHaveLength(4);
          for (const b of row.components) {
            expect(b.custom_id.length).toBeLessThanOrEqual(LIMITS.customId);
            expect(parseCustomId(b.custom_id)?.ownerId).toBe("123456789012345678");
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("says how many of a long list it shows and cuts long text with an ellipsis", () => {
    const recs = Array.from({ length: 20 }, (_, i) => ({
      id: String(i),
      title: `Film ${i}`,
      categories: [],
      score: 1,
      reasons: [],
    }));
    const m = renderReply(
      {
        text: "Here:",
        intent: "recommend",
        recommendations: recs,
        interests: [],
        actions: ["like"],
      },
      "1",
    );
    expect(m.content).toContain("(showing 10 of 20)");
    expect(m.embeds).toHaveLength(10);
    expect(m.components).toHaveLength(5);
    expect(truncate("a".repeat(3000), 2000)).toMatch(/^a{1999}…$/);
    expect(parseCustomId(m.components[2]!.components[3]!.custom_id)).toEqual({
      action: "more",
      ownerId: "1",
      itemId: "2",
    });
  });
});
