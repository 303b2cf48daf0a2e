// Understanding a message: what it says (parser) and what it is about (the ONNX interest model).
import { titleKey } from "../catalog/normalize.ts";
import { itemPeople } from "../catalog/people.ts";
import { withRequested } from "../interest/requested.ts";
import type { Profile } from "../profile/profile.ts";
import { categoryNamesOf } from "../understand/category-names.ts";
import { parseMessage, type ParsedMessage } from "../understand/parse.ts";
import { critiqueOf } from "../understand/critique.ts";
import { splitNegated } from "../recommend/attributes.ts";
import { understanding, type Understanding } from "../understand/understood.ts";
import type { RankRequest } from "../recommend/rank.ts";
import type { MessageReading, MessageRequest } from "./context.ts";
import type { Parts } from "./parts.ts";

export function parse(parts: Parts, text: string, profile: Profile): ParsedMessage {
  const parsed = parseMessage(text, {
    titles: parts.catalog.titles,
    people: parts.catalog.people,
    categories: parts.categories,
    categoryNames: categoryNamesOf(parts.catalog.items),
    lastListLength: profile.lastList.length,
  });
  for (const m of parsed.mentions) m.itemId = bestOfSeries(parts, m.matched, m.itemId);
  // "what else did that director make?": the people of the film the person last named ("I loved Heat"),
  // or of the item a reference or the list points at.
  if (parsed.peopleOfFocus) {
    const focus =
      (parsed.reference === undefined ? profile.mentioned.at(-1) : undefined) ??
      referencedItem(profile, parsed);
    if (focus) parsed.peopleOf = [{ itemId: focus, role: parsed.peopleOfFocus }];
  }
  // "anything new on football" in a catalog without years: the vague "new" cannot filter (it would leave
  // nothing), so it asks for the newest, which such a catalog answers with the topic alone.
  if (parsed.constraints.minYearLapses && !parts.catalog.hasYears) {
    delete parsed.constraints.minYear;
    delete parsed.constraints.minYearLapses;
    parsed.newest = true;
  }
  if (parsed.moreLike !== undefined && parsed.mentions.length)
    parsed.moreLike = parsed.mentions.at(-1)!.itemId;
  const collections = askedCollections(parts, parsed);
  if (collections.length) parsed.collections = collections;
  return parsed;
}

/** Items whose title begins with this many words at least count as a series named by them. */
const MIN_SERIES_ITEMS = 3;

/**
 * "I loved Harry Potter": words that are only the start of the linked item's title ("Harry Potter: Film
 * Wizardry") and begin several titles name a series; the person means its best-known item (the most popular
 * title beginning with them, "Harry Potter and the Sorcerer's Stone"). A whole title stays as linked.
 */
function bestOfSeries(parts: Parts, matched: string, itemId: string): string {
  const { catalog } = parts;
  const row = catalog.row(itemId);
  const key = titleKey(matched);
  if (row === undefined || !key.includes(" ") || catalog.titles.keyOf(row) === key) return itemId;
  const starting = catalog.titles.rowsWithKeyPrefix(`${key} `);
  if (starting.length < MIN_SERIES_ITEMS) return itemId;
  // The most popular; on a tie the linked item, else the first in catalog order.
  let best = row;
  for (const r of starting) {
    const [p, pb] = [catalog.popularity[r]!, catalog.popularity[best]!];
    if (p > pb || (p === pb && best !== row && r < best)) best = r;
  }
  return catalog.items[best]!.id;
}

/** Whether the message was understood at all (see src/understand/understood.ts). */
export function understand(
  parts: Parts,
  parsed: ParsedMessage,
  text: string,
  referenced: string | undefined,
): Understanding {
  // A studio or series named alone ("pixar ones only") is something to act on, like a person.
  if (parsed.collections?.length) return { understood: true };
  return understanding(parsed, text, parts.catalog.titles, referenced);
}

/** The model's reading of a message (corrected by the categories it names) and whether it says anything. */
export async function read(parts: Parts, parsed: ParsedMessage, text: string) {
  // "lighter", "funnier": the scale is what the critique's word reads as, read in the same model call.
  const critique = critiqueOf(parsed, parsed.residual);
  const [reading, scale] = await parts.model.predict(
    critique?.word ? [parsed.residual || text, critique.word] : [parsed.residual || text],
  );
  const prediction = withRequested(reading!, parts.catalog.labels, parsed.requested);
  const informative = saysSomething(parsed.residual) && norm2(prediction.embedding) > 0;
  return {
    prediction,
    informative,
    // "less violent" has no word of its own to read: the message's reading is the scale.
    ...(critique?.field === "reading"
      ? { critique: { ...critique, interests: scale?.interests ?? reading!.interests } }
      : critique
        ? { critique }
        : {}),
  } satisfies MessageReading;
}

