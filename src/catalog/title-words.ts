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
  keyWords: Uint16Array;
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
  /** How many distinct words key k holds: fewer rank first among keys that hold as many words around. */
  private readonly keyWords: Uint16Array;
  /** The keys holding term t, ascending: postingKeys[postingStart[t] .. postingStart[t + 1]). */
  private readonly postingStart: Int32Array;
  private readonly postingKeys: Int32Array;
  /** Per key, the call that last saw it (a key holding two words near the slip is ranked once). */
  private readonly seenIn: Int32Array;
  private calls = 0;
  /** Per key, the fewest edits between the slip and the key's words, for the keys seenIn the call. */
  private readonly focalEdits: Uint8Array;
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
    const keyTerms = words.map((keyWords) => [
      ...new Set(keyWords.map((word) => termOf.get(word)!)),
    ]);
    this.keyWords = Uint16Array.from(keyTerms, (terms) => Math.min(terms.length, 0xffff));
    // Postings by a counting sort of the (term, key) pairs: keys come out ascending per term.
    this.postingStart = new Int32Array(termCount + 1);
    for (const terms of keyTerms) for (const t of terms) this.postingStart[t + 1]!++;
    for (let t = 0; t < termCount; t++) this.postingStart[t + 1]! += this.postingStart[t]!;
    this.postingKeys = new Int32Array(this.postingStart[termCount]!);
    const next = this.postingStart.slice(0, -1);
    keyTerms.forEach((terms, k) => {
      for (const t of terms) this.postingKeys[next[t]!++] = k;
    });
    this.seenIn = new Int32Array(keys.length);
    this.focalEdits = new Uint8Array(keys.length);
  }

  snapshot(): TitleWordsSnapshot {
    const { keyWords, postingStart, postingKeys } = this;
    return { words: this.terms.snapshot(), keyWords, postingStart, postingKeys };
  }

  static restore(saved: TitleWordsSnapshot): TitleWords {
    return revive(TitleWords, {
      terms: SortedWords.restore(saved.words),
      keyWords: ownCopy(saved.keyWords),
      postingStart: ownCopy(saved.postingStart),
      postingKeys: ownCopy(saved.postingKeys),
      seenIn: new Int32Array(saved.keyWords.length),
      focalEdits: new Uint8Array(saved.keyWords.length),
      calls: 0,
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
    const call = ++this.calls;
    // The keys holding a word close to the slip, each with its fewest edits (closest words first).
    const keys: number[] = [];
    this.forEachKey(focal, (key, edits) => {
      if (this.seenIn[key] === call) return;
      this.seenIn[key] = call;
      this.focalEdits[key] = edits;
      keys.push(key);
    });
    // What the other words around add to those keys, from the keys holding words close to them: most of a
    // common word's keys hold none, so their own words need not be read.
    const added = new Map<number, number>();
    for (const other of new Set(around)) {
      if (other === word) continue;
      const times = around.filter((w) => w === other).length;
      const done = new Set<number>();
      this.forEachKey(this.near(other), (key, edits) => {
        if (this.seenIn[key] !== call || done.has(key)) return;
        done.add(key);
        added.set(key, (added.get(key) ?? 0) + times * held(edits));
      });
    }
    const focalTimes = around.filter((w) => w === word).length;
    const best: Array<{ key: number; score: number; words: number }> = [];
    /** Whether key `key` (`score`, `words`) ranks before `b`. */
    const before = (score: number, words: number, key: number, b: (typeof best)[number]) =>
      score > b.score ||
      (score === b.score && (words < b.words || (words === b.words && key < b.key)));
    for (const key of keys) {
      const score = focalTimes * held(this.focalEdits[key]!) + (added.get(key) ?? 0);
      const words = this.keyWords[key]!;
      // Kept in order: most keys go no further than this comparison with the last kept.
      if (best.length === limit && !before(score, words, key, best[limit - 1]!)) continue;
      let at = best.length < limit ? best.length : limit - 1;
      while (at > 0 && before(score, words, key, best[at - 1]!)) at--;
      best.splice(at, 0, { key, score, words });
      if (best.length > limit) best.pop();
    }
    return best.map((b) => b.key);
  }

  /** Each key holding a term of `near` (term to edits), the terms with the fewest edits first. */
  private forEachKey(
    near: ReadonlyMap<number, number>,
    visit: (key: number, edits: number) => void,
  ): void {
    const terms = [...near].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const [t, edits] of terms)
      for (let p = this.postingStart[t]!; p < this.postingStart[t + 1]!; p++)
        visit(this.postingKeys[p]!, edits);
  }
}

/** What a word around adds to a key that holds it: exactly, more than with a slip. */
function held(edits: number): number {
  return edits === 0 ? 2 : 1;
}
