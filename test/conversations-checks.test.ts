// The conversation suite's evaluator on hand-made replies (every check kind passes and fails), the
// catalog-TMDB join on known films, and the suite files' validity and split. The suite itself is not run here.
import { describe, expect, it } from "vitest";
import {
  evaluateCheck,
  holds,
  type Check,
  type EvalReply,
  type TurnContext,
} from "../research/eval/conversations-checks.ts";
import { loadMetadata, type FilmMeta } from "../research/eval/conversations-metadata.ts";
import { playConversation, summarise } from "../research/eval/conversations-run.ts";
import { loadPart, parseConversations } from "../research/eval/conversations-suite.ts";

const film = (f: Partial<FilmMeta> & Pick<FilmMeta, "id" | "title">): FilmMeta => ({
  genres: [],
  directors: [],
  stars: [],
  writers: [],
  ...f,
});

const FILMS = [
  film({
    id: "a",
    title: "Alpha",
    year: 2010,
    genres: ["comedy", "family"],
    directors: ["Jane Doe"],
    stars: ["Zoë Star"],
    runtime: 90,
    studios: ["Pixar Animation Studios"],
    keywords: ["dog"],
  }),
  film({ id: "b", title: "Bravo", year: 1985, genres: ["horror"], runtime: 130 }),
  film({
    id: "c",
    title: "Charlie",
    year: 1999,
    genres: ["drama", "thriller"],
    writers: ["Jane Doe"],
  }),
  film({ id: "d", title: "The Seed", year: 2001, directors: ["Jane Doe"], stars: ["Max Actor"] }),
  film({ id: "e", title: "Echo", genres: ["comedy"], runtime: 80 }),
];

const meta = {
  film: (id: string) => FILMS.find((f) => f.id === id),
  byTitle: (title: string, year?: number) =>
    FILMS.filter(
      (f) => f.title.toLowerCase() === title.toLowerCase() && (!year || f.year === year),
    ),
  size: FILMS.length,
  withTmdb: 3,
};

const rec = (id: string, ...reasons: string[]): EvalReply["recommendations"][number] => {
  const f = FILMS.find((x) => x.id === id)!;
  return {
    id,
    title: f.title,
    ...(f.year ? { year: f.year } : {}),
    reasons: reasons.map((text) => ({ code: "interest", text })),
  };
};

function ctx(
  ids: string[],
  opts: {
    text?: string;
    previous?: string[];
    reasons?: Record<string, string[]>;
    profile?: Partial<TurnContext["profile"]>;
  } = {},
): TurnContext {
  return {
    reply: {
      text: opts.text ?? "Here are my picks:",
      recommendations: ids.map((id) => rec(id, ...(opts.reasons?.[id] ?? []))),
    },
    ...(opts.previous ? { previous: opts.previous.map((id) => rec(id)) } : {}),
    profile: { liked: [], disliked: [], seen: [], ...opts.profile },
    meta,
  };
}

const pass = (c: Check, t: TurnContext) => evaluateCheck(c, t).pass;

