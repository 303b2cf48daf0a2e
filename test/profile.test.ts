import { describe, expect, it } from "vitest";
import { applyEvent, blendedInterests, confidence, decayFactor, emptyProfile, excludedItems, type ItemLookup, type ProfileEvent } from "../src/profile/profile.ts";

const items: ItemLookup = {
  vectorOf: (id) => (id === "a" ? Float32Array.from([1, 0]) : id === "b" ? Float32Array.from([0, 1]) : undefined),
  interestsOf: (id) => (id === "a" ? Float32Array.from([1, 0, 0]) : id === "b" ? Float32Array.from([0, 0, 1]) : undefined),
};
const event = (seq: number, at: number, extra: Partial<ProfileEvent>): ProfileEvent => ({ seq, at, kind: "message", intent: "recommend", signals: [], shown: [], ...extra });

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
    p = applyEvent(p, event(1, 10, { kind: "feedback", signals: [{ itemId: "a", signal: "like" }, { itemId: "b", signal: "dislike" }, { itemId: "c", signal: "seen" }] }), items);
    expect([...excludedItems(p)].sort()).toEqual(["a", "b", "c"]);
    expect(p.shortTerm[0]).toBeGreaterThan(0);
    expect(p.negative[2]).toBeGreaterThan(0);
    expect(blendedInterests(p)[2]).toBe(0);
    p = applyEvent(p, event(2, 20, { kind: "feedback", signals: [{ itemId: "b", signal: "like" }] }), items);
    expect(p.disliked).not.toContain("b");
    expect(p.liked).toEqual(["a", "b"]);
  });

  it("merges standing constraints and remembers the last list", () => {
    let p = emptyProfile(3, 2, 0);
    p = applyEvent(p, event(1, 1, { constraints: { excludeCategories: ["horror"], minYear: 2001 }, shown: ["x", "y"] }), items);
    p = applyEvent(p, event(2, 2, { constraints: { includeCategories: ["horror"] } }), items);
    expect(p.constraints).toEqual({ excludeCategories: [], includeCategories: ["horror"], minYear: 2001 });
    expect(p.lastList).toEqual(["x", "y"]);
    expect(p.focus).toBe("x");
  });
});
