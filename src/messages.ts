// Every sentence a person reads from chatrec, in one place: the pipeline's replies, the reasons' wording
// and the adapters' refusals and apologies. Adapters render these; they never write their own. Sentences that
// name the catalog's items ("films", "books") take its Wording (src/catalog/wording.ts), resolved at start-up.
import type { Wording } from "./catalog/wording.ts";
import type { ErrorCode } from "./errors.ts";

/** The question that asks for the profile; the adapters' /profile commands send it. */
export const PROFILE_QUESTION = "what do you think I like?";

/** An example request from the catalog's own titles: "I loved Inception and The Matrix, no horror". */
export const exampleRequest = (w: Wording) =>
  `I loved ${w.examples.join(" and ")}${w.exampleConstraint ? `, ${w.exampleConstraint}` : ""}`;

export const helpText = (w: Wording) =>
  `Tell me what you like ("${exampleRequest(w)}") and I'll suggest more. ` +
  `Then say "more like the second one", "not that one", "I've seen it", "why?", or "${PROFILE_QUESTION}". ` +
  '"forget me" deletes everything I know about you.';

export const greeting = (w: Wording) => `Hi! ${helpText(w)}`;
export const noText = (w: Wording) => `I didn't get any text there. ${helpText(w)}`;

/** The hint of the Discord /recommend command's text option (at most 100 characters there). */
export const recommendOptionHint = (w: Wording) => {
  const [title] = w.examples;
  const example = `like ${title}${w.exampleConstraint ? ` but ${w.exampleConstraint}` : ""}`;
  const hint = `What you are after, e.g. "${example}"`;
  return hint.length <= 100 ? hint : "What you are after, in your own words";
};

/** Where the deleted profile lived: the reply to "forget me" says what was deleted. */
export type ForgetScope = "everywhere" | "workspace" | "server" | "dms";
export function forgotten(scope: ForgetScope = "everywhere"): string {
  const where = {
    everywhere: "",
    workspace: " in this workspace",
    server: " in this server",
    dms: " in our DMs",
  }[scope];
  return `Done: I deleted everything I knew about you${where}.`;
}

/** The question that ends every reply to a message the bot did not understand. */
const askAgain = (w: Wording) =>
  `Which ${w.nounPlural} do you like, or what are you in the mood for?`;
/** The first sentence of a reply to a message the bot did not understand, by what went wrong. */
export const didYouMean = (title: string, year?: number) =>
  `Did you mean ${title}${year ? ` (${year})` : ""}?`;
export const notUnderstood = {
  nothing: (w: Wording) => `Sorry, I didn't understand that. ${askAgain(w)}`,
  "out-of-scope": (w: Wording) =>
    `Sorry, ${w.scopeNote ?? "I can't help with that"}. ${askAgain(w)}`,
  "other-language": (w: Wording) => `Sorry, I only understand English for now. ${askAgain(w)}`,
  "no-referent": (w: Wording) => `Sorry, I'm not sure which ${w.noun} you mean. ${askAgain(w)}`,
  "did-you-mean": (w: Wording, title: string, year?: number) =>
    `Sorry, I'm not sure which ${w.noun} you mean. ${didYouMean(title, year)}`,
  "unknown-name": (w: Wording, name: string) =>
    `Sorry, I don't know "${name}": I couldn't find it among my ${w.nounPlural}${w.scopeNote ? ` (${w.scopeNote})` : ""}. ${askAgain(w)}`,
} as const;
/** Heads a list offered after a message the bot did not understand: popular items, nothing personal. */
export const popularMeanwhile = (w: Wording, hasPopularity = true) =>
  hasPopularity
    ? `Meanwhile, some popular ${w.nounPlural}:`
    : `Meanwhile, some ${w.nounPlural} from the catalog:`;

export const REDELIVERED = "Already got that message; here is the list I sent.";
export const PICKS = "Here are my picks:";
export const NOTHING_FITS = 'I have nothing left that fits; try loosening a filter ("any genre").';

/** The first sentence of a reply to a button (or "more like this"). */
export const feedbackNote = {
  like: (title: string) => `Noted: you like ${title}.`,
  dislike: (title: string) => `Got it, not ${title}.`,
  seen: (title: string) => `Noted: you've seen ${title}.`,
  click: (title: string) => `Noted your interest in ${title}.`,
  more: (title: string) => `More like ${title}:`,
} as const;

/** The first sentence of a reply to a message that gives feedback on an item in words. */
export const spokenFeedback = {
  seen: (title: string) => `Noted: you've seen ${title}.`,
  dislike: (title: string) => `OK, not ${title}.`,
  like: (title: string) => `Glad you like ${title}!`,
} as const;

