// Reads one message: what the person wants (intent), which catalog items they name and how they feel about
// them, standing constraints ("no horror", "after 2000"), and references to the last list ("the second one").
import type { PeopleIndex } from "../catalog/people.ts";
import { maxRuntimeOf } from "./critique.ts";
import { normalizeText } from "../catalog/normalize.ts";
import type { TitleIndex } from "../catalog/titles.ts";
import type { Constraints } from "../profile/profile.ts";
import type { Intent, Signal } from "../types.ts";
import type { CategoryNames } from "./category-names.ts";
import { CATEGORY_SYNONYMS, MOOD_WORDS, NEGATIVE, ORDINALS, POSITIVE } from "./patterns.ts";

export interface ParsedMention {
  itemId: string;
  matched: string;
  /** "seen": turned down because the person has seen it ("not inception, i've seen that"). */
  polarity: "like" | "dislike" | "seen" | "neutral";
}

export interface ParsedMessage {
  intent: Intent;
  mentions: ParsedMention[];
  constraints: Partial<Constraints> & { clear?: boolean };
  /** Index into the last list ("the second one"); -1 for the last; undefined when none named. */
  reference?: number;
  /** Feedback on the referenced (or focused) item. */
  signal?: Signal;
  /**
   * Several items of the last list at once ("seen the first three", "loved the first one, hated the
   * second", "more like the last two"): each index with the feedback its clause gives (none for "more like").
   */
  references?: Array<{ index: number; signal?: Signal }>;
  /** "more like X": an item id to centre on. */
  moreLike?: string;
  /** Text left once titles and constraint phrases are removed: what the model should read. */
  residual: string;
  /** People (directors, stars, authors) named outside titles, as name keys. */
  people: string[];
  /** "not too long", "under 90 minutes": the longest runtime asked for, in minutes. */
  maxRuntime?: number;
  /** People asked for through a title: "whoever directed Heat", "the writer of Fargo". */
  peopleOf?: Array<{ itemId: string; role: "directors" | "writers" | "stars" }>;
  /** Studios and series the message names, by name; set by the pipeline, which knows the catalog's. */
  collections?: string[];
  /** People asked for through the item in focus: "what else did that director make?", "more with that actor". */
  peopleOfFocus?: "directors" | "writers" | "stars";
  /** Only asks for more of the same ("more please", "any other ideas?"): a follow-up, not a new request. */
  asksForMore?: true;
  /** A title written with a typo that could be meant otherwise: asked about ("Did you mean ...?"), not linked. */
  didYouMean?: string;
  /** Categories the message asks for by name ("a scary movie", "comedies"), outside exclusions and titles. */
  requested: string[];
  /** "the latest from Stephen King", "newest", "most recent": the newest items are wanted. */
  newest?: true;
  /**
   * "this week", "today": a span finer than a year. No catalog here has dates finer than a year, so it
   * filters nothing and the topic is answered; it is kept for the reply to say so.
   */
  datedSpan?: string;
  /** The message asks about television ("my favourite show is ...", "any good tv series"). */
  aboutTv?: true;
}

/** Asking for the newest items. */
const NEWEST = /\b(?:latest|newest|most recent|brand new)\b/i;
/** A span of days ("watch tonight" is when, not what, and is left out). */
const DATED_SPAN =
  /\b(?:this (?:week|weekend|month)|today|yesterday|(?:last|past) (?:few )?(?:days|week))\b/i;

/** A whole message asking for more of the same: "more", "more please", "any other ideas?", "what else?", "others?". */
const MORE_OF_THE_SAME =
  /^\s*(?:(?:ok|okay|great|thanks|cool|nice)[\s,!.]+)?(?:(?:any|got any|some|a few|show me|give me)\s+)?(?:more|others?|other (?:ideas|ones|suggestions|options|picks)|what else|anything else|another one|next)(?:\s+(?:please|pls|ideas|suggestions|options|picks))?[\s?!.]*$/i;

/** Just before a title: the people asked for are its director(s), writer(s) or stars. */
const PEOPLE_OF: ReadonlyArray<[RegExp, "directors" | "writers" | "stars"]> = [
  [
    /\b(?:(?:who(?:ever)?|the (?:guy|person|one|woman|man|people|folks) (?:who|that))\s+(?:directed|made)|(?:same )?directors? (?:of|as|from)|(?:same )?(?:film)?makers? (?:of|as))\s+$/i,
    "directors",
  ],
  [
    /\b(?:(?:who(?:ever)?|the (?:guy|person|one|woman|man) (?:who|that))\s+wrote|(?:same )?(?:screen)?writers? (?:of|as|from)|(?:same )?authors? (?:of|as|from))\s+$/i,
    "writers",
  ],
  [
    /\b(?:(?:who(?:ever)?|the (?:guy|actor|actress|one) (?:who|that))\s+(?:starred|was) in|(?:same )?(?:stars?|actors?|cast) (?:of|as|from))\s+$/i,
    "stars",
  ],
];

/** A question about one item's facts: "what year is the first one from?", "who directed it?". */
const ABOUT =
  /^\s*(?:(?:and|so|ok|okay|hmm|wait)[\s,]+)?(?:what year|which year|when (?:was|did|is)|who (?:directed|made|wrote|is in|stars|starred|plays|acts)|who'?s in|how long|what(?:'s| is) (?:it|that|this|the \w+(?: one)?) about|tell me (?:more )?about)\b/i;
/** The item a question is about, when it names none: the one just talked about. */
const ABOUT_IT = /\b(?:it|that|this|that one|this one)\b/i;

