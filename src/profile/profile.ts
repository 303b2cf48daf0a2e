// Pure profile math: a person's profile is a fold of their events over time (no I/O here).
//
//   decay_s(Δt) = λ_s · 2^(−Δt / H_s)      short-term: λ_s = 0.7 per turn, H_s = 20 minutes
//   decay_l(Δt) = λ_l · 2^(−Δt / H_l)      long-term:  λ_l = 0.98 per turn, H_l = 30 days
//   S ← decay_s · S + c · p      L ← decay_l · L + η · c · p      (p = P(interest | message), softmax)
//   c = 1 − H(p) / log(#labels): a vague message ("hi") barely moves the profile
//   liked item j:    S += p_j, L += p_j, and its vector joins the taste vectors;   disliked: N += p_j
import type { Signal } from "../types.ts";

export const SHORT_TERM_HALF_LIFE_MS = 20 * 60_000;
export const LONG_TERM_HALF_LIFE_MS = 30 * 24 * 3_600_000;
export const SHORT_TERM_TURN_DECAY = 0.7;
export const LONG_TERM_TURN_DECAY = 0.98;
export const LONG_TERM_RATE = 0.3;
const MAX_ITEM_LIST = 500;

export interface Constraints {
  excludeCategories: string[];
  includeCategories: string[];
  minYear?: number;
  maxYear?: number;
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
  /** Items recommended before (most recent last): shown again only after fresher ones. */
  shown: string[];
  constraints: Constraints;
  /** The last list shown, for "the second one", "not that one", "why?". */
  lastList: string[];
  focus?: string;
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
  constraints?: Partial<Constraints> & { clear?: boolean };
  shown: string[];
  focus?: string;
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
    shown: [],
    constraints: { excludeCategories: [], includeCategories: [] },
    lastList: [],
  };
}

export function decayFactor(elapsedMs: number, halfLifeMs: number, perTurn: number): number {
  return perTurn * Math.pow(2, -Math.max(0, elapsedMs) / halfLifeMs);
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
    shown: [...p.shown],
    constraints: { ...p.constraints, excludeCategories: [...p.constraints.excludeCategories], includeCategories: [...p.constraints.includeCategories] },
    lastList: [...p.lastList],
  };
}

function applyConstraints(c: Constraints, change: NonNullable<ProfileEvent["constraints"]>): Constraints {
  const next: Constraints = change.clear ? { excludeCategories: [], includeCategories: [] } : { ...c };
  for (const cat of change.excludeCategories ?? []) {
    next.excludeCategories = [...new Set([...next.excludeCategories, cat])];
    next.includeCategories = next.includeCategories.filter((x) => x !== cat);
  }
  for (const cat of change.includeCategories ?? []) {
    next.includeCategories = [...new Set([...next.includeCategories, cat])];
    next.excludeCategories = next.excludeCategories.filter((x) => x !== cat);
  }
  if (change.minYear !== undefined) next.minYear = change.minYear;
  if (change.maxYear !== undefined) next.maxYear = change.maxYear;
  return next;
}

/** The profile after one event. Pure: the same events always give the same profile. */
export function applyEvent(profile: Profile, event: ProfileEvent, items: ItemLookup): Profile {
  const p = clone(profile);
  const dt = event.at - p.updatedAt;
  const ds = decayFactor(dt, SHORT_TERM_HALF_LIFE_MS, SHORT_TERM_TURN_DECAY);
  const dl = decayFactor(dt, LONG_TERM_HALF_LIFE_MS, LONG_TERM_TURN_DECAY);
  scale(p.shortTerm, ds);
  scale(p.shortVec, ds);
  scale(p.longTerm, dl);
  scale(p.longVec, dl);
  scale(p.negative, dl);
  scale(p.negVec, dl);

  if (event.interests && event.embedding) {
    const c = event.confidence ?? confidence(event.interests);
    add(p.shortTerm, event.interests, c);
    add(p.longTerm, event.interests, LONG_TERM_RATE * c);
    add(p.shortVec, event.embedding, c);
    add(p.longVec, event.embedding, LONG_TERM_RATE * c);
  }

  for (const { itemId, signal } of event.signals) {
    const vec = items.vectorOf(itemId);
    const interests = items.interestsOf(itemId);
    switch (signal) {
      case "like":
        p.liked = pushUnique(p.liked, itemId);
        p.disliked = p.disliked.filter((x) => x !== itemId);
        if (interests) { add(p.shortTerm, interests, 1); add(p.longTerm, interests, 0.6); }
        if (vec) { add(p.shortVec, vec, 1); add(p.longVec, vec, 0.6); }
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
        if (interests) add(p.shortTerm, interests, 0.3);
        if (vec) add(p.shortVec, vec, 0.3);
        break;
      case "mention":
        p.mentioned = pushUnique(p.mentioned, itemId);
        break;
    }
  }
  if (event.constraints) p.constraints = applyConstraints(p.constraints, event.constraints);
  if (event.shown.length > 0) {
    for (const id of event.shown) p.shown = pushUnique(p.shown, id);
    p.lastList = [...event.shown];
  }
  if (event.focus !== undefined) p.focus = event.focus;
  else if (event.shown.length > 0) p.focus = event.shown[0];
  p.updatedAt = Math.max(p.updatedAt, event.at);
  p.seq = event.seq;
  return p;
}

/** The interests shown to a person: short- and long-term blended, each part normalised; top `k`. */
export function topInterests(p: Profile, labels: readonly string[], k = 5): Array<{ label: string; weight: number }> {
  const blend = blendedInterests(p);
  return Array.from(blend, (weight, i) => ({ label: labels[i]!, weight }))
    .filter((x) => x.weight > 0.01)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, k)
    .map((x) => ({ label: x.label, weight: Math.round(x.weight * 1000) / 1000 }));
}

export function blendedInterests(p: Profile): Float32Array {
  const out = new Float32Array(p.shortTerm.length);
  const sumS = p.shortTerm.reduce((a, b) => a + b, 0);
  const sumL = p.longTerm.reduce((a, b) => a + b, 0);
  const sumN = p.negative.reduce((a, b) => a + b, 0);
  const ws = sumS > 0 ? 0.6 : 0;
  const wl = sumL > 0 ? (sumS > 0 ? 0.4 : 1) : 0;
  for (let i = 0; i < out.length; i++) {
    let v = (sumS > 0 ? (ws * p.shortTerm[i]!) / sumS : 0) + (sumL > 0 ? (wl * p.longTerm[i]!) / sumL : 0);
    if (sumN > 0) v *= 1 - Math.min(0.9, p.negative[i]! / sumN);
    out[i] = v;
  }
  const total = out.reduce((a, b) => a + b, 0);
  if (total > 0) scale(out, 1 / total);
  return out;
}

/** Items the person must never be offered again. */
export function excludedItems(p: Profile): Set<string> {
  return new Set([...p.liked, ...p.disliked, ...p.seen, ...p.mentioned]);
}

type Serialised = Omit<Profile, "shortTerm" | "longTerm" | "negative" | "shortVec" | "longVec" | "negVec"> & Record<"shortTerm" | "longTerm" | "negative" | "shortVec" | "longVec" | "negVec", number[]>;

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
    shortTerm: Float32Array.from(s.shortTerm),
    longTerm: Float32Array.from(s.longTerm),
    negative: Float32Array.from(s.negative),
    shortVec: Float32Array.from(s.shortVec),
    longVec: Float32Array.from(s.longVec),
    negVec: Float32Array.from(s.negVec),
  };
}
