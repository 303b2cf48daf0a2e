// The title keys by their words, for finding titles written with a typo. A possible slip in a message asks
// for the titles holding a word close to it, and only those are ranked (by the words around the slip that
// they hold too), so a message's cost is bounded by how many titles share that one word, not by every title
// near any word of the message. Keys and postings are flat typed arrays: a million titles' words would
// otherwise be millions of small arrays for the collector to walk.
import { ownCopy, revive } from "./snapshot.ts";
import { SortedWords, type SortedWordsSnapshot } from "./sorted-words.ts";

/** What a restart reads back (src/catalog/snapshot.ts): the title words and the arrays. */
export interface TitleWordsSnapshot {
  words: SortedWordsSnapshot;
  keyStart: Int32Array;
  keyTerms: Int32Array;
  postingStart: Int32Array;
  postingKeys: Int32Array;
}

/** Words whose title words within reach are kept (see TitleWords.nearOf). */
const NEAR_KEPT = 512;

/** Levenshtein edits a word of this many letters may be off by and still find its title word. */
function searchEdits(word: string): number {
  return word.length >= 12 ? 3 : word.length >= 5 ? 2 : 1;
}

export class TitleWords {
  /** The title words; a word's term id is its position. */
  private readonly terms: SortedWords;
  /** The term ids of key k: keyTerms[keyStart[k] .. keyStart[k + 1]). */
  private readonly keyStart: Int32Array;
  private readonly keyTerms: Int32Array;
  /** The keys holding term t, ascending: postingKeys[postingStart[t] .. postingStart[t + 1]). */
  private readonly postingStart: Int32Array;
  private readonly postingKeys: Int32Array;
  /** Per key, the call that last saw it (a key holding two words near the slip is ranked once). */
  private readonly seenIn: Int32Array;
  private calls = 0;
  /**
   * During a call, for the a-th of the A words around the slip, reach[t * A + a] is 1 + the edits between it
   * and title term t, or 0 when t is out of its reach (a term's entries side by side: one read of memory
   * for all the words around): a key's words are looked up in an array, not a Map (at
   * a million titles a common word's keys number tens of thousands). Zeroed again after each call.
   */
  private reach = new Uint8Array(0);
  /**
   * The last words' title words within reach: a message's words around each possible slip are mostly the
   * same, and at a million titles each search walks a million words (about 0.6 ms).
   */
  private readonly nearOf = new Map<string, ReadonlyMap<number, number>>();

  constructor(keys: readonly string[]) {
    const words = keys.map((key) => key.split(" "));
    const sorted = [...new Set(words.flat())].sort();
    this.terms = SortedWords.ofSorted(sorted);
    const termOf = new Map(sorted.map((word, t) => [word, t]));
    const termCount = sorted.length;
    this.keyStart = new Int32Array(keys.length + 1);
    const keyTerms: number[] = [];
    words.forEach((keyWords, k) => {
      const own = new Set<number>();
      for (const word of keyWords) own.add(termOf.get(word)!);
      for (const t of own) keyTerms.push(t);
      this.keyStart[k + 1] = keyTerms.length;
    });
    this.keyTerms = Int32Array.from(keyTerms);
    // Postings by a counting sort of the (term, key) pairs: keys come out ascending per term.
    this.postingStart = new Int32Array(termCount + 1);
    for (const t of this.keyTerms) this.postingStart[t + 1]!++;
    for (let t = 0; t < termCount; t++) this.postingStart[t + 1]! += this.postingStart[t]!;
    this.postingKeys = new Int32Array(this.keyTerms.length);
    const next = this.postingStart.slice(0, -1);
    for (let k = 0; k < keys.length; k++)
      for (let i = this.keyStart[k]!; i < this.keyStart[k + 1]!; i++)
        this.postingKeys[next[this.keyTerms[i]!]!++] = k;
    this.seenIn = new Int32Array(keys.length);
  }

  snapshot(): TitleWordsSnapshot {
    const { keyStart, keyTerms, postingStart, postingKeys } = this;
    return { words: this.terms.snapshot(), keyStart, keyTerms, postingStart, postingKeys };
  }