const REFERENCE = new RegExp(
  `\\b(?:the\\s+)?(${Object.keys(ORDINALS).join("|")})(?:\\s+(?:one|movie|film|book|item|pick|suggestion))?\\b|#(\\d{1,2})\\b|\\bnumber\\s+(\\d{1,2})\\b`,
  "i",
);

function findReference(text: string): number | undefined {
  const m = REFERENCE.exec(text);
  if (!m) return undefined;
  if (m[2] || m[3]) return Math.max(0, Number(m[2] ?? m[3]) - 1);
  const word = m[1]!.toLowerCase();
  // "one" alone is too common ("that one", "one more"); accept it only in "number one"-like forms handled above.
  if (
    ["one", "two", "three", "four", "five"].includes(word) &&
    !/\b(?:the|number)\s+(one|two|three|four|five)\b/i.test(text)
  )
    return undefined;
  if (word === "one") return undefined;
  return ORDINALS[word];
}

const COUNTS: Record<string, number> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};
const COUNT = `(?:${Object.keys(COUNTS).join("|")}|[2-9]|10)`;
/** "all of these", "all of them", "every one of those", "all five", "these all". */
const ALL_OF_THEM = new RegExp(
  `\\b(?:(?:all|each|every\\s*one)\\s+(?:of\\s+)?(?:these|those|them|the\\s+(?:above|list|ones|films|movies|picks))|all\\s+(?:the\\s+)?${COUNT}(?:\\s+of\\s+(?:them|these|those))?|(?:these|those|them)\\s+all)\\b`,
  "i",
);
/** "the first three", "the top two", "the last 2". */
const FIRST_OR_LAST_N = new RegExp(`\\b(first|top|last|bottom)\\s+(${COUNT})\\b`, "i");
const REFERENCES = new RegExp(REFERENCE.source, "gi");
/** Where a message's feedback on one part of the list ends and on another begins. */
const CLAUSE_BREAK = /[,;.!?]|\bbut\b|\bwhile\b|\bwhereas\b/i;

/** The positions of the last list a clause refers to (0-based, within `n`). */
function referencesIn(clause: string, n: number): number[] {
  const range = (from: number, to: number) =>
    Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  if (ALL_OF_THEM.test(clause)) return range(0, n);
  const firstN = FIRST_OR_LAST_N.exec(clause);
  if (firstN) {
    const k = Math.min(n, COUNTS[firstN[2]!.toLowerCase()] ?? Number(firstN[2]));
    return /last|bottom/i.test(firstN[1]!) ? range(n - k, n) : range(0, k);
  }
  if (n === 2 && /\bboth\b/i.test(clause)) return [0, 1];
  const out: number[] = [];
  for (const m of clause.matchAll(REFERENCES)) {
    const i = findReference(m[0].toLowerCase().startsWith("the") ? m[0] : `the ${m[0]}`);
    const index = i === -1 ? n - 1 : i;
    if (index !== undefined && index < n && !out.includes(index)) out.push(index);
  }
  return out;
}

/** The feedback a clause gives on what it refers to; "more like ..." gives none. */
function clauseSignal(clause: string): Signal | undefined {
  if (/\b(?:more like|similar to|something like)\b/i.test(clause)) return undefined;
  if (NOT_SEEN.test(clause)) return undefined;
  if (/\b(?:seen|watched|saw)\b/i.test(clause)) return "seen";
  if (NEGATIVE.test(clause) || /\b(?:not for me|no thanks|nope|nah|bored|dull)\b/i.test(clause))
    return "dislike";
  if (POSITIVE.test(clause)) return "like";
  return undefined;
}

/**
 * Several items of the last list named at once, each with its clause's feedback; undefined when a message
 * names one item or none (the single reference above handles those).
 */
function findReferences(text: string, n: number): ParsedMessage["references"] {
  const out: NonNullable<ParsedMessage["references"]> = [];
  for (const clause of text.split(CLAUSE_BREAK)) {
    const signal = clauseSignal(clause);
    for (const index of referencesIn(clause, n))
      if (!out.some((r) => r.index === index)) out.push({ index, ...(signal ? { signal } : {}) });
  }
  return out.length > 1 ? out : undefined;
}

/** Where a message takes back what it said before: what follows replaces or amends it. */
const CORRECTION =
  /\b(?:no,?\s+wait|wait,?\s+no|actually|i mean|scratch that|on second thought|or rather|make (?:that|it)|change (?:that|it) to)\b/gi;
/** Markers that replace what came before ("sci-fi, no wait, I mean fantasy"), not add to it. */
const REPLACING =
  /\b(?:wait|i mean|scratch that|or rather|make (?:that|it)|change (?:that|it) to)\b/i;

/**
 * A correction inside the message: what follows the last marker wins. A category turned down before and
 * named after it is allowed and asked for ("no thrillers ... actually a thriller would be fine"); categories
 * asked for before a replacing marker give way to those after it; a year bound after it replaces one before.
 */
