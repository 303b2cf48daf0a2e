// Whether the bot understood a message at all. A message is understood when it names something the bot can
// act on (a title, a person, a category, a constraint, a reference to the last list, "more") or talks about
// films in words the bot knows ("something dark and twisty", "recommend me a movie"). Anything else (an
// out-of-scope question, gibberish, a TV series or a title the catalog lacks, another language) is answered
// honestly instead of with a list presented as personal picks.
import { otherLanguage } from "./language.ts";
import type { ParsedMessage } from "./parse.ts";
import { CATEGORY_SYNONYMS, FILM_WORDS, MOOD_WORDS, ORDINALS } from "./patterns.ts";

export type Understanding =
  | { understood: true }
  /** Written in another language: the bot reads English only. */
  | { understood: false; why: "other-language" }
  /** Points at something by a name the bot does not know ("something like <a TV series>"). */
  | { understood: false; why: "unknown-name"; name: string }
  /** A title written with a typo that could be meant otherwise: the bot asks whether it is this one. */
  | { understood: false; why: "did-you-mean"; itemId: string }
  /** Feedback or "more like that" with no film to attach it to. */
  | { understood: false; why: "no-referent" }
  /** Nothing in it the bot can act on. */
  | { understood: false; why: "nothing" };

/** What the understanding needs to know about words. */
export interface WordKnowledge {
  /** An English word or a word of the catalog (titles, people, texts). */
  knows(word: string): boolean;
  /** The item a name is the whole title of, written in everyday words ("up"), if any. */
  exactTitle?(name: string): string | undefined;
}

const UNDERSTOOD: Understanding = { understood: true };

/** "something like X", "films similar to X", "in the vein of X": X is what the person compares with. */
const COMPARED =
  /\b(?:(?:something|anything|stuff|films?|movies?|flicks?|more|ones?|others?)\s+(?:like|similar to)|similar to|along the lines of|in the vein of|reminds? me of)\s+([^.?!,;]+)/i;
/** "have you got X", "do you have X": X is a specific thing asked for by name. */
const ASKED_BY_NAME = /\b(?:have you got|do you have|have you heard of|do you know)\s+([^.?!,;]+)/i;
/** Words that refer to something already said or shown, not a name. */
const REFERRING = new RegExp(
  `^(?:it|that|this|those|these|them|what|whatever|#\\d{1,2}|number \\d{1,2}|the (?:same|ones?|last|other)|(?:the\\s+)?(?:${Object.keys(ORDINALS).join("|")})(?:\\s+one)?|one|ones|any|anything|something)\\b`,
  "i",
);
const CATEGORY_WORDS = new RegExp(
  `\\b(?:${Object.keys(CATEGORY_SYNONYMS)
    .map((w) => w.replace(/[-\s]/g, "[-\\s]?"))
    .join("|")})s?\\b`,
  "i",
);
/** Where a name ends in "<name> was great", "<name> is my favourite". */
const AFTER_NAME =
  /\s+(?:was|is|were|are|has|had|looks?|sounds?|seems?|or|but|because|which|that|please|pls)\b.*$/i;
/** Words in front of a name ("i loved", "have you got"). */
const BEFORE_NAME =
  /^(?:.*\b(?:loved|liked|love|like|enjoyed|saw|watched|seen|got|have|know|of|about|to)\s+)/i;
const MAX_NAME = 60;
/**
 * "less about tennis", "more business", "fewer celebrity stories", "too much violence": more or less of a
 * topic, in a short message (a critique of the last list or a request). The topic is the word after
 * "more"/"less"/"fewer" and an "about"/"on"/"of".
 */
