// Pure profile math: a person's profile is a fold of their events over time (no I/O here). The formulas are
// written out in the README ("Profile dynamics"); the parameters are ProfileSettings, so decay can be switched off.
import type { Signal } from "../types.ts";

export interface ProfileSettings {
  /** Time half-lives (Infinity: no time decay). */
  shortHalfLifeMs: number;
  longHalfLifeMs: number;
  /** Factor per event (turn or feedback); 1: no turn decay. Negative interests decay like long-term ones. */
  shortTurnDecay: number;
  longTurnDecay: number;
  /** Share of a message's interests that goes to the long-term part. */
  longTermRate: number;
  /** How much a liked item adds to the short- and long-term parts (its interest row and vector). */
  likeShort: number;
  likeLong: number;
  /** A click ("more like this") counts this much in the short term. */
  click: number;
  /** Weights of the normalised short-term, long-term and negative parts in the interest scores. */
  shortWeight: number;
  longWeight: number;
  negativeWeight: number;
  /** Softmax temperature over the interest scores. */
  temperature: number;
}

export const DEFAULT_PROFILE_SETTINGS: Readonly<ProfileSettings> = Object.freeze({
  shortHalfLifeMs: 20 * 60_000,
  longHalfLifeMs: 30 * 24 * 3_600_000,
  shortTurnDecay: 0.7,
  longTurnDecay: 0.98,
  longTermRate: 0.3,
  likeShort: 1,
  likeLong: 0.6,
  click: 0.3,
  shortWeight: 0.6,
  longWeight: 0.4,
  negativeWeight: 0.5,
  temperature: 0.1,
});

/** The same profile with nothing forgotten: no decay by time and none by turns. */
export const NO_DECAY_PROFILE_SETTINGS: Readonly<ProfileSettings> = Object.freeze({
  ...DEFAULT_PROFILE_SETTINGS,
  shortHalfLifeMs: Infinity,
  longHalfLifeMs: Infinity,
  shortTurnDecay: 1,
  longTurnDecay: 1,
});

const MAX_ITEM_LIST = 500;

export interface Constraints {
  excludeCategories: string[];
  includeCategories: string[];
  minYear?: number;
  maxYear?: number;
  /** minYear came from a vague "something newer": it holds for that request and its "more", and lapses at the next request for something else. */
  minYearLapses?: true;
}

export interface Profile {
  createdAt: number;
  updatedAt: number;
  /** Number of events folded in; also the last event's sequence number. */
  seq: number;
  shortTerm: Float32Array;
  longTerm: Float32Array;
  negative: Float32Array;
  shortVec: Float32Array;
  longVec: Float32Array;
  negVec: Float32Array;
  liked: string[];
  disliked: string[];
  seen: string[];
  mentioned: string[];
  /** People (directors, stars, authors) the person named, as name keys, most recent last. */
  people: string[];
  /** Items recommended before (most recent last): shown again only after fresher ones. */
  shown: string[];
  constraints: Constraints;
  /** The last list shown, for "the second one", "not that one", "why?". */
  lastList: string[];
  focus?: string;
  /** What the last request asked for by name, which its follow-ups ("older", "more", "funnier") keep to. */
  lastAsk?: Ask;
}

/** What a request asked for by name: people (name keys), studios and series, categories. */
export interface Ask {
  people?: string[];
  collections?: string[];
  categories?: string[];
}

/** What one processed message or feedback contributes; stored as the durable event. */
export interface ProfileEvent {
  seq: number;
  at: number;
  kind: "message" | "feedback";
  messageId?: string;
  intent: string;
  /** Raw text only when the operator enables it. */
  text?: string;
  interests?: number[];
  embedding?: number[];
  confidence?: number;
  signals: Array<{ itemId: string; signal: Signal | "mention" }>;
  /** People the message named (name keys). */
  people?: string[];
  /** `allowCategories`: asked for by name now ("something scary"), so a standing exclusion of them ends. */
  /** `endVagueYear`: a new request that does not repeat a vague "newer" (see Constraints.minYearLapses) ends it. */
  constraints?: Partial<Constraints> & {
    clear?: boolean;
    allowCategories?: string[];
    endVagueYear?: true;
  };
  shown: string[];
  focus?: string;
  /** Set by a request with a topic of its own: what it asked for by name (empty: nothing), replacing the last. */
  ask?: Ask;
  /**
   * A turn that only read the profile ("why?", "what do you think I like?", help, hello): on record, so the
   * history lists every processed message and a redelivery is recognised, but the profile stays as it was.
   */
  passive?: true;
}