function correct(parsed: ParsedMessage, residual: string, categories: ReadonlySet<string>): void {
  const marker = [...residual.matchAll(CORRECTION)].at(-1);
  if (!marker) return;
  const after = residual.slice(marker.index + marker[0].length);
  const later = parseConstraints(after, categories).constraints;
  const named = requestedCategories(after, categories, later.excludeCategories ?? []);
  const { constraints } = parsed;
  const allowed = (constraints.excludeCategories ?? []).filter(
    (c) => named.includes(c) && !later.excludeCategories?.includes(c),
  );
  if (allowed.length) {
    constraints.excludeCategories = constraints.excludeCategories!.filter(
      (c) => !allowed.includes(c),
    );
    if (constraints.excludeCategories.length === 0) delete constraints.excludeCategories;
  }
  if (named.length && REPLACING.test(marker[0])) {
    parsed.requested = named;
    // The categories now meant are what the model should read, not the ones taken back.
    parsed.residual = after.replace(/\s+/g, " ").trim();
  } else
    for (const c of [...allowed, ...named])
      if (!parsed.requested.includes(c)) parsed.requested.push(c);
  // "..., no wait, make it the 80s": a bare decade corrects the years asked for before.
  const decade = new RegExp(`\\b${PART}((?:19|20)?\\d0)'?s\\b`, "i").exec(after);
  if (
    decade &&
    later.minYear === undefined &&
    later.maxYear === undefined &&
    (constraints.minYear !== undefined || constraints.maxYear !== undefined)
  )
    [later.minYear, later.maxYear] = decadeYears(decade[1], decade[2]!);
  if (later.minYear !== undefined || later.maxYear !== undefined) {
    delete constraints.minYear;
    delete constraints.maxYear;
    if (later.minYear !== undefined) constraints.minYear = later.minYear;
    if (later.maxYear !== undefined) constraints.maxYear = later.maxYear;
  }
}

/**
 * The category a phrase starts with, how many of its characters name it ("scary movies ..." -> horror, 12),
 * and whether the word names only a part of it ("superhero" films are some of the action films).
 */
function categoryAt(
  phrase: string,
  known: ReadonlySet<string>,
): { cat: string; word: string; length: number; part: boolean } | undefined {
  const p = phrase.toLowerCase();
  for (const { word, cat, pattern } of SYNONYM_PATTERNS) {
    const m = pattern.exec(p);
    if (m && known.has(cat))
      return { cat, word, length: m[0].length, part: PART_OF_CATEGORY.has(word) };
  }
  for (const cat of known)
    if (p.startsWith(cat)) return { cat, word: cat, length: cat.length, part: false };
  return undefined;
}

/** Each synonym at the start of a phrase, with the "movies" after it: compiled once, read on every message. */
const SYNONYM_PATTERNS = Object.entries(CATEGORY_SYNONYMS).map(([word, cat]) => ({
  word,
  cat,
  pattern: new RegExp(
    `^${word.replace(/[-\s]/g, "[-\\s]?")}s?\\b(?:\\s+(?:movies?|films?|flicks?|ones))?`,
  ),
}));

/** Words for a part of a category: turning them down ("I don't care for superhero films") rules out that part, not the category. */
const PART_OF_CATEGORY = new Set(["superhero", "superheroes", "anime", "space"]);

function categoryIn(phrase: string, known: ReadonlySet<string>): string | undefined {
  return categoryAt(phrase, known)?.cat;
}

const WHAT =
  "(?:movies?|films?|flicks?|books?|ones|stuff|something|anything|classics?|comed(?:y|ies)|horrors?|thrillers?|dramas?|action|musicals?|westerns?|cartoons?|romance|rom[- ]?coms?|sci[- ]?fi|fantasy|animated|animation|adventures?|myster(?:y|ies)|crime|war|documentar(?:y|ies))";
const YEAR_RANGE =
  /\b(?:between\s+((?:19|20)\d\d)\s+and\s+((?:19|20)\d\d)|(?:from\s+)?((?:19|20)\d\d)\s*(?:-|–|to|through|until)\s*((?:19|20)\d\d))\b/i;
const LAST_YEARS =
  /\b(?:from |in |of |within )?the (?:last|past)\s+(?:(\d{1,2}|two|three|four|five|ten|twenty|couple of|few)\s+)?(years?|decades?)\b/i;
const WORD_COUNT: Record<string, number> = {
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  ten: 10,
  twenty: 20,
  "couple of": 2,
  few: 3,
};

/** "early", "mid" or "late" before a decade: a part of it. */
const PART = "(?:(early|mid|late)[- ]?)?";
/**
 * "comedies from the 80s", "something from the 1990s", "90s movies", "an 80's horror", "early 90s action",
 * and "from the 2000s" opening a clause ("thrillers, from the 2000s").
 */
const DECADE_REQUEST = new RegExp(
  `(?:\\b${WHAT}(?:\\s+[a-z-]+)?\\s+|(?:^\\s*|[,;:]\\s*|\\b(?:only|just|but|and|preferably)\\s+))(?:from|of|in)\\s+the\\s+${PART}((?:19|20)?\\d0)'?s\\b|\\b${PART}((?:19|20)?\\d0)'?s\\s+${WHAT}`,
  "i",
);
/** "films by Sofia Coppola from the 2000s": with a person asked for, "from the Xs" anywhere is a request. */
const DECADE_AFTER_NAME = new RegExp(
  `\\b(?:from|of|in)\\s+the\\s+${PART}((?:19|20)?\\d0)'?s\\b`,
  "i",
);
/** "something recent", "new movies", "the latest films", "anything newer". */
const RECENT_REQUEST = new RegExp(
  `\\b(?:recent|new|newer|latest)\\s+(?:movies?|films?|releases?|flicks?|books?|stuff|comed(?:y|ies)|horrors?|thrillers?|dramas?|action)\\b|\\b(?:something|anything)\\s+(?:more\\s+)?(?:recent|new|newer)\\b`,
  "i",
);

/** "80's", "1990s", "70" -> the decade's first year. */
function decadeStart(d: string): number {
  const n = Number(d);
  return n < 100 ? n + (n >= 30 ? 1900 : 2000) : n;
}

