// A critique of the last list along a scale the data has for every film it knows: "older", "newer ones",
// "shorter, i don't have 3 hours", "something longer". The next list moves that way from the last list's mean.
import type { ParsedMessage } from "./parse.ts";

export interface Critique {
  /** "reading": the message's reading by the interest model ("less violent": what "violent" reads as). */
  field: "year" | "runtime" | "reading";
  dir: "lower" | "higher";
  /** For "reading": the word the person wants more or less of, and the model's interests of that word. */
  word?: string;
  /** How the person put it, when not "less <word>": "lighter", "funnier". */
  said?: string;
  interests?: Float32Array;
}

/**
 * "less violent", "not as gory", "not so scary", "fewer celebrity stories", "less about tennis", "that's too
 * scary", "too much violence": less of what the word reads as. "about", "on", "of" (and "the") may stand between: the topic is the word after them.
 */
const LESS =
  /\b(?:less|fewer|not as|not so|a bit less|(?<!not )too(?:\s+(?:much|many))?)\s+((?:about|on|of)\s+(?:the\s+)?)?(?!than\b)(\p{L}{4,})\b/iu;
/**
 * "more business", "more about the economy": the topic the person wants more of, once "less" named what they
 * want less of ("less about tennis, more business"). "more like", "more than", "more of the same" ask for no
 * topic.
 */
const MORE =
  /\bmore\s+((?:about|on|of)\s+(?:the\s+)?)?(?!(?:like|than|same|please|ideas|options|suggestions|picks|stuff|ones|things)\b)(\p{L}{4,})\b/iu;

/** Comparatives of year and length, with "even"/"a bit"/"much" in front and "ones"/"please" after. */
const CRITIQUES: ReadonlyArray<[RegExp, Critique]> = [
  [
    /\b(?:older|earlier|(?<!not )too (?:new|recent|modern))\b(?!\s+than\s+(?:19|20)\d\d)/i,
    { field: "year", dir: "lower" },
  ],
  [
    /\b(?:newer|more recent|later|more modern|(?<!not )too old)\b(?!\s+than\s+(?:19|20)\d\d)/i,
    { field: "year", dir: "higher" },
  ],
  [/\b(?:shorter|quicker|less long|(?<!not )too long)\b/i, { field: "runtime", dir: "lower" }],
  [/\b(?:longer|(?<!not )too short)\b/i, { field: "runtime", dir: "higher" }],
  // More or less of what a word reads as: "lighter" is less of what "dark" reads as.
  // More of what a text reads as: "lighter" is more of what "funny family" reads as.
  [
    /\b(?:funnier|more funny|more fun)\b/i,
    { field: "reading", dir: "higher", word: "funny", said: "funnier" },
  ],
  [
    /\b(?:scarier|more scary|creepier)\b/i,
    { field: "reading", dir: "higher", word: "scary", said: "scarier" },
  ],
  [
    /\b(?:darker|grittier|more serious)\b/i,
    { field: "reading", dir: "higher", word: "dark", said: "darker" },
  ],
  [
    /\b(?:lighter|more light-?hearted|less dark|less serious|cheerier|happier)\b/i,
    { field: "reading", dir: "higher", word: "funny family", said: "lighter" },
  ],
];

/**
 * The critique a message makes of the last list, if it is one: a short message (at most eight words) with
 * a comparative and no title, person or year of its own ("older" after a list; not "older than 1990",
 * not "I loved an older film, Heat"). Without a last list it says nothing (the ranker checks).
 */
export function critiqueOf(parsed: ParsedMessage, text: string): Critique | undefined {
  if (parsed.intent !== "recommend") return undefined;
  if (parsed.mentions.length || parsed.people.length) return undefined;
  const { minYear, maxYear } = parsed.constraints;
  if ((text.match(/[\p{L}\p{N}']+/gu) ?? []).length > 8) return undefined;
  for (const [pattern, critique] of CRITIQUES) {
    if (!pattern.test(text)) continue;
    if (critique.field === "year" && (minYear !== undefined || maxYear !== undefined))
      return undefined;
    return critique;
  }
  const less = LESS.exec(text);
  if (!less) return undefined;
  // "less about tennis, more about the economy": the topic asked for leads (one scale per critique); what is
  // turned down is avoided by its words (splitNegated). A category asked for by name ("more business") is a
  // request of its own, so the critique turns the other topic down.
  const more = MORE.exec(text.slice(less.index + less[0].length));
  if (more && !parsed.requested.some((c) => sameTopic(c, more[2]!)))
    return critiqueOfWord("higher", more);
  return critiqueOfWord("lower", less);
}

/**
 * A reading critique of the topic a "less"/"more" phrase names, said as the person put it ("more romance",
 * "less about tennis"; a plain "less <word>" is the reasons' own wording).
 */
function critiqueOfWord(dir: Critique["dir"], m: RegExpExecArray): Critique {
  const word = m[2]!.toLowerCase();
  const about = m[1]?.toLowerCase().replace(/\s+/g, " ") ?? "";
  const said =
    dir === "higher" || about ? `${dir === "lower" ? "less" : "more"} ${about}${word}` : "";
  return { field: "reading", dir, word, ...(said ? { said } : {}) };
}

/** A category and a word naming it ("business", "business"; "tech", "tech"; "sports", "sport"). */
function sameTopic(category: string, word: string): boolean {
  const c = category.toLowerCase().replace(/-/g, " ");
  const w = word.toLowerCase();
  return c === w || `${c}s` === w || c === `${w}s`;
}

/** "not too long" with no number: a film of at most two hours. */
const NOT_TOO_LONG_MINUTES = 120;
const NOT_TOO_LONG =
  /\b(?:not (?:too |very |that |so |super )?long|nothing (?:too |very )?long|not a long one|under two hours)\b/i;
const UNDER =
  /\b(?:under|less than|shorter than|at most|no more than|max(?:imum)?|below|within)\s+(\d+(?:\.\d+)?|an?|one|two|three)\s*(hours?|hrs?|h|minutes?|mins?)\b/i;
const WORD_NUMBER: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3 };

/** The longest runtime a message allows, in minutes: "not too long", "under 90 minutes", "less than 2 hours". */
export function maxRuntimeOf(text: string): number | undefined {
  const under = UNDER.exec(text);
  if (under) {
    const n = WORD_NUMBER[under[1]!.toLowerCase()] ?? Number(under[1]);
    return /^h/i.test(under[2]!) ? n * 60 : n;
  }
  return NOT_TOO_LONG.test(text) ? NOT_TOO_LONG_MINUTES : undefined;
}