describe("conversation checks", () => {
  it("predicates read metadata, and unknown values are neither true nor false", () => {
    const [a, b, , , e] = FILMS as [FilmMeta, FilmMeta, FilmMeta, FilmMeta, FilmMeta];
    expect(holds({ is: "year", min: 2005 }, a)).toBe(true);
    expect(holds({ is: "year", max: 1990 }, a)).toBe(false);
    expect(holds({ is: "year", min: 2005 }, e)).toBeUndefined();
    expect(holds({ is: "star", name: "zoe star" }, a)).toBe(true);
    expect(holds({ is: "person", name: "Jane Doe" }, FILMS[2]!)).toBe(true);
    expect(holds({ is: "writer", name: "Jane Doe" }, a)).toBe(false);
    expect(holds({ is: "studio", name: "pixar" }, a)).toBe(true);
    expect(holds({ is: "studio", name: "pixar" }, b)).toBeUndefined();
    expect(holds({ is: "keyword", any: ["dog"] }, a)).toBe(true);
    expect(holds({ is: "title", pattern: "^alp" }, a)).toBe(true);
    expect(holds({ is: "not", of: { is: "genre", any: ["horror"] } }, b)).toBe(false);
    const kidsOrPixar = { is: "anyOf", of: [{ is: "genre", any: ["family"] }] } as const;
    expect(holds(kidsOrPixar, a)).toBe(true);
    expect(
      holds(
        {
          is: "allOf",
          of: [
            { is: "genre", any: ["comedy"] },
            { is: "runtime", max: 85 },
          ],
        },
        e,
      ),
    ).toBe(true);
  });

  it("all / none / atLeast, on the reply and on profile lists", () => {
    const recent = { is: "year", min: 1995 } as const;
    expect(pass({ check: "all", where: recent }, ctx(["a", "c", "e"]))).toBe(true);
    expect(pass({ check: "all", where: recent }, ctx(["a", "b"]))).toBe(false);
    expect(pass({ check: "all", where: recent }, ctx(["e"]))).toBe(false); // nothing known
    expect(pass({ check: "all", where: recent }, ctx([]))).toBe(false);
    const horror = { is: "genre", any: ["horror"] } as const;
    expect(pass({ check: "none", where: horror }, ctx(["a", "c"]))).toBe(true);
    expect(pass({ check: "none", where: horror }, ctx(["a", "b"]))).toBe(false);
    expect(pass({ check: "none", where: horror }, ctx([]))).toBe(false);
    expect(pass({ check: "none", where: horror, of: "liked" }, ctx([]))).toBe(true);
    const jane = { is: "director", name: "Jane Doe" } as const;
    expect(pass({ check: "atLeast", k: 2, where: jane }, ctx(["a", "d", "b"]))).toBe(true);
    expect(pass({ check: "atLeast", k: 2, where: jane }, ctx(["a", "c"]))).toBe(false);
    const seenAlpha = { check: "atLeast", k: 1, where: { is: "title", pattern: "^alpha$" } };
    expect(pass({ ...seenAlpha, of: "seen" } as Check, ctx([], { profile: { seen: ["a"] } }))).toBe(
      true,
    );
    expect(
      pass({ ...seenAlpha, of: "seen" } as Check, ctx([], { profile: { liked: ["a"] } })),
    ).toBe(false);
  });

  it("count", () => {
    expect(pass({ check: "count", min: 2 }, ctx(["a", "b"]))).toBe(true);
    expect(pass({ check: "count", max: 0 }, ctx(["a"]))).toBe(false);
  });

  it("compare means with the previous list, known values only", () => {
    const older = { check: "compare", field: "year", dir: "lower" } as const;
    expect(pass(older, ctx(["b", "c"], { previous: ["a", "d"] }))).toBe(true);
    expect(pass(older, ctx(["a", "d"], { previous: ["b", "c"] }))).toBe(false);
    expect(pass(older, ctx(["b"]))).toBe(false); // no previous list
    const shorter = { check: "compare", field: "runtime", dir: "lower" } as const;
    expect(pass(shorter, ctx(["e", "c"], { previous: ["a", "b"] }))).toBe(true);
    expect(pass(shorter, ctx(["c"], { previous: ["a"] }))).toBe(false); // unknown runtime
    expect(pass({ ...shorter, dir: "higher" }, ctx(["b"], { previous: ["e"] }))).toBe(true);
  });

  it("shift counts matches against the previous list", () => {
    const funnier = {
      check: "shift",
      where: { is: "genre", any: ["comedy"] },
      dir: "more",
    } as const;
    expect(pass(funnier, ctx(["a", "e", "b"], { previous: ["a", "b", "c"] }))).toBe(true);
    expect(pass(funnier, ctx(["b", "c"], { previous: ["a", "b"] }))).toBe(false);
    expect(pass(funnier, ctx(["a", "e"], { previous: ["a", "e"] }))).toBe(true); // all already
    const lessScary = {
      check: "shift",
      where: { is: "genre", any: ["horror"] },
      dir: "fewer",
    } as const;
    expect(pass(lessScary, ctx(["a", "c"], { previous: ["b", "a"] }))).toBe(true);
    expect(pass(lessScary, ctx(["b", "a"], { previous: ["b", "c"] }))).toBe(false);
  });

  it("noRepeat and marked read the previous list by index", () => {
    expect(pass({ check: "noRepeat" }, ctx(["c", "d"], { previous: ["a", "b"] }))).toBe(true);
    expect(pass({ check: "noRepeat" }, ctx(["b", "d"], { previous: ["a", "b"] }))).toBe(false);
    expect(pass({ check: "noRepeat", items: [-1] }, ctx(["a"], { previous: ["a", "b"] }))).toBe(
      true,
    );
    const seenLastTwo = { check: "marked", list: "seen", items: [-2, -1] } as const;
    const previous = ["a", "b", "c"];
    expect(pass(seenLastTwo, ctx(["d"], { previous, profile: { seen: ["b", "c"] } }))).toBe(true);
    expect(pass(seenLastTwo, ctx(["d"], { previous, profile: { seen: ["a", "b"] } }))).toBe(false);
    const likedAll = { check: "marked", list: "liked", items: "all" } as const;
    expect(pass(likedAll, ctx([], { previous, profile: { liked: ["c", "b", "a"] } }))).toBe(true);
    expect(pass(likedAll, ctx([], { previous, profile: { liked: ["a"] } }))).toBe(false);
  });

  it("text and reasons patterns, case-sensitive when asked", () => {
    const title = {
      check: "text",
      pattern: "The Shining",
      in: "either",
      caseSensitive: true,
    } as const;
    expect(pass(title, ctx(["a"], { text: "Taking The Shining as a starting point." }))).toBe(true);
    expect(pass(title, ctx(["a"], { reasons: { a: ['you said "the shining"'] } }))).toBe(false);
    expect(pass(title, ctx(["a"], { reasons: { a: ["similar to The Shining"] } }))).toBe(true);
    const notLinked = { check: "text", pattern: "\\bMoon\\b", in: "text", absent: true } as const;
    expect(
      pass({ ...notLinked, caseSensitive: true }, ctx(["a"], { text: "about the moon" })),
    ).toBe(true);
    expect(pass(notLinked, ctx(["a"], { text: "Taking Moon as a starting point." }))).toBe(false);
    const first = { check: "reasons", pattern: "Jane Doe", which: "first" } as const;
    expect(pass(first, ctx(["a", "b"], { reasons: { a: ["directed by Jane Doe"] } }))).toBe(true);
    expect(pass(first, ctx(["a", "b"], { reasons: { b: ["directed by Jane Doe"] } }))).toBe(false);
    expect(
      pass({ ...first, which: "any" }, ctx(["a", "b"], { reasons: { b: ["Jane Doe"] } })),
    ).toBe(true);
    expect(
      pass({ ...first, which: "all" }, ctx(["a", "b"], { reasons: { b: ["Jane Doe"] } })),
    ).toBe(false);
    expect(pass(first, ctx([]))).toBe(false);
  });

  it("mentionsPrevious names a title or a year of the last list", () => {
    const titleOfFirst = { check: "mentionsPrevious", index: 0, field: "title" } as const;
    expect(pass(titleOfFirst, ctx([], { previous: ["a", "b"], text: "Why Alpha: ..." }))).toBe(
      true,
    );
    expect(pass(titleOfFirst, ctx([], { previous: ["a", "b"], text: "Why Bravo: ..." }))).toBe(
      false,
    );
    const yearOfLast = { check: "mentionsPrevious", index: -1, field: "year" } as const;
    expect(pass(yearOfLast, ctx([], { previous: ["a", "b"], text: "It came out in 1985." }))).toBe(
      true,
    );
    expect(pass(yearOfLast, ctx([], { previous: ["a", "b"], text: "It came out in 2010." }))).toBe(
      false,
    );
  });

  it("sharedPersonNamed: every item sharing a person with the film names one", () => {
    const seed = { check: "sharedPersonNamed", title: "The Seed" } as const;
    const named = { reasons: { a: ["also directed by Jane Doe"], c: ["written by Jane Doe"] } };
    expect(pass(seed, ctx(["a", "c", "b"], named))).toBe(true);
    expect(pass(seed, ctx(["a", "c"], { reasons: { a: ["Jane Doe"] } }))).toBe(false);
    expect(pass(seed, ctx(["b", "e"]))).toBe(false); // nobody shared
    expect(pass({ ...seed, title: "Nowhere" }, ctx(["a"], named))).toBe(false);
  });

  it("popularOrEmpty", () => {
    expect(pass({ check: "popularOrEmpty" }, ctx([]))).toBe(true);
    expect(pass({ check: "popularOrEmpty" }, ctx(["a"], { text: "Popular picks:" }))).toBe(true);
    expect(pass({ check: "popularOrEmpty" }, ctx(["a"], { text: "Here are my picks:" }))).toBe(
      false,
    );
  });
});