/** The years of a decade, or of its part ("early 90s": 1990-1994, "mid": 3-6, "late": 5-9). */
function decadeYears(part: string | undefined, d: string): [number, number] {
  const start = decadeStart(d);
  const p = part?.toLowerCase();
  return p === "early"
    ? [start, start + 4]
    : p === "mid"
      ? [start + 3, start + 6]
      : p === "late"
        ? [start + 5, start + 9]
        : [start, start + 9];
}

/** Two decades joined by "or", "and", "to", "-" or "/" ("80's or 90's comedy", "80s or early 90s"). */
const DECADE_SPAN = new RegExp(
  `\\b${PART}((?:19|20)?\\d0)'?s\\s*(?:or|and|to|through|-|\\/|&)\\s*(?:the\\s+)?${PART}((?:19|20)?\\d0)'?s\\b`,
  "gi",
);

/**
 * A category turned down: "no horror", "I don't like horror movies", "not a fan of horror", "not really into
 * scary movies", "anything other than horror". Words may stand between the turning-down and the category
 * ("not really into", "don't much care for"), but only these: "I don't know, maybe horror" turns nothing down.
 * Read as a request, "I don't like horror" had put horror first.
 */
const TURNED_DOWN =
  "not in the mood for|(?:tired|sick) of|no|not|without|nothing|none of (?:the|that)|skip|avoid|hate|dislike|detest|can'?t stand|can'?t do|don'?t|do not|didn'?t|doesn'?t|does not|won'?t|never|other than|rather than|except(?: for)?|anything but";
const BETWEEN =
  "really|too|much|big|huge|a|an|any|more|of|on|into|fan|fond|like|liked|enjoy|love|want|care|for|watch|do|get";
/** Words that may stand between and also name a category: "who doesn't love Frozen" turns down no romance. */
const BETWEEN_WORDS = new Set(BETWEEN.split("|"));
const EXCLUDE = new RegExp(
  `\\b(?:${TURNED_DOWN})\\s+(?:(?:${BETWEEN})\\s+)*([a-z][a-z\\- ]{2,20})`,
  "gi",
);
/** The category first: "horror is not my thing", "scary movies aren't for me". */
const EXCLUDE_AFTER =
  /\b([a-z][a-z-]{2,20})\s+(?:movies?\s+|films?\s+)?(?:(?:is|are)\s+not|isn'?t|aren'?t)\s+(?:really\s+|quite\s+|exactly\s+)?(?:for me|my(?:\s+(?:thing|cup of tea|style|genre|taste))?)\b/gi;

/** Turning a year bound around: "nothing after 2000" is an upper bound, "no older than 2005" a lower one. */
const NO_YEARS = "(nothing|none|no(?:thing)?(?:\\s+(?:movies?|films?|ones?))?|not|never)";
const AFTER_YEAR = new RegExp(
  `\\b(?:${NO_YEARS}\\s+)?(?:after|since|newer than|later than|from after|post)\\s+(?:the\\s+year\\s+)?((?:19|20)\\d\\d)\\b`,
  "i",
);
const BEFORE_YEAR = new RegExp(
  `\\b(?:${NO_YEARS}\\s+)?(?:before|older than|earlier than|pre|until)\\s+((?:19|20)\\d\\d)\\b`,
  "i",
);

/** Before "newer movies": the person does not want them ("I don't tend to watch", "not big on"). */
const NOT_WANTED =
  /\b(?:don'?t|do not|never|hate|dislike|can'?t stand|not (?:into|a fan of|big on|interested in))\b/i;