  static restore(saved: TitleWordsSnapshot): TitleWords {
    return revive(TitleWords, {
      terms: SortedWords.restore(saved.words),
      keyStart: ownCopy(saved.keyStart),
      keyTerms: ownCopy(saved.keyTerms),
      postingStart: ownCopy(saved.postingStart),
      postingKeys: ownCopy(saved.postingKeys),
      seenIn: new Int32Array(saved.keyStart.length - 1),
      calls: 0,
      reach: new Uint8Array(0),
      nearOf: new Map(),
    });
  }

  /** Title words within reach of `word`: term id to edits. */
  private near(word: string): ReadonlyMap<number, number> {
    let out = this.nearOf.get(word);
    if (out) return out;
    const found = new Map<number, number>();
    this.terms.near(word, searchEdits(word), (t, edits) => found.set(t, edits));
    if (this.nearOf.size >= NEAR_KEPT) this.nearOf.clear();
    this.nearOf.set(word, (out = found));
    return out;
  }

  /**
   * The ids of the keys holding a word close to `word`, at most `limit`: first those holding close words of
   * more of `around` (the message's words near it, `word` among them), then exact ones, then shorter keys.
   */
  candidates(word: string, around: readonly string[], limit: number): number[] {
    const focal = this.near(word);
    if (focal.size === 0) return [];
    const nearAround = around.map((w) => (w === word ? focal : this.near(w)));
    const terms = this.postingStart.length - 1;
    if (this.reach.length < nearAround.length * terms)
      this.reach = new Uint8Array(nearAround.length * terms);
    const { reach } = this;
    const A = nearAround.length;
    nearAround.forEach((near, a) => {
      for (const [t, edits] of near) reach[t * A + a] = edits + 1;
    });
    try {
      return this.ranked(focal, A, limit);
    } finally {
      nearAround.forEach((near, a) => {
        for (const t of near.keys()) reach[t * A + a] = 0;
      });
    }
  }

  /** The keys holding a term of `focal`, best first by the words around they hold (see candidates). */
  private ranked(focal: ReadonlyMap<number, number>, aroundCount: number, limit: number): number[] {
    const { reach } = this;
    const call = ++this.calls;
    const best: Array<{ key: number; score: number; words: number }> = [];
    /** Whether key `key` (`score`, `words`) ranks before `b`. */
    const before = (score: number, words: number, key: number, b: (typeof best)[number]) =>
      score > b.score ||
      (score === b.score && (words < b.words || (words === b.words && key < b.key)));
    // For each word around: 1 + the fewest edits to any of the key's words; 0 when none is within reach.
    const fewest = new Uint8Array(aroundCount);
    for (const t of focal.keys())
      for (let p = this.postingStart[t]!; p < this.postingStart[t + 1]!; p++) {
        const key = this.postingKeys[p]!;
        if (this.seenIn[key] === call) continue;
        this.seenIn[key] = call;
        const from = this.keyStart[key]!;
        const to = this.keyStart[key + 1]!;
        fewest.fill(0);
        for (let i = from; i < to; i++) {
          const at = this.keyTerms[i]! * aroundCount;
          for (let a = 0; a < aroundCount; a++) {
            const e = reach[at + a]!;
            if (e !== 0 && (fewest[a] === 0 || e < fewest[a]!)) fewest[a] = e;
          }
        }
        let score = 0;
        // A word held exactly counts more than one held with a slip.
        for (let a = 0; a < aroundCount; a++) if (fewest[a] !== 0) score += fewest[a] === 1 ? 2 : 1;
        const words = to - from;
        // Kept in order: most keys go no further than this comparison with the last kept.
        if (best.length === limit && !before(score, words, key, best[limit - 1]!)) continue;
        let at = best.length < limit ? best.length : limit - 1;
        while (at > 0 && before(score, words, key, best[at - 1]!)) at--;
        best.splice(at, 0, { key, score, words });
        if (best.length > limit) best.pop();
      }
    return best.map((b) => b.key);
  }
}