const MORE_OR_LESS =
  /\b(?:more|less|fewer|too much|too many)\s+(?:(?:about|on|of)\s+)?(?:the\s+)?([\p{L}][\p{L}'’-]{3,})/giu;
/** Words after "more"/"less" that name no topic ("more like this", "less than that", "more of the same"). */
const NO_TOPIC = new Set(
  "like than same please ideas options suggestions picks stuff ones things other others yourself myself them this that these those".split(
    " ",
  ),
);
const MAX_CRITIQUE_WORDS = 8;

/** A short message asking for more or less of a topic the bot knows the words of. */
function moreOrLessOfTopic(text: string, words: WordKnowledge): boolean {
  if ((text.match(/[\p{L}\p{N}']+/gu) ?? []).length > MAX_CRITIQUE_WORDS) return false;
  for (const m of text.matchAll(MORE_OR_LESS)) {
    const topic = m[1]!.toLowerCase();
    if (!NO_TOPIC.has(topic) && words.knows(topic.replace(/['’-]/g, ""))) return true;
  }
  return false;
}

/** The words of a text the bot does not know at all (no digits: "3" in a title is not unknown). */
function unknownWords(text: string, words: WordKnowledge): string[] {
  return (text.match(/[\p{L}][\p{L}'’-]*/gu) ?? []).filter(
    (w) => w.length > 2 && !words.knows(w.replace(/['’-]/g, "")),
  );
}

/** A phrase names a film or person the bot knows, a category or a mood, or refers back to one. */
function resolved(phrase: string, parsed: ParsedMessage, words: WordKnowledge): boolean {
  const p = phrase.trim().toLowerCase();
  if (REFERRING.test(p)) return true;
  if (unknownWords(p, words).length > 0) return false;
  if (parsed.mentions.some((m) => p.includes(m.matched.toLowerCase()))) return true;
  return CATEGORY_WORDS.test(p) || MOOD_WORDS.test(p) || FILM_WORDS.test(p);
}

/** The name a phrase holds, as a person would quote it: without the words around it. */
function nameIn(phrase: string): string {
  const name = phrase
    .replace(AFTER_NAME, "")
    .replace(BEFORE_NAME, "")
    .replace(/^(?:some|any|the film|the movie)\s+/i, "")
    .trim();
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME - 1).trimEnd()}…`;
}

/** Whether the message asks for or names anything the parser recognised. */
function namesSomething(parsed: ParsedMessage): boolean {
  const { constraints } = parsed;
  return (
    parsed.mentions.length > 0 ||
    parsed.people.length > 0 ||
    parsed.requested.length > 0 ||
    parsed.reference !== undefined ||
    parsed.asksForMore === true ||
    parsed.newest === true ||
    parsed.moreLike !== undefined ||
    Object.keys(constraints).length > 0
  );
}

/**
 * How well the bot understood a message. `referenced` is the film the message's feedback or "more like
 * that" would attach to (a title it names, a position in the last list, the current focus).
 */
export function understanding(
  parsed: ParsedMessage,
  text: string,
  words: WordKnowledge,
  referenced: string | undefined,
): Understanding {
  if (!["recommend", "feedback", "critique"].includes(parsed.intent)) return UNDERSTOOD;
  // Another language first: a short title can hide in its words ("Ich mag Actionfilme": "MÁG"). A title of
  // several words ("I loved Das Boot" is English anyway) still counts.
  if (otherLanguage(text) && !parsed.mentions.some((m) => m.matched.trim().includes(" ")))
    return { understood: false, why: "other-language" };
  // Several items of the last list ("similar to the bottom two") are named as surely as a title.
  const named =
    parsed.mentions.length > 0 ||
    parsed.people.length > 0 ||
    (parsed.peopleOf?.length ?? 0) > 0 ||
    (parsed.references?.length ?? 0) > 1;
  if (named) return UNDERSTOOD;
  if (parsed.didYouMean !== undefined)
    return { understood: false, why: "did-you-mean", itemId: parsed.didYouMean };
  // Pointing at something by a name the catalog lacks: say so rather than recommend around it.
  const compared = COMPARED.exec(text)?.[1];
  if (compared && !resolved(compared, parsed, words)) {
    // "a movie like up": a title of everyday words, written plainly, is asked about rather than denied.
    const itemId = words.exactTitle?.(nameIn(compared));
    return itemId
      ? { understood: false, why: "did-you-mean", itemId }
      : { understood: false, why: "unknown-name", name: nameIn(compared) };
  }
  const asked = ASKED_BY_NAME.exec(text)?.[1];
  if (asked && unknownWords(asked, words).length > 0)
    return { understood: false, why: "unknown-name", name: nameIn(asked) };
  if (parsed.intent !== "recommend" && referenced === undefined) {
    const unknown = unknownWords(text, words);
    if (unknown.length > 0)
      return { understood: false, why: "unknown-name", name: nameOf(text, unknown[0]!) };
    return { understood: false, why: "no-referent" };
  }
  if (namesSomething(parsed) || parsed.intent !== "recommend") return UNDERSTOOD;
  if (FILM_WORDS.test(text) || MOOD_WORDS.test(text)) return UNDERSTOOD;
  if (moreOrLessOfTopic(text, words)) return UNDERSTOOD;
  return { understood: false, why: "nothing" };
}

/** The clause around an unknown word, as the name it most likely is part of. */
function nameOf(text: string, unknown: string): string {
  const clause = text.split(/[.?!,;]/).find((c) => c.includes(unknown)) ?? unknown;
  return nameIn(clause);
}