function parseConstraints(
  text: string,
  categories: ReadonlySet<string>,
  /** The message asks for a person's films: "from the 2000s" after the name is part of that request. */
  asksForPerson = false,
): { constraints: ParsedMessage["constraints"]; residual: string } {
  const constraints: ParsedMessage["constraints"] = {};
  let residual = text;
  // No filter for a part (no category says "superhero"), but it is no request either.
  const turnDown = (found: { cat: string; part: boolean }) => {
    if (!found.part && !constraints.excludeCategories?.includes(found.cat))
      (constraints.excludeCategories ??= []).push(found.cat);
  };
  for (const m of text.matchAll(EXCLUDE)) {
    const found = categoryAt(m[1]!, categories);
    if (!found || BETWEEN_WORDS.has(found.word)) continue;
    turnDown(found);
    // Out of what the model reads goes the turning-down up to the category, not the words after it.
    residual = residual.replace(m[0].slice(0, m[0].length - m[1]!.length + found.length), " ");
  }
  for (const m of text.matchAll(EXCLUDE_AFTER)) {
    const found = categoryAt(m[1]!, categories);
    if (!found) continue;
    turnDown(found);
    residual = residual.replace(m[0], " ");
  }
  // "only comedies", "just horror": a standing preference (a boost in ranking, not a filter).
  for (const m of text.matchAll(
    /\b(?:only|just)\s+(?:a\s+|an\s+|some\s+)?([a-z][a-z\- ]{2,20})/gi,
  )) {
    const cat = categoryIn(m[1]!, categories);
    if (cat && !constraints.excludeCategories?.includes(cat))
      (constraints.includeCategories ??= []).push(cat);
  }
  // "after 2012", "newer than 2005", "made later than 1990"; turned down ("nothing after 2000", "no later
  // than 2000") it is an upper bound.
  const after = AFTER_YEAR.exec(text);
  if (after && after[1]) {
    constraints.maxYear = Number(after[2]) - (/since/i.test(after[0]) ? 1 : 0);
    residual = residual.replace(after[0], " ");
  } else if (after) {
    constraints.minYear = Number(after[2]) + (/since/i.test(after[0]) ? 0 : 1);
    residual = residual.replace(after[0], " ");
  }
  // "2015 or later", "2000 and newer", "2010 onwards", "2010+"; "1995 or earlier".
  const openYear =
    /\b((?:19|20)\d\d)\s*(?:(?:or|and)\s+(?:(later|newer|after|up|above)|(earlier|older|before))\b|(onwards?\b|\+))/i.exec(
      text,
    );
  if (openYear && !after && !/\b(?:from|since|in)\s*$/i.test(text.slice(0, openYear.index))) {
    if (openYear[3]) constraints.maxYear = Number(openYear[1]);
    else constraints.minYear = Number(openYear[1]);
    residual = residual.replace(openYear[0], " ");
  }
  const before = BEFORE_YEAR.exec(text);
  if (before && before[1] && !after) {
    // "nothing before 2012": from 2012 on.
    constraints.minYear = Number(before[2]);
    residual = residual.replace(before[0], " ");
  } else if (before && !before[1]) {
    constraints.maxYear = Number(before[2]) - (/until/i.test(before[0]) ? 0 : 1);
    residual = residual.replace(before[0], " ");
  }
  // "between 1995 and 2005", "from 1995 to 2005", "1995-2005": both bounds.
  const range = YEAR_RANGE.exec(text);
  if (range && !after && !before) {
    const [lo, hi] = [Number(range[1] ?? range[3]), Number(range[2] ?? range[4])].sort(
      (a, b) => a - b,
    );
    constraints.minYear = lo;
    constraints.maxYear = hi;
    residual = residual.replace(range[0], " ");
  }
  // "from the last 10 years", "in the past decade": counted back from this year.
  const lastYears = LAST_YEARS.exec(text);
  if (lastYears && !range && !after && !before) {
    const span = lastYears[1]
      ? (WORD_COUNT[lastYears[1].toLowerCase()] ?? Number(lastYears[1]))
      : 1;
    constraints.minYear =
      new Date().getUTCFullYear() - span * (lastYears[2]!.startsWith("decade") ? 10 : 1);
    residual = residual.replace(lastYears[0], " ");
  }
  // "anything from 2001": that year; "from 2001 on" is a lower bound.
  const fromYear =
    /\b(?:from|released in|made in|came out in)\s+((?:19|20)\d\d)\b(\s*(?:on(?:wards?)?|and (?:later|after|up|newer)|or (?:later|newer|after)|\+))?(?!'?s|\s*(?:-|to|through|and|or)\s*(?:19|20)?\d\d)/i.exec(
      text,
    );
  if (fromYear && !after && !before && !range) {
    constraints.minYear = Number(fromYear[1]);
    if (!fromYear[2]) constraints.maxYear = Number(fromYear[1]);
    residual = residual.replace(fromYear[0], " ");
  }
  // "the best movies of 2019", "2016 films": that year.
  const yearOfFilms =
    /\b(?:(?:movies|films|ones|picks)\s+of\s+((?:19|20)\d\d)|((?:19|20)\d\d)\s+(?:movies|films))\b/i.exec(
      text,
    );
  if (yearOfFilms && !fromYear && !after && !before && !range) {
    constraints.minYear = constraints.maxYear = Number(yearOfFilms[1] ?? yearOfFilms[2]);
    residual = residual.replace(yearOfFilms[0], " ");
  }
  // A decade or "new" only becomes a standing filter when it is asked for ("comedies from the 80s", "90s
  // movies", "something recent"): "a kid from the 80's", "happy new year" and "I like older comedies, or
  // newer ones too" are not requests (on ReDial dev they had blocked 4% of the movies people were offered).
  const decade = DECADE_REQUEST.exec(text) ?? (asksForPerson ? DECADE_AFTER_NAME.exec(text) : null);
  if (decade && !after && !before) {
    let [from, to] = decadeYears(decade[1] ?? decade[3], decade[2] ?? decade[4]!);
    // "80's or 90's comedy", "70s and 80s movies": the span from the first decade named to the last.
    // Only a span that reaches into the request counts: "I grew up in the 60s and 70s ... comedies from the 90s" is 1990-1999.
    const span = [...text.slice(0, decade.index + decade[0].length).matchAll(DECADE_SPAN)].find(
      (m) => m.index + m[0].length > decade.index,
    );
    if (span) {
      const [a, b] = [decadeYears(span[1], span[2]!), decadeYears(span[3], span[4]!)];
      [from, to] = [Math.min(a[0], b[0], from), Math.max(a[1], b[1])];
    }
    // The phrase stays in the residual: "comedies" in "comedies from the 80s" is what the model should read.
    if (from >= 1900 && to <= 2039) {
      constraints.minYear = from;
      constraints.maxYear = to;
    }
  }
  const recent = RECENT_REQUEST.exec(text);
  const clauseBefore = recent
    ? (text
        .slice(Math.max(0, recent.index - 40), recent.index)
        .split(/[.!?;,]|\bbut\b/i)
        .at(-1) ?? "")
    : "";
  // "I don't tend to watch newer movies" is no request for them.
  if (
    recent &&
    !NOT_WANTED.test(clauseBefore) &&
    !/\b(older|old|any (time|year|period))\b/i.test(text) &&
    constraints.minYear === undefined
  ) {
    constraints.minYear = 2010;
    constraints.minYearLapses = true;
  }
  if (
    /\b(any (genre|year)|no (more )?(limits|constraints|filters)|forget (the|my) (filters|constraints)|reset filters)\b/i.test(
      text,
    )
  )
    constraints.clear = true;
  return { constraints, residual };
}

