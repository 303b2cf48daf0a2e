// The conversation suite's checks: a small typed language over a reply, the list shown before it, the
// person's profile and catalog metadata (never item ids), and its evaluator.
import type { FilmMeta, Metadata } from "./conversations-metadata.ts";

/** A property of one film. Unknown metadata (no runtime, no TMDB record) makes it neither true nor false. */
export type Predicate =
  | { is: "year" | "runtime"; min?: number; max?: number }
  | { is: "genre"; any: readonly string[] }
  | { is: "director" | "star" | "writer" | "person"; name: string }
  /** A TMDB production company whose name contains `name`. */
  | { is: "studio"; name: string }
  | { is: "keyword"; any: readonly string[] }
  /** A regular expression on the title, case-insensitive. */
  | { is: "title"; pattern: string }
  | { is: "anyOf" | "allOf"; of: readonly Predicate[] }
  | { is: "not"; of: Predicate };

/** The reply's recommendations, or one of the person's profile lists after the turn. */
export type ItemList = "reply" | "liked" | "disliked" | "seen";

/** "previous" is the last non-empty list shown before this turn. Negative indexes count from its end. */
export type Check =
  /** List checks skip items whose metadata is unknown; an empty reply list fails them. */
  | { check: "all" | "none"; where: Predicate; of?: ItemList }
  | { check: "atLeast"; k: number; where: Predicate; of?: ItemList }
  | { check: "count"; min?: number; max?: number }
  /** Mean year or runtime of the reply's list against the previous list's (older, shorter ...). */
  | { check: "compare"; field: "year" | "runtime"; dir: "lower" | "higher" }
  /** More (or fewer) items matching than the previous list; all (or none) of them also passes. */
  | { check: "shift"; where: Predicate; dir: "more" | "fewer" }
  /** None of the previous list's items (all, or those at `items`) appears again. */
  | { check: "noRepeat"; items?: readonly number[] }
  /** The previous list's items (all, or those at `items`) are in the profile's list. */
  | { check: "marked"; list: "liked" | "disliked" | "seen"; items: "all" | readonly number[] }
  | {
      check: "text";
      pattern: string;
      in: "text" | "reasons" | "either";
      absent?: boolean;
      caseSensitive?: boolean;
    }
  | { check: "reasons"; pattern: string; which: "first" | "any" | "all"; caseSensitive?: boolean }
  /** The reply's text or reasons name the previous list's item at `index` (its title or year). */
  | { check: "mentionsPrevious"; index: number; field: "title" | "year" }
  /** Every recommendation sharing a director, star or writer with the film `title` names one of them in its reasons (one at least must share). */
  | { check: "sharedPersonNamed"; title: string; year?: number }
  /** No recommendations, or the text says they are popular picks rather than personal ones. */
  | { check: "popularOrEmpty" };

/** The parts of the bot's OutgoingReply the checks read. */
export interface EvalReply {
  text: string;
  recommendations: Array<{
    id: string;
    title: string;
    year?: number;
    reasons: Array<{ code: string; text: string }>;
  }>;
}

export interface TurnContext {
  reply: EvalReply;
  previous?: EvalReply["recommendations"];
  profile: { liked: string[]; disliked: string[]; seen: string[] };
  meta: Metadata;
}

export interface CheckResult {
  pass: boolean;
  detail: string;
}

type Truth = boolean | undefined;

const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

const inRange = (v: number | undefined, p: { min?: number; max?: number }): Truth =>
  v === undefined
    ? undefined
    : (p.min === undefined || v >= p.min) && (p.max === undefined || v <= p.max);

const hasName = (people: string[], name: string) => people.some((x) => fold(x) === fold(name));

export function holds(p: Predicate, f: FilmMeta): Truth {
  switch (p.is) {
    case "year":
      return inRange(f.year, p);
    case "runtime":
      return inRange(f.runtime, p);
    case "genre":
      return p.any.some((g) => f.genres.includes(fold(g)));
    case "director":
      return hasName(f.directors, p.name);
    case "star":
      return hasName(f.stars, p.name);
    case "writer":
      return hasName(f.writers, p.name);
    case "person":
      return hasName([...f.directors, ...f.stars, ...f.writers], p.name);
    case "studio":
      return f.studios?.some((s) => fold(s).includes(fold(p.name)));
    case "keyword":
      return f.keywords?.some((k) => p.any.some((x) => fold(x) === fold(k)));
    case "title":
      return new RegExp(p.pattern, "iu").test(f.title);
    case "anyOf": {
      const values = p.of.map((q) => holds(q, f));
      return values.includes(true) ? true : values.includes(undefined) ? undefined : false;
    }
    case "allOf": {
      const values = p.of.map((q) => holds(q, f));
      return values.includes(false) ? false : values.includes(undefined) ? undefined : true;
    }
    case "not": {
      const v = holds(p.of, f);
      return v === undefined ? undefined : !v;
    }
  }
}