export const moreLike = (title: string) => `More like ${title}:`;
/** Several titles in a sentence: "A, B and C". */
export const joinTitles = (titles: readonly string[]) =>
  titles.length > 1 ? `${titles.slice(0, -1).join(", ")} and ${titles.at(-1)}` : (titles[0] ?? "");
export const startingPoint = (titles: readonly string[]) =>
  `Taking ${titles.join(" and ")} as a starting point.`;
export const steerClear = (titles: readonly string[]) =>
  `I'll steer clear of things like ${titles.join(" and ")}.`;
export const noCategories = (categories: readonly string[]) => `No ${categories.join(" or ")}.`;
export const allowedAgain = (categories: readonly string[]) => {
  const joined = categories.join(" and ");
  return `${joined.charAt(0).toUpperCase()}${joined.slice(1)} allowed again.`;
};

export const profileSummary = {
  interests: (parts: readonly string[]) => `I think you like ${parts.join(", ")}.`,
  unknown: "I don't know your taste yet: tell me a few things you liked.",
  liked: (titles: string) => `You liked: ${titles}.`,
  disliked: (titles: string) => `Not for you: ${titles}.`,
  avoiding: (categories: readonly string[]) => `Avoiding: ${categories.join(", ")}.`,
} as const;

export const explainNothing =
  "Ask me for some recommendations first, then I can tell you why I picked them.";
export const explainItem = (title: string, reasons: readonly string[]) =>
  `Why ${title}: ${reasons.join("; ") || "it fitted your profile at the time"}.`;

/**
 * Every reason code a recommendation can carry (src/explain/reasons.ts decides which apply), with what it
 * means (in any catalog: "item" is a film, a book, an article); the wording of each is below.
 */
export const REASON_CODES = {
  similar_to: "close in content to an item the person liked",
  mentioned_with: "often brought up together with an item the person mentioned",
  phrase: "close to the words of the person's request",
  interest: "of a category the person's profile leans to",
  popular:
    "popular with other people (also the only reason of a list offered without understanding)",
  constraint: "fits a standing filter: a category turned down, a year bound",
  profile_match: "fits the taste profile so far, with no stronger reason",
  shares_person:
    "directed by, starring or written by a person of an item the person liked or brought up (same role)",
  more_like:
    'close in content to an item the person asked for more like ("more like the last two")',
  directed_by: "directed by a person the message asked for",
  stars: "stars a person the message asked for",
  written_by: "written by a person the message asked for",
  from_collection: 'of a studio or series the message asked for ("anything from Pixar")',
  attributes: 'MovieLens tags or TMDB keywords matching the mood the message asked for ("twisty")',
  critique:
    'older, newer, shorter, longer, or less or more of a word than the last list, as asked ("shorter")',
} as const;
export type ReasonCode = keyof typeof REASON_CODES;

/** A critique of the last list an item answers (src/recommend/rank.ts). */
interface CritiqueReason {
  field: "year" | "runtime" | "reading";
  dir: "lower" | "higher";
  value: number;
  mean: number;
  word?: string;
  said?: string;
  than: string;
}