/** The item a message refers to: a position in the last list, a title it names, or the current focus. */
export function referencedItem(profile: Profile, parsed: ParsedMessage): string | undefined {
  if (parsed.reference !== undefined)
    return parsed.reference === -1 ? profile.lastList.at(-1) : profile.lastList[parsed.reference];
  if (parsed.mentions.length > 0 && parsed.intent !== "recommend")
    return parsed.mentions.at(-1)!.itemId;
  return profile.focus;
}

/**
 * What a message adds to the ranking request, the same for a live turn and for a replay's ranking request:
 * its reading when it asks for something and says anything, and the categories it names.
 */
export function messageRequest(
  parts: Parts,
  parsed: ParsedMessage,
  { prediction, informative, critique: read }: MessageReading,
): MessageRequest & Pick<RankRequest, "newest"> {
  const collections = parsed.collections ?? [];
  const requestedPeople = [...new Set([...parsed.people, ...peopleOfTitles(parts, parsed)])];
  const critique = read ? { critique: read } : {};
  const maxRuntime = parsed.intent === "recommend" ? parsed.maxRuntime : undefined;
  const { wanted, avoided } = splitNegated(parsed.residual);
  return {
    // A critique ("older", "shorter please") keeps to what was asked before: its words are no new topic.
    ...(informative && parsed.intent === "recommend" && !critique.critique
      ? { message: prediction.embedding, messageInterests: prediction.interests }
      : {}),
    ...(parsed.requested.length ? { requested: parsed.requested } : {}),
    ...(requestedPeople.length ? { requestedPeople } : {}),
    ...(collections.length ? { collections } : {}),
    ...critique,
    ...(maxRuntime !== undefined ? { maxRuntime } : {}),
    // Moods ("something twisty") and what is turned down ("not gory"), matched to tags and keywords.
    ...(parsed.intent === "recommend" && !critique.critique && wanted.trim()
      ? { moodText: wanted }
      : {}),
    ...(avoided ? { avoidText: avoided } : {}),
    // Passed on to the ranker with the rest of the request (the rank stage spreads it in).
    ...(parsed.newest && parsed.intent === "recommend" ? { newest: true } : {}),
  };
}

/**
 * The studios and series a message asks for, by name: those its own words name first ("toy story was great,
 * more pixar?" asks for Pixar), then those a title it names belongs to ("the harry potter films" may have
 * linked a title).
 */
function askedCollections(parts: Parts, parsed: ParsedMessage): string[] {
  const { collections } = parts.ranker;
  if (parsed.intent !== "recommend" || !collections) return [];
  const found = [
    ...collections.in(parsed.residual),
    ...parsed.mentions.flatMap((m) => collections.in(m.matched)),
  ];
  return [...new Set(found.map((c) => c.name))];
}

/** The people a message asks for through a title ("whoever directed Heat"), as name keys. */
function peopleOfTitles(parts: Parts, parsed: ParsedMessage): string[] {
  return (parsed.peopleOf ?? []).flatMap(({ itemId, role }) => {
    const item = parts.catalog.item(itemId);
    if (!item) return [];
    const own = itemPeople(item.extra, [role]);
    // A catalog whose people are its categories (goodbooks' authors) names no roles: those people stand in.
    return own.length ? own : categoryNamesOf(parts.catalog.items).namesOf(item.categories);
  });
}

/**
 * Words that say nothing about what a film should be: a message left with only these once its constraints
 * are read ("only ones made after 2000 though") narrows the list, and its reading would only wash out the
 * interests built so far.
 */
const FILLER = new Set(
  "only just ones one those these them it that this though please pls but and or ok okay also too now then some any something anything stuff movies movie films film ones maybe well so yes no i me my we us you a an the of to in for with from made released love loved like liked enjoy enjoyed really was is hmm hm um umm uh oh ah actually still thanks thank lol".split(
    " ",
  ),
);

/** Whether the words the model would read say anything (more than three letters, not only filler). */
function saysSomething(residual: string): boolean {
  if (residual.replace(/[^\p{L}\p{N}]/gu, "").length <= 2) return false;
  const words = residual.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  return words.some((w) => !FILLER.has(w));
}

function norm2(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return s;
}