const label = (f: FilmMeta) => (f.year ? `${f.title} (${f.year})` : f.title);
const ok = (pass: boolean, detail: string): CheckResult => ({ pass, detail });

function filmsOf(ids: string[], ctx: TurnContext): FilmMeta[] {
  return ids.map((id) => {
    const known = ctx.meta.film(id);
    if (known) return known;
    const rec = ctx.reply.recommendations.find((r) => r.id === id);
    return { id, title: rec?.title ?? id, genres: [], directors: [], stars: [], writers: [] };
  });
}

function listIds(of: ItemList, ctx: TurnContext): string[] {
  return of === "reply" ? ctx.reply.recommendations.map((r) => r.id) : ctx.profile[of];
}

/** Indexes of the previous list (negative from its end), or all of it. */
function pick<T>(list: T[], items: "all" | readonly number[] | undefined): Array<T | undefined> {
  if (items === undefined || items === "all") return list;
  return items.map((i) => list[i < 0 ? list.length + i : i]);
}

const mean = (xs: Array<number | undefined>) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function listCheck(
  c: Extract<Check, { check: "all" | "none" | "atLeast" }>,
  ctx: TurnContext,
): CheckResult {
  const of = c.of ?? "reply";
  const films = filmsOf(listIds(of, ctx), ctx);
  const values = films.map((f) => holds(c.where, f));
  const matching = films.filter((_, i) => values[i] === true);
  const failing = films.filter((_, i) => values[i] === false);
  const unknown = values.filter((v) => v === undefined).length;
  const where = JSON.stringify(c.where);
  if (c.check === "atLeast")
    return ok(
      matching.length >= c.k,
      `${matching.length} of ${films.length} ${of} items ${where} (needs ${c.k})`,
    );
  if (films.length === 0 && (of === "reply" || c.check === "all"))
    return ok(false, `no ${of} items`);
  if (c.check === "none")
    return ok(
      matching.length === 0,
      matching.length ? `${where}: ${matching.map(label).join(", ")}` : `none of ${films.length}`,
    );
  if (failing.length) return ok(false, `not ${where}: ${failing.map(label).join(", ")}`);
  if (matching.length === 0) return ok(false, `${where} unknown for all ${films.length} items`);
  return ok(true, `all ${matching.length} known items${unknown ? ` (${unknown} unknown)` : ""}`);
}

function withPrevious(
  ctx: TurnContext,
  f: (previous: NonNullable<TurnContext["previous"]>) => CheckResult,
): CheckResult {
  return ctx.previous?.length ? f(ctx.previous) : ok(false, "no list was shown before this turn");
}