/** Item vectors and interest rows the fold needs; the catalog provides them. */
export interface ItemLookup {
  vectorOf(itemId: string): Float32Array | undefined;
  interestsOf(itemId: string): Float32Array | undefined;
}

export function emptyProfile(labels: number, dim: number, now: number): Profile {
  return {
    createdAt: now,
    updatedAt: now,
    seq: 0,
    shortTerm: new Float32Array(labels),
    longTerm: new Float32Array(labels),
    negative: new Float32Array(labels),
    shortVec: new Float32Array(dim),
    longVec: new Float32Array(dim),
    negVec: new Float32Array(dim),
    liked: [],
    disliked: [],
    seen: [],
    mentioned: [],
    people: [],
    shown: [],
    constraints: { excludeCategories: [], includeCategories: [] },
    lastList: [],
  };
}

/** perTurn · 2^(−Δt / halfLife); an infinite half-life keeps only the per-turn factor. */
export function decayFactor(elapsedMs: number, halfLifeMs: number, perTurn: number): number {
  return halfLifeMs === Infinity
    ? perTurn
    : perTurn * Math.pow(2, -Math.max(0, elapsedMs) / halfLifeMs);
}

/** A proper softmax: exp(x_i / τ) / Σ_j exp(x_j / τ), computed stably (max subtracted). */
export function softmax(x: ArrayLike<number>, temperature = 1): Float32Array {
  const out = new Float32Array(x.length);
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) max = Math.max(max, x[i]!);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += out[i] = Math.exp((x[i]! - max) / temperature);
  for (let i = 0; i < x.length; i++) out[i]! /= sum;
  return out;
}

/** 1 − normalised entropy: 0 for a flat distribution, 1 for a certain one. */
export function confidence(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) h -= p[i]! * Math.log(p[i]!);
  return p.length > 1 ? Math.max(0, 1 - h / Math.log(p.length)) : 0;
}

function scale(v: Float32Array, f: number): void {
  for (let i = 0; i < v.length; i++) v[i]! *= f;
}

function add(v: Float32Array, x: ArrayLike<number>, w: number): void {
  for (let i = 0; i < v.length; i++) v[i]! += w * (x[i] ?? 0);
}

function pushUnique(list: string[], id: string): string[] {
  const out = list.filter((x) => x !== id);
  out.push(id);
  return out.length > MAX_ITEM_LIST ? out.slice(-MAX_ITEM_LIST) : out;
}

function clone(p: Profile): Profile {
  return {
    ...p,
    shortTerm: p.shortTerm.slice(),
    longTerm: p.longTerm.slice(),
    negative: p.negative.slice(),
    shortVec: p.shortVec.slice(),
    longVec: p.longVec.slice(),
    negVec: p.negVec.slice(),
    liked: [...p.liked],
    disliked: [...p.disliked],
    seen: [...p.seen],
    mentioned: [...p.mentioned],
    people: [...p.people],
    shown: [...p.shown],
    constraints: {
      ...p.constraints,
      excludeCategories: [...p.constraints.excludeCategories],
      includeCategories: [...p.constraints.includeCategories],
    },
    lastList: [...p.lastList],
    ...(p.lastAsk ? { lastAsk: { ...p.lastAsk } } : {}),
  };
}