/** Synonyms too often meant otherwise to read as a request ("I love comedies", "lost in space"). */
const NOT_A_REQUEST = new Set(["love", "laugh", "space", "music", "docs"]);
const requestKey = (w: string) => w.toLowerCase().replace(/[-\s]+/g, " ");
const REQUEST_CATEGORY = new Map(
  Object.entries(CATEGORY_SYNONYMS)
    .filter(([w]) => !NOT_A_REQUEST.has(w))
    .map(([w, cat]) => [requestKey(w), cat]),
);
const REQUEST = new RegExp(
  `\\b(${[...REQUEST_CATEGORY.keys()]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/ /g, "[-\\s]?"))
    .join("|")})\\b`,
  "gi",
);

/**
 * A catalog's own categories that no synonym or mood word covers, asked for by their own name ("more
 * business", "politics please" in a news catalog): one word (names with a space are people, see
 * namedCategories), matched whole with an optional plural "s". The demo movie genres are all synonyms (or a
 * mood word: "short"), so they read as before. Built once per set of categories.
 */
const OWN_NAMES = new WeakMap<ReadonlySet<string>, RegExp | undefined>();
function ownCategoryPattern(known: ReadonlySet<string>): RegExp | undefined {
  if (OWN_NAMES.has(known)) return OWN_NAMES.get(known);
  const covered = new Set(
    Object.entries(CATEGORY_SYNONYMS).flatMap(([w, c]) => [requestKey(w), requestKey(c)]),
  );
  const mood = new RegExp(`^(?:${MOOD_WORDS.source})$`, "i");
  const own = [...known].filter((c) => {
    const key = requestKey(c);
    return (
      /^[a-z][a-z-]{2,}$/.test(c) && !covered.has(key) && !NOT_A_REQUEST.has(key) && !mood.test(key)
    );
  });
  const pattern = own.length
    ? new RegExp(
        `\\b(${own
          .sort((a, b) => b.length - a.length)
          .map((c) => c.replace(/-/g, "[-\\s]?"))
          .join("|")})s?\\b`,
        "gi",
      )
    : undefined;
  OWN_NAMES.set(known, pattern);
  return pattern;
}

/** Just before a category: the person wants less of it ("less business", "fewer of the comedies"), not more. */
const LESS_BEFORE = /\b(?:less|fewer)\s+(?:(?:about|on|of)\s+)?(?:the\s+)?$/i;

function requestedCategories(
  residual: string,
  known: ReadonlySet<string>,
  excluded: readonly string[],
): string[] {
  const out: string[] = [];
  const add = (cat: string | undefined, at: number) => {
    if (!cat || !known.has(cat) || excluded.includes(cat) || out.includes(cat)) return;
    if (LESS_BEFORE.test(residual.slice(0, at))) return;
    out.push(cat);
  };
  for (const m of residual.matchAll(REQUEST))
    add(
      REQUEST_CATEGORY.get(requestKey(m[1]!)) ??
        REQUEST_CATEGORY.get(m[1]!.toLowerCase().replace(/[-\s]/g, "")),
      m.index,
    );
  const own = ownCategoryPattern(known);
  if (own)
    for (const m of residual.matchAll(own)) {
      const key = requestKey(m[1]!);
      add(
        [...known].find((c) => requestKey(c) === key || c.replace(/-/g, "") === key),
        m.index,
      );
    }
  return out;
}

/** "no Stephen King, something scary": a category named after a turning-down word is excluded, not asked for. */
const TURNED_DOWN_BEFORE = new RegExp(
  `\\b(?:${TURNED_DOWN})\\s+(?:(?:${BETWEEN})\\s+)*(?:\\w+\\s+)?$`,
  "i",
);

/**
 * Categories that are names, named in full or by a surname ("leo tolstoy", "tolstoy"): people asked for (the
 * ranker counts them as the items' people), or categories excluded when turned down.
 */
function namedCategories(parsed: ParsedMessage, residual: string, names: CategoryNames): void {
  for (const clause of residual.split(CLAUSE_BREAK)) {
    const words = normalizeText(clause);
    for (const category of names.find(clause)) {
      const key = normalizeText(category);
      const at = words.includes(key) ? words.indexOf(key) : words.indexOf(key.split(" ").at(-1)!);
      const excluded = parsed.constraints.excludeCategories ?? [];
      if (excluded.includes(category) || parsed.people.includes(key)) continue;
      // "less stephen king": less of them is no request for them (the critique reads it).
      if (at > 0 && LESS_BEFORE.test(words.slice(0, at))) continue;
      if (at > 0 && TURNED_DOWN_BEFORE.test(words.slice(0, at)))
        parsed.constraints.excludeCategories = [...excluded, category];
      else parsed.people.push(key);
    }
  }
}