export function evaluateCheck(c: Check, ctx: TurnContext): CheckResult {
  const recs = ctx.reply.recommendations;
  const reasonTexts = (r: EvalReply["recommendations"][number]) => r.reasons.map((x) => x.text);
  switch (c.check) {
    case "all":
    case "none":
    case "atLeast":
      return listCheck(c, ctx);
    case "count":
      return ok(
        (c.min === undefined || recs.length >= c.min) &&
          (c.max === undefined || recs.length <= c.max),
        `${recs.length} recommendations`,
      );
    case "compare":
      return withPrevious(ctx, (previous) => {
        const field = (ids: string[]) => mean(filmsOf(ids, ctx).map((f) => f[c.field]));
        const now = field(recs.map((r) => r.id));
        const before = field(previous.map((r) => r.id));
        const detail = `mean ${c.field} ${now?.toFixed(1) ?? "unknown"} vs ${before?.toFixed(1) ?? "unknown"} before`;
        if (now === undefined || before === undefined) return ok(false, detail);
        return ok(c.dir === "lower" ? now < before : now > before, detail);
      });
    case "shift":
      return withPrevious(ctx, (previous) => {
        const count = (ids: string[]) =>
          filmsOf(ids, ctx).filter((f) => holds(c.where, f) === true).length;
        const now = count(recs.map((r) => r.id));
        const before = count(previous.map((r) => r.id));
        const detail = `${now} of ${recs.length} vs ${before} of ${previous.length} before`;
        if (recs.length === 0) return ok(false, "no recommendations");
        if (c.dir === "more") return ok(now > before || now === recs.length, detail);
        return ok(now < before || now === 0, detail);
      });
    case "noRepeat":
      return withPrevious(ctx, (previous) => {
        if (recs.length === 0) return ok(false, "no recommendations");
        const banned = new Set(pick(previous, c.items).map((r) => r?.id));
        const again = recs.filter((r) => banned.has(r.id)).map((r) => r.title);
        return ok(again.length === 0, again.length ? `again: ${again.join(", ")}` : "no repeats");
      });
    case "marked":
      return withPrevious(ctx, (previous) => {
        const list = new Set(ctx.profile[c.list]);
        const missing = pick(previous, c.items).filter((r) => !r || !list.has(r.id));
        return ok(
          missing.length === 0,
          missing.length
            ? `not ${c.list}: ${missing.map((r) => r?.title ?? "(no such item)").join(", ")}`
            : `all ${c.list}`,
        );
      });
    case "text": {
      const re = new RegExp(c.pattern, c.caseSensitive ? "u" : "iu");
      const parts = [
        ...(c.in !== "reasons" ? [ctx.reply.text] : []),
        ...(c.in !== "text" ? recs.flatMap(reasonTexts) : []),
      ];
      const found = parts.some((p) => re.test(p));
      return ok(found !== (c.absent ?? false), `${found ? "found" : "not found"} in ${c.in}`);
    }
    case "reasons": {
      if (recs.length === 0) return ok(false, "no recommendations");
      const re = new RegExp(c.pattern, c.caseSensitive ? "u" : "iu");
      const named = (r: (typeof recs)[number]) => reasonTexts(r).some((t) => re.test(t));
      const pass =
        c.which === "first"
          ? named(recs[0]!)
          : c.which === "any"
            ? recs.some(named)
            : recs.every(named);
      return ok(
        pass,
        `${recs.filter(named).length} of ${recs.length} name it; first: ${reasonTexts(recs[0]!).join(" | ")}`,
      );
    }
    case "mentionsPrevious":
      return withPrevious(ctx, (previous) => {
        const item = pick(previous, [c.index])[0];
        if (!item) return ok(false, `the previous list has no item ${c.index}`);
        const year = ctx.meta.film(item.id)?.year ?? item.year;
        if (c.field === "year" && year === undefined)
          return ok(false, `${item.title}: year unknown`);
        const re =
          c.field === "title" ? new RegExp(escape(item.title), "iu") : new RegExp(`\\b${year}\\b`);
        const found = [ctx.reply.text, ...recs.flatMap(reasonTexts)].some((t) => re.test(t));
        return ok(found, `${found ? "names" : "does not name"} ${c.field} of ${item.title}`);
      });
    case "sharedPersonNamed":
      return sharedPersonNamed(c, ctx);
    case "popularOrEmpty": {
      const labelled = /popular|trending|crowd.?pleas|well.?liked|most.?watched/i.test(
        ctx.reply.text,
      );
      return ok(
        recs.length === 0 || labelled,
        `${recs.length} recommendations, ${labelled ? "" : "not "}labelled popular`,
      );
    }
  }
}

function sharedPersonNamed(
  c: Extract<Check, { check: "sharedPersonNamed" }>,
  ctx: TurnContext,
): CheckResult {
  const seeds = ctx.meta.byTitle(c.title, c.year);
  if (seeds.length === 0) return ok(false, `no film titled ${c.title} in the metadata`);
  const seedIds = new Set(seeds.map((f) => f.id));
  const people = new Set(
    seeds.flatMap((f) => [...f.directors, ...f.stars, ...f.writers]).map(fold),
  );
  const sharing = ctx.reply.recommendations.flatMap((r) => {
    const film = ctx.meta.film(r.id);
    if (!film || seedIds.has(r.id)) return [];
    const shared = [...film.directors, ...film.stars, ...film.writers].filter((p) =>
      people.has(fold(p)),
    );
    return shared.length ? [{ r, shared }] : [];
  });
  if (sharing.length === 0) return ok(false, `no recommendation shares a person with ${c.title}`);
  const silent = sharing.filter(
    ({ r, shared }) => !r.reasons.some((x) => shared.some((p) => fold(x.text).includes(fold(p)))),
  );
  return ok(
    silent.length === 0,
    `${sharing.length - silent.length} of ${sharing.length} sharing items name the person${
      silent.length
        ? `; silent: ${silent.map(({ r, shared }) => `${r.title} (${shared.join(", ")})`).join("; ")}`
        : ""
    }`,
  );
}
