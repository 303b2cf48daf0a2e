// Replies to messages that only read the profile: help, hello, "what do you think I like?", "why?".
import { reasonsFor } from "../explain/reasons.ts";
import * as say from "../messages.ts";
import { topInterests, type Profile } from "../profile/profile.ts";
import type { ParsedMessage } from "../understand/parse.ts";
import type { OutgoingReply } from "../types.ts";
import type { Parts } from "./parts.ts";

/** A reply without a list. */
export function textReply(
  text: string,
  intent: OutgoingReply["intent"],
  interests: OutgoingReply["interests"] = [],
): OutgoingReply {
  return { text, intent, recommendations: [], interests, actions: [] };
}

/** The answer to a message that only reads the profile, else undefined. */
export async function readOnlyReply(
  parts: Parts,
  parsed: ParsedMessage,
  profile: Profile,
  referenced: string | undefined,
): Promise<OutgoingReply | undefined> {
  const interests = () => topInterests(profile, parts.catalog.interestLabels);
  switch (parsed.intent) {
    case "help":
      return textReply(say.helpText(parts.catalog.wording), "help", interests());
    case "greeting":
      return textReply(say.greeting(parts.catalog.wording), "greeting", interests());
    case "profile":
      return profileReply(parts, profile);
    case "explain":
      return explainReply(parts, profile, referenced);
    case "about":
      return aboutReply(parts, profile, referenced);
    default:
      return undefined;
  }
}

function profileReply(parts: Parts, profile: Profile): OutgoingReply {
  const { catalog } = parts;
  const interests = topInterests(profile, catalog.interestLabels);
  const titles = (ids: string[]) =>
    ids
      .slice(-5)
      .map((id) => catalog.item(id)?.title)
      .filter(Boolean)
      .join(", ");
  const lines: string[] = [];
  if (interests.length)
    lines.push(
      say.profileSummary.interests(
        interests.map((i) => `${i.label} (${Math.round(i.weight * 100)}%)`),
      ),
    );
  else if (profile.liked.length === 0) lines.push(say.profileSummary.unknown);
  if (profile.liked.length) lines.push(say.profileSummary.liked(titles(profile.liked)));
  if (profile.disliked.length) lines.push(say.profileSummary.disliked(titles(profile.disliked)));
  if (profile.constraints.excludeCategories.length)
    lines.push(say.profileSummary.avoiding(profile.constraints.excludeCategories));
  return textReply(lines.join(" "), "profile", interests);
}

function explainReply(parts: Parts, profile: Profile, itemId: string | undefined): OutgoingReply {
  const { catalog, ranker } = parts;
  const interests = topInterests(profile, catalog.interestLabels);
  const row = itemId !== undefined ? catalog.row(itemId) : undefined;
  if (row === undefined) return textReply(say.explainNothing, "explain", interests);
  const ranked = ranker.explainRow(
    { profile: { ...profile, shown: [] }, limit: 1, mmrLambda: 1 },
    row,
  );
  const reasons = ranked ? reasonsFor(catalog, ranked, profile) : [];
  const text = say.explainItem(
    catalog.items[row]!.title,
    reasons.map((r) => r.text),
  );
  return textReply(text, "explain", interests);
}

/** Plot text kept in a fact answer. */
const PLOT_CHARS = 240;

/** "what year is the first one from?", "who directed it?": the item's facts, as the data has them. */
async function aboutReply(
  parts: Parts,
  profile: Profile,
  itemId: string | undefined,
): Promise<OutgoingReply> {
  const { catalog, ranker } = parts;
  const interests = topInterests(profile, catalog.interestLabels);
  const row = itemId !== undefined ? catalog.row(itemId) : undefined;
  if (row === undefined) return textReply(say.aboutNothing, "about", interests);
  const item = catalog.items[row]!;
  const names = (field: string, k: number) => {
    const v = item.extra[field];
    const all = Array.isArray(v)
      ? v.map(String)
      : typeof v === "string" && v
        ? v.split(/\s*,\s*/)
        : [];
    return all.slice(0, k);
  };
  const runtime = ranker.collections?.runtime[row];
  const full = await catalog.textOf(row);
  const plot = full.length > PLOT_CHARS ? `${full.slice(0, PLOT_CHARS - 1)}…` : full;
  const text = say.aboutItem({
    title: item.title,
    ...(item.year !== undefined ? { year: item.year } : {}),
    directors: names("directors", 3),
    authors: [...names("authors", 3), ...names("author", 3)],
    stars: names("stars", 3),
    ...(runtime !== undefined && !Number.isNaN(runtime) ? { minutes: Math.round(runtime) } : {}),
    plot,
  });
  return textReply(text, "about", interests);
}
