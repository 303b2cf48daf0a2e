import { describe, expect, it } from "vitest";
import { TitleIndex } from "../src/catalog/titles.ts";
import { parseMessage } from "../src/understand/parse.ts";
import {
  applyEvent,
  blendedInterests,
  confidence,
  decayFactor,
  DEFAULT_PROFILE_SETTINGS,
  emptyProfile,
  excludedItems,
  interestScores,
  NO_DECAY_PROFILE_SETTINGS,
  softmax,
  topInterests,
  type ItemLookup,
  type ProfileEvent,
} from "../src/profile/profile.ts";

const items: ItemLookup = {
  vectorOf: (id) =>
    id === "a" ? Float32Array.from([1, 0]) : id === "b" ? Float32Array.from([0, 1]) : undefined,
  interestsOf: (id) =>
    id === "a"
      ? Float32Array.from([1, 0, 0])
      : id === "b"
        ? Float32Array.from([0, 0, 1])
        : undefined,
};
const event = (seq: number, at: number, extra: Partial<ProfileEvent>): ProfileEvent => ({
  seq,
  at,
  kind: "message",
  intent: "recommend",
  signals: [],
  shown: [],
  ...extra,
});

describe("profile math", () => {
  it("halves short-term weight after one half-life and keeps long-term", () => {
    expect(decayFactor(20 * 60_000, 20 * 60_000, 1)).toBeCloseTo(0.5, 6);
    expect(decayFactor(0, 1000, 0.7)).toBeCloseTo(0.7, 6);
  });

  it("confidence is 0 for a flat distribution and 1 for a certain one", () => {
    expect(confidence([1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(0, 6);
    expect(confidence([1, 0, 0])).toBeCloseTo(1, 6);
  });

  it("a newer message outweighs an older one in the short term", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(p, event(1, 0, { interests: [1, 0, 0], embedding: [1, 0] }), items);
    p = applyEvent(p, event(2, 60 * 60_000, { interests: [0, 1, 0], embedding: [0, 1] }), items);
    expect(p.shortTerm[1]).toBeGreaterThan(p.shortTerm[0]! * 5);
    const blend = blendedInterests(p);
    expect(blend[1]).toBeGreaterThan(blend[0]!);
    expect(blend.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("keeps liked, disliked and seen items out of recommendations and moves interests", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(
      p,
      event(1, 10, {
        kind: "feedback",
        signals: [
          { itemId: "a", signal: "like" },
          { itemId: "b", signal: "dislike" },
          { itemId: "c", signal: "seen" },
        ],
      }),
      items,
    );
    expect([...excludedItems(p)].sort()).toEqual(["a", "b", "c"]);
    expect(p.shortTerm[0]).toBeGreaterThan(0);
    expect(p.negative[2]).toBeGreaterThan(0);
    const blend = blendedInterests(p);
    expect(blend[2]).toBeLessThan(blend[1]!);
    expect(blend[0]).toBeGreaterThan(blend[1]!);
    p = applyEvent(
      p,
      event(2, 20, { kind: "feedback", signals: [{ itemId: "b", signal: "like" }] }),
      items,
    );
    expect(p.disliked).not.toContain("b");
    expect(p.liked).toEqual(["a", "b"]);
  });

  it("merges standing constraints and remembers the last list", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(
      p,
      event(1, 1, {
        constraints: { excludeCategories: ["horror"], minYear: 2001 },
        shown: ["x", "y"],
      }),
      items,
    );
    p = applyEvent(p, event(2, 2, { constraints: { includeCategories: ["horror"] } }), items);
    expect(p.constraints).toEqual({
      excludeCategories: [],
      includeCategories: ["horror"],
      minYear: 2001,
    });
    expect(p.lastList).toEqual(["x", "y"]);
    expect(p.focus).toBe("x");
  });

  it("a vague 'newer' holds for its request and the 'more' after it, and lapses at the next request; an explicit year stands", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(
      p,
      event(1, 1, {
        constraints: { minYear: 2010, minYearLapses: true },
        interests: [1, 0, 0],
        embedding: [1, 0],
      }),
      items,
    );
    expect(p.constraints.minYear).toBe(2010);
    p = applyEvent(p, event(2, 2, { interests: [0, 1, 0], embedding: [0, 1] }), items); // "more please": the bot sends no endVagueYear for a follow-up
    expect(p.constraints.minYear).toBe(2010);
    p = applyEvent(
      p,
      event(3, 3, { constraints: { endVagueYear: true }, interests: [0, 1, 0], embedding: [0, 1] }),
      items,
    ); // "what about comedies?"
    expect(p.constraints).toEqual({ excludeCategories: [], includeCategories: [] });
    p = applyEvent(
      p,
      event(4, 4, { constraints: { minYear: 2001 }, interests: [0, 1, 0], embedding: [0, 1] }),
      items,
    ); // "after 2000"
    p = applyEvent(
      p,
      event(5, 5, { constraints: { endVagueYear: true }, interests: [1, 0, 0], embedding: [1, 0] }),
      items,
    );
    expect(p.constraints.minYear).toBe(2001);
    p = applyEvent(p, event(6, 6, { constraints: { minYear: 2010, minYearLapses: true } }), items);
    p = applyEvent(
      p,
      event(7, 7, { constraints: { minYear: 1990 }, interests: [1, 0, 0], embedding: [1, 0] }),
      items,
    ); // "since 1990" replaces the vague one, and stands
    p = applyEvent(
      p,
      event(8, 8, { constraints: { endVagueYear: true }, interests: [1, 0, 0], embedding: [1, 0] }),
      items,
    );
    expect(p.constraints).toEqual({ excludeCategories: [], includeCategories: [], minYear: 1990 });
  });

  it("a year bound past the standing other one replaces it instead of leaving no year at all", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(p, event(1, 1, { constraints: { minYear: 1990, maxYear: 1999 } }), items); // "comedies from the 90s"
    p = applyEvent(p, event(2, 2, { constraints: { minYear: 2010, minYearLapses: true } }), items); // "something newer"
    expect(p.constraints).toEqual({
      excludeCategories: [],
      includeCategories: [],
      minYear: 2010,
      minYearLapses: true,
    });
    p = applyEvent(p, event(3, 3, { constraints: { maxYear: 1979 } }), items); // "before 1980"
    expect(p.constraints).toEqual({ excludeCategories: [], includeCategories: [], maxYear: 1979 });
  });

  it("uses a proper softmax: exp(x_i/τ) / Σ_j exp(x_j/τ)", () => {
    const p = softmax([0, 1], 1);
    expect(p[1]).toBeCloseTo(Math.E / (1 + Math.E), 6);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    // The source article's exp(x_i) / (1 + Σ_{j≠i} exp(x_j)) would give e/2 > 1 here.
    expect(p[1]).toBeLessThan(1);
    const t = softmax([0.2, 0.5, 0.1], 0.1);
    expect(t[1]! / t[0]!).toBeCloseTo(Math.exp(3), 3);
    expect(softmax([1000, 1000])).toEqual(Float32Array.from([0.5, 0.5]));
  });

  it("the interest distribution is the softmax of w_s·Ŝ + w_l·L̂ − w_n·N̂, and empty without evidence", () => {
    expect(Array.from(blendedInterests(emptyProfile(3, 2, 0)))).toEqual([0, 0, 0]);
    expect(topInterests(emptyProfile(3, 2, 0), ["a", "b", "c"])).toEqual([]);
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(
      p,
      event(1, 0, { interests: [0.5, 0.5, 0], embedding: [1, 0], confidence: 1 }),
      items,
    );
    p = applyEvent(
      p,
      event(2, 0, { kind: "feedback", signals: [{ itemId: "b", signal: "dislike" }] }),
      items,
    );
    // Decay scales every label alike and normalisation removes it: Ŝ = L̂ = (0.5, 0.5, 0), N̂ = (0, 0, 1).
    const { scores } = interestScores(p);
    const s = DEFAULT_PROFILE_SETTINGS;
    const expected = [
      (s.shortWeight + s.longWeight) * 0.5,
      (s.shortWeight + s.longWeight) * 0.5,
      -s.negativeWeight,
    ];
    expected.forEach((x, i) => expect(scores[i]).toBeCloseTo(x, 5));
    const blend = blendedInterests(p);
    const z = expected.reduce((a, x) => a + Math.exp(x / s.temperature), 0);
    expected.forEach((x, i) => expect(blend[i]).toBeCloseTo(Math.exp(x / s.temperature) / z, 5));
  });

  it("decays by turns even without time passing", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(
      p,
      event(1, 0, { interests: [1, 0, 0], embedding: [1, 0], confidence: 1 }),
      items,
    );
    p = applyEvent(
      p,
      event(2, 0, { interests: [0, 1, 0], embedding: [0, 1], confidence: 1 }),
      items,
    );
    expect(p.shortTerm[0]).toBeCloseTo(DEFAULT_PROFILE_SETTINGS.shortTurnDecay, 6);
    expect(p.shortTerm[1]).toBeCloseTo(1, 6);
    expect(p.longTerm[0]).toBeCloseTo(
      DEFAULT_PROFILE_SETTINGS.longTurnDecay * DEFAULT_PROFILE_SETTINGS.longTermRate,
      6,
    );
  });

  it("forgets the short term within hours but keeps the long term for weeks", () => {
    let p = emptyProfile(3, 2, 0);
    const day = 24 * 3_600_000;
    p = applyEvent(
      p,
      event(1, 0, { interests: [1, 0, 0], embedding: [1, 0], confidence: 1 }),
      items,
    );
    p = applyEvent(
      p,
      event(2, day, { kind: "feedback", signals: [{ itemId: "c", signal: "seen" }] }),
      items,
    );
    expect(p.shortTerm[0]).toBeLessThan(1e-10);
    // 0.98 per turn and 2^(−1/30) for one day of a 30-day half-life.
    expect(p.longTerm[0]).toBeCloseTo(0.3 * 0.98 * Math.pow(2, -1 / 30), 6);
  });

  it("without decay, old and new evidence count the same (the MovieLens comparison's baseline)", () => {
    const fold = (settings: typeof DEFAULT_PROFILE_SETTINGS) => {
      let p = emptyProfile(3, 2, 0);
      p = applyEvent(
        p,
        event(1, 0, { kind: "feedback", signals: [{ itemId: "a", signal: "like" }] }),
        items,
        settings,
      );
      p = applyEvent(
        p,
        event(2, 90 * 24 * 3_600_000, {
          kind: "feedback",
          signals: [{ itemId: "b", signal: "like" }],
        }),
        items,
        settings,
      );
      return p;
    };
    const flat = fold(NO_DECAY_PROFILE_SETTINGS);
    expect(flat.shortTerm[0]).toBeCloseTo(flat.shortTerm[2]!, 6);
    expect(flat.longTerm[0]).toBeCloseTo(flat.longTerm[2]!, 6);
    const decayed = fold(DEFAULT_PROFILE_SETTINGS);
    expect(decayed.longTerm[2]).toBeGreaterThan(decayed.longTerm[0]! * 4);
    const blend = blendedInterests(decayed);
    expect(blend[2]).toBeGreaterThan(blend[0]!);
  });
});