function applyConstraints(
  c: Constraints,
  change: NonNullable<ProfileEvent["constraints"]>,
): Constraints {
  const next: Constraints = change.clear
    ? { excludeCategories: [], includeCategories: [] }
    : { ...c };
  for (const cat of change.excludeCategories ?? []) {
    next.excludeCategories = [...new Set([...next.excludeCategories, cat])];
    next.includeCategories = next.includeCategories.filter((x) => x !== cat);
  }
  for (const cat of change.includeCategories ?? []) {
    next.includeCategories = [...new Set([...next.includeCategories, cat])];
    next.excludeCategories = next.excludeCategories.filter((x) => x !== cat);
  }
  if (change.allowCategories?.length)
    next.excludeCategories = next.excludeCategories.filter(
      (x) => !change.allowCategories!.includes(x),
    );
  if (change.endVagueYear && next.minYearLapses) {
    delete next.minYear;
    delete next.minYearLapses;
  }
  if (change.minYear !== undefined) {
    next.minYear = change.minYear;
    if (change.minYearLapses) next.minYearLapses = true;
    else delete next.minYearLapses;
  }
  if (change.maxYear !== undefined) next.maxYear = change.maxYear;
  // A new bound past the other standing one replaces it: "something newer" after "comedies from the 90s" is 2010 on, not nothing.
  if (next.minYear !== undefined && next.maxYear !== undefined && next.minYear > next.maxYear) {
    if (change.minYear !== undefined) delete next.maxYear;
    else {
      delete next.minYear;
      delete next.minYearLapses;
    }
  }
  return next;
}

/** The profile after one event. Pure: the same events always give the same profile. */
export function applyEvent(
  profile: Profile,
  event: ProfileEvent,
  items: ItemLookup,
  settings: Readonly<ProfileSettings> = DEFAULT_PROFILE_SETTINGS,
): Profile {
  const p = clone(profile);
  if (event.passive) {
    p.seq = event.seq; // no decay, no turn: nothing about the person changed
    return p;
  }
  const dt = event.at - p.updatedAt;
  const ds = decayFactor(dt, settings.shortHalfLifeMs, settings.shortTurnDecay);
  const dl = decayFactor(dt, settings.longHalfLifeMs, settings.longTurnDecay);
  scale(p.shortTerm, ds);
  scale(p.shortVec, ds);
  scale(p.longTerm, dl);
  scale(p.longVec, dl);
  scale(p.negative, dl);
  scale(p.negVec, dl);

  if (event.interests && event.embedding) {
    const c = event.confidence ?? confidence(event.interests);
    add(p.shortTerm, event.interests, c);
    add(p.longTerm, event.interests, settings.longTermRate * c);
    add(p.shortVec, event.embedding, c);
    add(p.longVec, event.embedding, settings.longTermRate * c);
  }

  for (const { itemId, signal } of event.signals) {
    const vec = items.vectorOf(itemId);
    const interests = items.interestsOf(itemId);
    switch (signal) {
      case "like":
        p.liked = pushUnique(p.liked, itemId);
        p.disliked = p.disliked.filter((x) => x !== itemId);
        if (interests) {
          add(p.shortTerm, interests, settings.likeShort);
          add(p.longTerm, interests, settings.likeLong);
        }
        if (vec) {
          add(p.shortVec, vec, settings.likeShort);
          add(p.longVec, vec, settings.likeLong);
        }
        break;
      case "dislike":
        p.disliked = pushUnique(p.disliked, itemId);
        p.liked = p.liked.filter((x) => x !== itemId);
        if (interests) add(p.negative, interests, 1);
        if (vec) add(p.negVec, vec, 1);
        break;
      case "seen":
        p.seen = pushUnique(p.seen, itemId);
        break;
      case "click":
        if (interests) add(p.shortTerm, interests, settings.click);
        if (vec) add(p.shortVec, vec, settings.click);
        break;
      case "mention":
        p.mentioned = pushUnique(p.mentioned, itemId);
        break;
    }
  }
  for (const name of event.people ?? []) p.people = pushUnique(p.people, name);
  if (event.constraints) p.constraints = applyConstraints(p.constraints, event.constraints);
  if (event.shown.length > 0) {
    for (const id of event.shown) p.shown = pushUnique(p.shown, id);
    p.lastList = [...event.shown];
  }
  if (event.ask) {
    if (Object.keys(event.ask).length) p.lastAsk = event.ask;
    else delete p.lastAsk;
  }
  if (event.focus !== undefined) p.focus = event.focus;
  else if (event.shown.length > 0) p.focus = event.shown[0];
  p.updatedAt = Math.max(p.updatedAt, event.at);
  p.seq = event.seq;
  return p;
}