describe("the conversation runner (fake bot)", () => {
  it("passes the last shown list and the profile to each turn's checks", async () => {
    const lists = [["a", "b"], [], ["c"]];
    let turn = 0;
    const bot = {
      handleMessage: async () => {
        const ids = lists[turn++]!;
        return { text: "ok", intent: "recommend", recommendations: ids.map((id) => rec(id)) };
      },
      profileOf: async () => ({ liked: [], disliked: [], seen: ["a", "b"] }),
    };
    const [conv] = parseConversations(
      JSON.stringify({
        id: "x-01",
        class: "x",
        turns: [
          { say: "one", checks: [{ check: "count", min: 2 }] },
          { say: "two", checks: [{ check: "marked", list: "seen", items: "all" }] },
          { say: "three", checks: [{ check: "noRepeat" }, { check: "count", min: 5 }] },
        ],
      }),
      "inline",
    );
    const outcome = await playConversation(bot, conv!, meta);
    expect(outcome.turns.map((t) => t.checks.map((c) => c.pass))).toEqual([
      [true],
      [true],
      [true, false],
    ]);
    expect(summarise([outcome]).total).toEqual({
      conversations: 1,
      turns: 3,
      checks: 4,
      passed: 3,
      perfect: 0,
    });
  });
});

describe("the suite files and the metadata join", () => {
  it("both parts parse; every third conversation of a class is held out", () => {
    const working = loadPart("working");
    const heldOut = loadPart("held-out");
    expect(working.length + heldOut.length).toBeGreaterThanOrEqual(150);
    const n = (id: string) => Number(id.slice(-2));
    expect(heldOut.every((c) => n(c.id) % 3 === 0)).toBe(true);
    expect(working.every((c) => n(c.id) % 3 !== 0)).toBe(true);
    expect(new Set([...working, ...heldOut].map((c) => c.id)).size).toBe(
      working.length + heldOut.length,
    );
  });

  it("rejects a mistyped check", () => {
    const bad = { id: "x-01", class: "x", turns: [{ say: "hi", checks: [{ check: "atleast" }] }] };
    expect(() => parseConversations(JSON.stringify(bad), "inline")).toThrow(/inline:1/);
  });

  it("finds runtime and studio of known films through MovieLens links", () => {
    const meta = loadMetadata();
    const spirited = meta.byTitle("Spirited Away")[0]!;
    expect(spirited.runtime).toBe(125);
    expect(spirited.studios).toContain("Studio Ghibli");
    expect(spirited.year).toBe(2001); // the catalog has none: TMDB's release year
    const knight = meta.byTitle("The Dark Knight", 2008)[0]!;
    expect(knight.runtime).toBe(152);
    expect(knight.studios).toEqual(expect.arrayContaining(["Syncopy", "Warner Bros."]));
    expect(knight.directors).toContain("Christopher Nolan");
    expect(knight.genres).toContain("crime");
    expect(meta.withTmdb).toBeGreaterThan(2000);
  });
});