/** "I've seen that", "already watched it", "seen it": the person has seen the item. */
const SEEN_IT =
  /\b(?:i'?ve (?:already )?(?:seen|watched|read)|already (?:seen|watched|read)|(?:seen|watched|read) (?:it|that|this))\b/i;
/** "I haven't seen it", "never watched that": the opposite of a seen signal. */
const NOT_SEEN =
  /\b(?:haven'?t|have not|never|not yet|didn'?t|did not)\s+(?:ever\s+)?(?:seen|watched|read|see|watch)\b/i;

/** Just before a title: it is turned down ("nolan films but not batman", "not john wick though"). */
const NOT_THIS = /\b(?:not|no|except|except for|other than|apart from|besides|anything but)\s+$/i;

/** An audience of grown-ups: "for grown-ups", "adults only", "an adult drama" (not "young adult"). */
const ADULT_AUDIENCE =
  /\b(?:(?:just |only )?for (?:grown[- ]?ups|adults|grownups)|adults? only|(?<!young )(?:adult|grown[- ]?up)(?= (?:drama|film|movie|comed|thriller|story|animation|animated|cartoon)))/i;

function polarityAround(text: string, start: number, end: number): ParsedMention["polarity"] {
  const before = text.slice(Math.max(0, start - 40), start);
  const clauseBefore = before.split(/[.!?;]|\bbut\b/i).at(-1) ?? "";
  const after = text.slice(end, end + 30).split(/[.!?;,]|\bbut\b|\band\b/i)[0] ?? "";
  if (NEGATIVE.test(clauseBefore) || NEGATIVE.test(after) || NOT_THIS.test(clauseBefore)) {
    // "not inception, i've seen that": the reason it is turned down is that it was seen.
    const sentenceAfter = text.slice(end, end + 40).split(/[.!?;]|\bbut\b/i)[0] ?? "";
    return SEEN_IT.test(sentenceAfter) && !NOT_SEEN.test(sentenceAfter) ? "seen" : "dislike";
  }
  if (
    /\b(like|similar to|such as|as good as|along the lines of|in the vein of|reminds? me of)\s*$/i.test(
      clauseBefore,
    )
  )
    return "like";
  if (POSITIVE.test(clauseBefore) || POSITIVE.test(after)) return "like";
  return "neutral";
}

export interface ParseContext {
  titles: TitleIndex;
  categories: ReadonlySet<string>;
  /** Length of the last list shown, to validate references. */
  lastListLength: number;
  people?: PeopleIndex;
  /** Categories that are names ("leo tolstoy"), found by name in the message. */
  categoryNames?: CategoryNames;
}

/** Television, not films: "tv", "sitcom", "a tv series", "my favourite show" ("show me" is no show). */
const ABOUT_TV =
  /\b(?:tv|television|sitcoms?|netflix series|(?:a|the|my|our|this|that|favou?rite|good|tv) (?:tv )?(?:shows?|series)\b(?! of (?:films|movies))|shows like|episodes?|seasons? \d)/i;

/** "what else did that director make?", "more with the same actor", "that writer's other films". */
const PEOPLE_OF_FOCUS =
  /\b(?:that|this|the same|the) (director|filmmaker|writer|screenwriter|author|actor|actress)(?:'s| (?:make|made|do|did|direct|write|wrote|star|starred|in)\b|\s*[?.!]?\s*$)/i;
const ROLE_OF: Readonly<Record<string, "directors" | "writers" | "stars">> = {
  director: "directors",
  filmmaker: "directors",
  writer: "writers",
  screenwriter: "writers",
  author: "writers",
  actor: "stars",
  actress: "stars",
};

/** "the seventies", "the late eighties": a decade in words, read as its digits ("the 70s"). */
const DECADE_WORD =
  /\bthe\s+((?:early|mid|late)[\s-]+)?(twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b/gi;
const DECADE_DIGITS: Readonly<Record<string, string>> = {
  twenties: "20s",
  thirties: "30s",
  forties: "40s",
  fifties: "50s",
  sixties: "60s",
  seventies: "70s",
  eighties: "80s",
  nineties: "90s",
};

export function parseMessage(text: string, ctx: ParseContext): ParsedMessage {
  const said = new Map<string, string>(); // "the 70s" -> "the seventies", to quote the person's own words
  const parsed = parseText(
    text.trim().replace(DECADE_WORD, (words: string, part: string | undefined, word: string) => {
      const digits = `the ${part ?? ""}${DECADE_DIGITS[word.toLowerCase()]!}`;
      said.set(digits, words);
      return digits;
    }),
    ctx,
  );
  for (const [digits, words] of said) parsed.residual = parsed.residual.replace(digits, words);
  return parsed;
}

function parseText(t: string, ctx: ParseContext): ParsedMessage {
  const lower = t.toLowerCase();
  // A person's name beats a shorter title inside it ("Chevy Chase" is not the film "Chase"); a longer title
  // beats a name inside it ("Being John Malkovich").
  const named = ctx.people?.findNamed(t) ?? [];
  const names = named.map((n) => n.matched);
  const linked = ctx.titles.find(t);
  const unsure = linked.find((m) => m.typo === "unsure");
  // "for grown-ups", "adults only": an audience, not the film "Grown Ups"; "2000 to 2009" holds no "To".
  const audience = ADULT_AUDIENCE.exec(t);
  const spans = [audience, YEAR_RANGE.exec(t)].filter((m) => m !== null);
  const mentionsRaw = linked.filter((m) => {
    if (m.typo === "unsure") return false;
    if (spans.some((x) => m.start < x.index + x[0].length && m.end > x.index)) return false;
    const key = ` ${normalizeText(m.matched)} `;
    return !names.some(
      (n) => n.split(" ").length > key.trim().split(" ").length && ` ${n} `.includes(key),
    );
  });
  let residual = t;
  // "and" joins titles: "loved Inception and The Matrix" likes both.
  const mentions: ParsedMention[] = [];
  for (const m of mentionsRaw) {
    let polarity = polarityAround(t, m.start, m.end);
    const prev = mentions.at(-1);
    if (
      polarity === "neutral" &&
      prev &&
      /^\s*(,|and|&|or|,\s*and)\s*$/i.test(t.slice(mentionsRaw[mentions.length - 1]!.end, m.start))
    )
      polarity = prev.polarity;
    mentions.push({ itemId: m.itemId, matched: m.matched, polarity });
    residual = residual.replace(m.matched, " ");
  }
  const { constraints, residual: afterConstraints } = parseConstraints(
    residual,
    ctx.categories,
    named.length > 0,
  );
  residual = afterConstraints;
  if (audience) {
    residual = residual.replace(audience[0], " ");
    if (ctx.categories.has("family") && !constraints.excludeCategories?.includes("family"))
      (constraints.excludeCategories ??= []).push("family");
  }
  const reference = ctx.lastListLength > 0 ? findReference(lower) : undefined;

  // The names found above that the title and constraint removal left in place (no second index walk).
  const residualKey = ` ${normalizeText(residual)} `;
  const people = [
    ...new Set(named.filter((n) => residualKey.includes(` ${n.matched} `)).map((n) => n.key)),
  ];
  const base: ParsedMessage = {
    intent: "recommend",
    mentions,
    constraints,
    residual: residual.replace(/\s+/g, " ").trim(),
    people,
    requested: requestedCategories(residual, ctx.categories, constraints.excludeCategories ?? []),
  };
  if (ctx.categoryNames) namedCategories(base, residual, ctx.categoryNames);
  const span = DATED_SPAN.exec(t);
  if (span) base.datedSpan = span[0].toLowerCase();
  if (ABOUT_TV.test(t)) base.aboutTv = true;
  if (NEWEST.test(t) && !NOT_WANTED.test(t)) base.newest = true;
  if (reference !== undefined) base.reference = reference;
  if (unsure) base.didYouMean = unsure.itemId;
  const peopleOf = mentionsRaw.flatMap((m) => {
    const before = t.slice(0, m.start);
    const role = PEOPLE_OF.find(([pattern]) => pattern.test(before))?.[1];
    return role ? [{ itemId: m.itemId, role }] : [];
  });
  if (peopleOf.length) base.peopleOf = peopleOf;
  else {
    const focus = PEOPLE_OF_FOCUS.exec(t);
    if (focus) base.peopleOfFocus = ROLE_OF[focus[1]!.toLowerCase()]!;
  }
  const maxRuntime = maxRuntimeOf(t);
  if (maxRuntime !== undefined) base.maxRuntime = maxRuntime;
  correct(base, residual, ctx.categories);
  const several = ctx.lastListLength > 0 ? findReferences(t, ctx.lastListLength) : undefined;
  if (several) {
    base.references = several;
    base.reference = several[0]!.index;
    const signal = several.find((r) => r.signal)?.signal;
    if (signal) return { ...base, intent: "feedback", signal };
    if (/\b(?:more like|similar to|something like|like (?:those|these|them))\b/i.test(lower))
      return { ...base, intent: "critique" };
  }

  if (/^\s*(help|\/?help|what can you do|how (do|does) (this|you) work|commands)\b/i.test(lower))
    return { ...base, intent: "help" };
  if (
    /\b(forget me|delete (all )?my (data|profile)|erase (me|my data)|remove my data)\b/i.test(lower)
  )
    return { ...base, intent: "forget" };
  if (
    /\b(what (do|would) you think i (like|want|enjoy)|what do i like|my (profile|interests|taste)|show (me )?my (profile|interests)|what have you learn(ed|t) about me|what do you know about me)\b/i.test(
      lower,
    )
  ) {
    return { ...base, intent: "profile" };
  }
  if (ABOUT.test(lower) && (reference !== undefined || mentions.length > 0 || ABOUT_IT.test(lower)))
    return { ...base, intent: "about" };
  if (/^\s*why\b|\bwhy (that|this|the|did you|would i)\b|\bexplain\b/i.test(lower))
    return { ...base, intent: "explain" };
  if (mentions.length === 0 || reference !== undefined) {
    if (!NOT_SEEN.test(lower) && SEEN_IT.test(lower)) {
      return { ...base, intent: "feedback", signal: "seen" };
    }
    if (
      /\b(not (that|this) one|not for me|no thanks?|nah|nope|don'?t like (it|that|this)|hate (it|that|this)|not interested|something else|skip (it|that|this)|(?:didn'?t|did not|don'?t|do not) (?:like|love|enjoy) (?:it|that|this|the \w+(?: one)?)|hated? (?:the \w+ one|that one))\b/i.test(
        lower,
      )
    ) {
      return { ...base, intent: "feedback", signal: "dislike" };
    }
    if (
      /\b(more like|similar to|like (that|this|the \w+) one|something like (it|that|this|the \w+ one))\b/i.test(
        lower,
      ) &&
      reference !== undefined
    ) {
      return { ...base, intent: "critique" };
    }
    if (/\b(more like (that|this|it)|something like (that|this|it))\b/i.test(lower))
      return { ...base, intent: "critique" };
    if (
      /\b(i (love|loved|like|liked|enjoyed) (it|that|this)|sounds (good|great)|great pick|perfect|love (it|that|this))\b/i.test(
        lower,
      )
    ) {
      return { ...base, intent: "feedback", signal: "like" };
    }
  }
  if (/^\s*(hi|hello|hey|yo|good (morning|afternoon|evening)|howdy)\b[\s!.,]*$/i.test(lower))
    return { ...base, intent: "greeting" };
  if (MORE_OF_THE_SAME.test(lower)) return { ...base, asksForMore: true };
  if (/\b(more like|similar to|something like)\b/i.test(lower) && mentions.length > 0) {
    return { ...base, intent: "recommend", moreLike: mentions.at(-1)!.itemId };
  }
  return base;
}
