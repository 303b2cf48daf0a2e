// Understanding a message: what it says (parser) and what it is about (the ONNX interest model).
import { withRequested } from "../interest/requested.ts";
import type { Profile } from "../profile/profile.ts";
import { parseMessage, type ParsedMessage } from "../understand/parse.ts";
import { critiqueOf, type Critique } from "../understand/critique.ts";
import { splitNegated } from "../recommend/attributes.ts";
import { understanding, type Understanding } from "../understand/understood.ts";
import type { MessageReading, MessageRequest } from "./context.ts";
import type { Parts } from "./parts.ts";

export function parse(parts: Parts, text: string, profile: Profile): ParsedMessage {
  return parseMessage(text, {
    titles: parts.catalog.titles,
    people: parts.catalog.people,
    categories: parts.categories,
    lastListLength: profile.lastList.length,
  });
}

/** Whether the message was understood at all (see src/understand/understood.ts). */
export function understand(
  parts: Parts,
  parsed: ParsedMessage,
  text: string,
  referenced: string | undefined,
): Understanding {
  return understanding(parsed, text, parts.catalog.titles, referenced);
}

/** The model's reading of a message (corrected by the categories it names) and whether it says anything. */
export async function read(parts: Parts, parsed: ParsedMessage, text: string) {
  const prediction = withRequested(
    (await parts.model.predict([parsed.residual || text]))[0]!,
    parts.catalog.labels,
    parsed.requested,
  );
  const informative = saysSomething(parsed.residual) && norm2(prediction.embedding) > 0;
  return { prediction, informative } satisfies MessageReading;
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
  parsed: ParsedMessage,
  { prediction, informative }: MessageReading,
): MessageRequest {
  const critique = critiqueField(parsed, prediction.interests);
  const { wanted, avoided } = splitNegated(parsed.residual);
  return {
    // A critique ("older", "shorter please") keeps to what was asked before: its words are no new topic.
    ...(informative && parsed.intent === "recommend" && !critique.critique
      ? { message: prediction.embedding, messageInterests: prediction.interests }
      : {}),
    ...(parsed.requested.length ? { requested: parsed.requested } : {}),
    ...(parsed.people.length ? { requestedPeople: parsed.people } : {}),
    // A studio or series asked for ("the harry potter films"): a title it shares may have been linked.
    ...(parsed.intent === "recommend"
      ? { askedWords: [parsed.residual, ...parsed.mentions.map((m) => m.matched)].join(" . ") }
      : {}),
    ...critique,
    // Moods ("something twisty") and what is turned down ("not gory"), matched to tags and keywords.
    ...(parsed.intent === "recommend" && !critique.critique && wanted.trim()
      ? { moodText: wanted }
      : {}),
    ...(avoided ? { avoidText: avoided } : {}),
  };
}

/** "older", "shorter please": the direction the next list takes from the last one's mean. */
function critiqueField(parsed: ParsedMessage, interests: Float32Array): { critique?: Critique } {
  const critique = critiqueOf(parsed, parsed.residual);
  if (critique?.field === "reading") return { critique: { ...critique, interests } };
  return critique ? { critique } : {};
}

/**
 * Words that say nothing about what a film should be: a message left with only these once its constraints
 * are read ("only ones made after 2000 though") narrows the list, and its reading would only wash out the
 * interests built so far.
 */
const FILLER = new Set(
  "only just ones one those these them it that this though please pls but and or ok okay also too now then some any something anything stuff movies movie films film ones maybe well so yes no i me my we us you a an the of to in for with from made released hmm hm um umm uh oh ah actually still thanks thank lol".split(
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