describe("standing constraints from what people say", () => {
  const titles = new TitleIndex([], new Map(), () => 0);
  const categories = new Set(["horror", "comedy", "drama"]);
  it("reads 'no horror', 'only comedies', 'after 2000' and keeps them across turns until cleared", () => {
    const first = parseMessage("only comedies please, no horror, after 2000", {
      titles,
      categories,
      lastListLength: 0,
    });
    expect(first.constraints).toEqual({
      includeCategories: ["comedy"],
      excludeCategories: ["horror"],
      minYear: 2001,
    });
    expect(
      parseMessage("just something to watch", { titles, categories, lastListLength: 0 }).constraints
        .includeCategories,
    ).toBeUndefined();
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(p, event(1, 0, { constraints: first.constraints }), items);
    p = applyEvent(p, event(2, 3_600_000, { interests: [1, 0, 0], embedding: [1, 0] }), items);
    expect(p.constraints).toEqual({
      includeCategories: ["comedy"],
      excludeCategories: ["horror"],
      minYear: 2001,
    });
    p = applyEvent(
      p,
      event(3, 3_600_001, {
        constraints: parseMessage("any genre", { titles, categories, lastListLength: 0 })
          .constraints,
      }),
      items,
    );
    expect(p.constraints).toEqual({ includeCategories: [], excludeCategories: [] });
  });
});
