// Grounded reasons from the ranking features: each names the data it comes from and how strong it is.
import type { Catalog } from "../catalog/catalog.ts";
import { cellParts, normalizeText } from "../catalog/normalize.ts";
import { blendedInterests, type Profile } from "../profile/profile.ts";
import type { Attributes } from "../recommend/attributes.ts";
import type { RankedItem } from "../recommend/rank.ts";
import type { Wording } from "../catalog/wording.ts";
import { PHRASE_LEAD, reasonText } from "../messages.ts";
import type { Reason } from "../types.ts";
import { dot } from "../util/vec.ts";

const pct = (x: number) => `${Math.round(x * 100)}%`;
/** A reason names at most this many matched tags and this many keywords. */
const MAX_ATTRIBUTES = 3;

/** The catalog fields naming an item's people, and the reason code of a person asked for in each. */
const PERSON_ROLES = [
  ["directors", "directed_by"],
  ["stars", "stars"],
  ["authors", "written_by"],
  ["writers", "written_by"],
] as const;

/** A name stored in lower case ("leo tolstoy") as a person writes it ("Leo Tolstoy"); kept if cased. */
function nameCase(name: string): string {
  return name === name.toLowerCase()
    ? name.replace(/(^|[\s.'-])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase())
    : name;
}

/** The names in a people field (an array, or "A, B" in a CSV cell), as the catalog spells them. */
function namesIn(v: string | string[] | number | undefined): string[] {
  return Array.isArray(v) ? v : typeof v === "string" ? cellParts(v) : [];
}

const PRONOUN = "i|i'?m|i am|we|we'?re|we are";
/** A fragment the parser's cuts can leave alone between commas ("I , more into comedies" after "not into horror"). */
const LEFTOVER = new RegExp(
  `^(?:${PRONOUN}|something|anything|please|but|and|so|or|ok|okay|well|yes|no)$`,
  "i",
);
/** A pronoun the cuts leave at a fragment's end ("... fantasy movies I am" of "I am not big on horror"). */
const TRAILING_PRONOUN = new RegExp(`\\s+(?:${PRONOUN})$`, "i");

/**
 * The words the message similarity was computed on, as a person would read them: taking out titles and
 * turned-down categories ("I don't like horror movies, any good comedies?") leaves stray commas and lone
 * pronouns ("I , any good comedies?"), which a quote should not show.
 */
export function quotable(residual: string): string {
  const parts = residual.split(/([,.;:!?]+)/); // words and the punctuation after them, in turn
  let out = "";
  for (let i = 0; i < parts.length; i += 2) {
    const words = parts[i]!.trim().replace(TRAILING_PRONOUN, "");
    if (!words || LEFTOVER.test(words)) continue;
    out += `${out ? " " : ""}${words}${parts[i + 1] ?? ""}`;
  }
  return out
    .replace(/[,;:]+$/, "")
    .replace(/\s+(?:but|and|or|so)$/i, "")
    .trim();
}

export function reasonsFor(
  catalog: Catalog,
  ranked: RankedItem,
  profile: Profile,
  phrase?: string,
  /** People the message asked for by name (name keys): the item's link to them leads its reasons. */
  people: readonly string[] = [],
  /** What this message itself asked for: categories by name, and whether it set a year bound. */
  {
    requested = [],
    yearsAsked = false,
    anchors = [],
    attributes,
  }: {
    requested?: readonly string[];
    yearsAsked?: boolean;
    /** The films a "more like ..." asked for: the closest one is cited. */
    anchors?: readonly string[];
    /** Tags and keywords, to name what a similar film shares ("dinosaur, island"). */
    attributes?: Pick<Attributes, "shared">;
  } = {},
): Reason[] {
  const item = catalog.items[ranked.row]!;
  const f = ranked.features;
  const reasons: Array<Reason & { strength: number }> = [];
  const asked = new Set(people);
  const said = new Set<string>(); // a director who also wrote it is named once
  for (const [field, code] of PERSON_ROLES) {
    const name = namesIn(item.extra[field]).find(
      (n) => asked.has(normalizeText(n)) && !said.has(normalizeText(n)),
    );
    if (!name) continue;
    said.add(normalizeText(name));
    reasons.push({ code, text: reasonText[code](name), strength: 2 });
  }
  // A catalog whose categories are its authors ("leo tolstoy, louise maude"): the author asked for.
  for (const part of item.categories.flatMap(cellParts)) {
    const key = normalizeText(part);
    if (!part.includes(" ") || !asked.has(key) || said.has(key)) continue;
    said.add(key);
    reasons.push({ code: "written_by", text: reasonText.written_by(nameCase(part)), strength: 2 });
  }
  if (ranked.critique) {
    reasons.push({
      code: "critique",
      text: reasonText.critique(ranked.critique),
      strength: 2,
    });
  }
  if (ranked.collection)
    reasons.push({
      code: "from_collection",
      text: reasonText.from_collection(ranked.collection),
      strength: 2,
    });
  if (ranked.attributes)
    reasons.push({
      code: "attributes",
      text: reasonText.attributes(
        ranked.attributes.tags.slice(0, MAX_ATTRIBUTES),
        ranked.attributes.keywords.slice(0, MAX_ATTRIBUTES),
      ),
      strength: 1.9,
    });
  const sharedWith = (id: string) => {
    const other = catalog.row(id);
    return other === undefined || !attributes ? [] : attributes.shared(ranked.row, other);
  };
  const like = closestAnchor(catalog, ranked.row, anchors);
  if (like)
    reasons.push({
      code: "more_like",
      text: reasonText.more_like(like.title, like.similarity.toFixed(2), sharedWith(like.id)),
      strength: 1.2,
    });
  const shared = sharedPerson(catalog, item, profile, asked);
  if (shared)
    reasons.push({
      code: "shares_person",
      text: reasonText.shares_person(shared.role, shared.name, shared.title),
      strength: 0.95,
    });
  if (f.likedItemId && f.liked > 0.5) {
    const liked = catalog.item(f.likedItemId);
    if (liked)
      reasons.push({
        code: "similar_to",
        text: reasonText.similar_to(liked.title, f.liked.toFixed(2), sharedWith(liked.id)),
        strength: f.liked,
      });
  }
  if (f.neighbourOfId && (f.neighbourCount ?? 0) >= 2) {
    const seed = catalog.item(f.neighbourOfId);
    // Count of training conversations, not people: say what it is.
    if (seed)
      reasons.push({
        code: "mentioned_with",
        text: reasonText.mentioned_with(seed.title, f.neighbourCount!, catalog.wording),
        strength: Math.min(0.9, 0.3 + 0.1 * f.neighbourCount!),
      });
  }
  const quote = phrase && !contradicts(item, requested, profile) ? quotable(phrase) : "";
  if (quote && f.message > 0.4)
    reasons.push({
      code: "phrase",
      text: reasonText.phrase(quote, f.message.toFixed(2)),
      strength: f.message,
    });
  const interests = blendedInterests(profile);
  const itemInterests = catalog.interestRow(ranked.row);
  let bestLabel = -1;
  let bestValue = 0;
  for (let l = 0; l < interests.length; l++) {
    const v = interests[l]! * itemInterests[l]!;
    if (v > bestValue && item.categories.includes(catalog.labels[l]!)) {
      bestValue = v;
      bestLabel = l;
    }
  }
  // An interest the person barely shows ("0% of your profile") is no reason.
  if (bestLabel >= 0 && interests[bestLabel]! >= 0.05)
    reasons.push({
      code: "interest",
      text: reasonText.interest(catalog.labels[bestLabel]!, pct(interests[bestLabel]!)),
      strength: interests[bestLabel]! + 0.3,
    });
  if (f.popularity > 0.5)
    reasons.push({
      code: "popular",
      text: reasonText.popular(pct(f.popularity), catalog.wording),
      strength: f.popularity * 0.3,
    });
  const { excludeCategories, minYear, maxYear } = profile.constraints;
  if (excludeCategories.length)
    reasons.push({
      code: "constraint",
      text: reasonText.excluded(excludeCategories),
      strength: 0.05,
    });
  if ((minYear || maxYear) && item.year)
    reasons.push({
      code: "constraint",
      text: reasonText.years(item.year, minYear, maxYear),
      // Asked for in this very message ("something from the 90s"), the years are the point of the list.
      strength: yearsAsked ? 1.5 : 0.04,
    });
  if (reasons.length === 0) {
    reasons.push({
      code: "profile_match",
      text: reasonText.profile_match(f.short.toFixed(2)),
      strength: 0,
    });
  }
  return reasons
    .sort((a, b) => b.strength - a.strength)
    .slice(0, 3)
    .map(({ code, text }) => ({ code, text }));
}

/**
 * A person behind the item who is behind, in the same role, a film the person liked (most recent first) or
 * brought up, other than one asked for by name (that reason is said already): "Directed by X, like Y".
 */
function sharedPerson(
  catalog: Catalog,
  item: Catalog["items"][number],
  profile: Profile,
  asked: ReadonlySet<string>,
): { role: (typeof SHARED_ROLES)[number]; name: string; title: string } | undefined {
  const disliked = new Set(profile.disliked);
  const seeds = [...new Set([...profile.liked].reverse().concat([...profile.mentioned].reverse()))]
    .filter((id) => id !== item.id && !disliked.has(id))
    .slice(0, MAX_SHARED_SEEDS);
  for (const role of SHARED_ROLES) {
    const names = namesIn(item.extra[role]).filter((n) => !asked.has(normalizeText(n)));
    if (names.length === 0) continue;
    for (const id of seeds) {
      const seed = catalog.item(id);
      if (!seed || seed.title === item.title) continue;
      const theirs = new Set(namesIn(seed.extra[role]).map(normalizeText));
      const name = names.find((n) => theirs.has(normalizeText(n)));
      if (name) return { role, name, title: seed.title };
    }
  }
  return undefined;
}
const SHARED_ROLES = ["directors", "stars", "writers"] as const;

/**
 * Asked for by the person, a film's likeness counts from a lower similarity than a liked film's (0.5): a
 * "more like X" list is built on X, and the reason says which of the films asked for each pick is closest to.
 */
const MORE_LIKE_SIMILARITY = 0.3;

/** The film asked for more like that is closest in content to the item. */
function closestAnchor(
  catalog: Catalog,
  row: number,
  anchors: readonly string[],
): { id: string; title: string; similarity: number } | undefined {
  let best: { id: string; title: string; similarity: number } | undefined;
  for (const id of anchors) {
    const anchorRow = catalog.row(id);
    if (anchorRow === undefined || anchorRow === row) continue;
    const similarity = dot(catalog.vector(anchorRow), catalog.vectors, row * catalog.dim);
    if (similarity > MORE_LIKE_SIMILARITY && (!best || similarity > best.similarity))
      best = { id, title: catalog.items[anchorRow]!.title, similarity };
  }
  return best;
}
/** The liked and brought-up films looked at for a shared person, most recent first. */
const MAX_SHARED_SEEDS = 10;

/** An item that has none of the categories the message asked for, or one it turned down, is no answer to its words. */
function contradicts(
  item: Catalog["items"][number],
  requested: readonly string[],
  profile: Profile,
): boolean {
  if (requested.length > 0 && !requested.some((c) => item.categories.includes(c))) return true;
  return profile.constraints.excludeCategories.some((c) => item.categories.includes(c));
}

/** The one reason of a list offered without understanding the message: the item is popular, nothing more. */
export function popularReason(ranked: RankedItem, wording: Wording): Reason {
  return { code: "popular", text: reasonText.popular(pct(ranked.features.popularity), wording) };
}

/**
 * A reason as it may leave the bot (to an LLM): a "phrase" reason quotes the person's own words, which are
 * message text and stay here, so only its lead and strength go out.
 */
export function reasonWithoutQuote(reason: Reason): string {
  if (reason.code !== "phrase") return reason.text;
  const strength = /\(similarity [\d.]+\)$/.exec(reason.text)?.[0];
  return strength ? `${PHRASE_LEAD} ${strength}` : PHRASE_LEAD;
}