/** The wording of each reason code (src/explain/reasons.ts decides which apply). */
export const PHRASE_LEAD = "Close to what you asked for";
export const reasonText = {
  similar_to: (title: string, similarity: string, shared: readonly string[] = []) =>
    `Similar to ${title}, which you liked${shared.length ? `: ${shared.join(", ")}` : ""} (similarity ${similarity})`,
  mentioned_with: (title: string, count: number, w: Wording) =>
    `Often brought up together with ${title} (in ${count} ${w.conversations})`,
  phrase: (quote: string, similarity: string) =>
    `${PHRASE_LEAD}: "${quote}" (similarity ${similarity})`,
  interest: (label: string, share: string) =>
    `Matches your interest in ${label} (${share} of your profile)`,
  // A catalog without popularity data has nothing to be popular by: say what the list is instead.
  popular: (share: string, w: Wording) =>
    share === "0%"
      ? `One of the ${w.nounPlural} on file (this catalog has no popularity data)`
      : `Often recommended by ${w.others} (popularity ${share} of the most popular)`,
  excluded: (categories: readonly string[]) => `No ${categories.join(" or ")}, as you asked`,
  years: (year: number, minYear?: number, maxYear?: number) =>
    `From ${year}, ${
      minYear && maxYear
        ? minYear % 10 === 0 && maxYear === minYear + 9
          ? `within the ${minYear}s you asked for`
          : minYear === maxYear
            ? "as you asked"
            : `in the years you asked for (${minYear}-${maxYear})`
        : minYear
          ? `in the years you asked for (${minYear} or later)`
          : maxYear
            ? `in the years you asked for (${maxYear} or earlier)`
            : "within the years you asked for"
    }`,
  profile_match: (match: string) => `Fits your taste profile so far (match ${match})`,
  more_like: (title: string, similarity: string, shared: readonly string[] = []) =>
    `Like ${title}, as you asked${shared.length ? `: ${shared.join(", ")}` : ""} (similarity ${similarity})`,
  shares_person: (role: "directors" | "stars" | "writers", name: string, title: string) =>
    `${role === "directors" ? "Directed by" : role === "stars" ? "Stars" : "Written by"} ${name}, like ${title}`,
  directed_by: (name: string) => `Directed by ${name}, as you asked`,
  stars: (name: string) => `Stars ${name}, as you asked`,
  written_by: (name: string) => `Written by ${name}, as you asked`,
  from_collection: (name: string) => `From ${name}, as you asked`,
  attributes: (tags: readonly string[], keywords: readonly string[]) =>
    [
      tags.length ? `Tagged ${tags.join(", ")} by MovieLens users` : "",
      keywords.length ? `TMDB keywords: ${keywords.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join("; "),
  critique: ({ field, dir, value, mean, word, said, than }: CritiqueReason) =>
    field === "reading"
      ? `${said ? said[0]!.toUpperCase() + said.slice(1) : `Less ${word ?? "so"}`} than ${than}, as you asked`
      : field === "year"
        ? `${dir === "lower" ? "Older" : "Newer"}: ${value} (the last list averaged ${Math.round(mean)})`
        : `${dir === "lower" ? "Shorter" : "Longer"}: ${value} min (the last list averaged ${Math.round(mean)} min)`,
} as const;

export const UNREADABLE_BUTTON = "I could not read that button; please ask me for a fresh list.";
export const unknownCommand = (name: string) => `I don't know the command /${name}.`;
export const APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment.";
export const UNKNOWN_ITEM_TEXT = "That item is no longer in my catalog; ask me for a fresh list.";
export const tooLong = (max: number) =>
  `That message is too long for me (over ${max} characters); please shorten it.`;
export const rateLimited = (seconds: number) =>
  `You're sending me messages faster than I can keep up with; please wait ${seconds} s and try again.`;
export const WELCOME_TERMINAL =
  'chatrec: tell me what you like. "help" for examples, Ctrl-D to quit.';

/** What a chat person reads for an error code (the HTTP API answers with a status and the error's message). */
export function chatTextFor(code: ErrorCode, details: Readonly<Record<string, string | number>>) {
  switch (code) {
    case "UNKNOWN_ITEM":
      return UNKNOWN_ITEM_TEXT;
    case "TOO_LONG":
      return tooLong(Number(details.max));
    case "RATE_LIMITED":
      return rateLimited(Number(details.retryAfterSeconds));
    case "BAD_REQUEST":
      return UNREADABLE_BUTTON;
    default:
      return APOLOGY;
  }
}

/** The answer to a question about an item's facts. */
export const aboutItem = (f: {
  title: string;
  year?: number;
  directors: readonly string[];
  authors: readonly string[];
  stars: readonly string[];
  minutes?: number;
  plot: string;
}) => {
  const facts = [
    f.year !== undefined ? `from ${f.year}` : "",
    f.directors.length ? `directed by ${joinTitles([...f.directors])}` : "",
    f.authors.length ? `by ${joinTitles([...f.authors])}` : "",
    f.stars.length ? `starring ${joinTitles([...f.stars])}` : "",
    f.minutes !== undefined ? `${f.minutes} min` : "",
  ].filter(Boolean);
  return `${f.title}: ${facts.length ? facts.join("; ") : "I have no details on record"}.${f.plot ? ` ${f.plot}` : ""}`;
};
export const aboutNothing =
  'Which one do you mean? Say its title or its place in the list, like "the second one".';

/** A message about television in a catalog of films: said, and the list is films in the same spirit. */
export const scopeSaid = (w: Wording) =>
  `${w.scopeNote ?? ""}: these ${w.nounPlural} are in that spirit.`;

/** "this week", "today": the catalog has years at most, so the span cannot be kept; the topic is answered. */
export const noDates = (span: string, w: Wording) =>
  `I can't tell which ${w.nounPlural} are from ${span}: they carry no dates finer than a year.`;