/** The interests shown to a person: the profile's interest distribution, top `k`. */
export function topInterests(
  p: Profile,
  labels: readonly string[],
  k = 5,
  settings: Readonly<ProfileSettings> = DEFAULT_PROFILE_SETTINGS,
): Array<{ label: string; weight: number }> {
  const blend = blendedInterests(p, settings);
  // Without labels (the model's are not the catalog's: Catalog.interestLabels) there is nothing to name.
  return Array.from(blend, (weight, i) => ({ label: labels[i], weight }))
    .filter((x): x is { label: string; weight: number } => x.label !== undefined && x.weight > 0.01)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, k)
    .map((x) => ({ label: x.label, weight: Math.round(x.weight * 1000) / 1000 }));
}

function normalised(v: Float32Array): { v: Float32Array; any: boolean } {
  const sum = v.reduce((a, b) => a + b, 0);
  return sum > 0 ? { v: v.map((x) => x / sum), any: true } : { v, any: false };
}

/**
 * Net interest scores: x_i = w_s·Ŝ_i + w_l·L̂_i − w_n·N̂_i, each part normalised to sum 1; when only one of
 * S and L holds anything, it gets the whole positive weight w_s + w_l.
 */
export function interestScores(
  p: Profile,
  settings: Readonly<ProfileSettings> = DEFAULT_PROFILE_SETTINGS,
): { scores: Float32Array; evidence: boolean } {
  const s = normalised(p.shortTerm);
  const l = normalised(p.longTerm);
  const n = normalised(p.negative);
  const positive = settings.shortWeight + settings.longWeight;
  const ws = s.any ? (l.any ? settings.shortWeight : positive) : 0;
  const wl = l.any ? (s.any ? settings.longWeight : positive) : 0;
  const wn = n.any ? settings.negativeWeight : 0;
  const scores = new Float32Array(p.shortTerm.length);
  for (let i = 0; i < scores.length; i++) scores[i] = ws * s.v[i]! + wl * l.v[i]! - wn * n.v[i]!;
  return { scores, evidence: s.any || l.any || n.any };
}

/**
 * The person's interest distribution: softmax(x / τ) over the interest scores (a proper softmax, not the
 * source article's exp(x_i) / (1 + Σ_{j≠i} exp(x_j))). All zeros while nothing is known about the person.
 */
export function blendedInterests(
  p: Profile,
  settings: Readonly<ProfileSettings> = DEFAULT_PROFILE_SETTINGS,
): Float32Array {
  const { scores, evidence } = interestScores(p, settings);
  return evidence ? softmax(scores, settings.temperature) : new Float32Array(scores.length);
}

/** Items the person must never be offered again. */
export function excludedItems(p: Profile): Set<string> {
  return new Set([...p.liked, ...p.disliked, ...p.seen, ...p.mentioned]);
}

type Serialised = Omit<
  Profile,
  "shortTerm" | "longTerm" | "negative" | "shortVec" | "longVec" | "negVec"
> &
  Record<"shortTerm" | "longTerm" | "negative" | "shortVec" | "longVec" | "negVec", number[]>;

export function serialiseProfile(p: Profile): string {
  const out: Serialised = {
    ...p,
    shortTerm: Array.from(p.shortTerm),
    longTerm: Array.from(p.longTerm),
    negative: Array.from(p.negative),
    shortVec: Array.from(p.shortVec),
    longVec: Array.from(p.longVec),
    negVec: Array.from(p.negVec),
  };
  return JSON.stringify(out);
}

export function deserialiseProfile(json: string): Profile {
  const s = JSON.parse(json) as Serialised;
  return {
    ...s,
    people: s.people ?? [], // snapshots written before people were kept
    shortTerm: Float32Array.from(s.shortTerm),
    longTerm: Float32Array.from(s.longTerm),
    negative: Float32Array.from(s.negative),
    shortVec: Float32Array.from(s.shortVec),
    longVec: Float32Array.from(s.longVec),
    negVec: Float32Array.from(s.negVec),
  };
}
