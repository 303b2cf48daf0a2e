// The title keys by their words, for finding titles written with a typo. A possible slip in a message asks
// for the titles holding a word close to it, and only those are ranked (by the words around the slip that
// they hold too), so a message's cost is bounded by how many titles share that one word, not by every title
// near any word of the message. Keys and postings are flat typed arrays: a million titles' words would
// otherwise be millions of small arrays for the collector to walk.
import { ownCopy } from "./snapshot.ts";
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
  /** Per key, the call that last saw it (a key holding two words near the slip is ranked once). */
  private readonly seenIn: Int32Array;
  private calls = 0;
  /** Per key seen in the call, its place in the call's lists below. */
  private readonly placeOf: Int32Array;
  /**
   * The call's keys, in the order seen, with their fewest edits from the slip, word counts, what the words
   * around add, and the word around that last added (one pass per word around, counted on over calls): the
   * ranking then reads them in order rather than a million-entry array here and there.
   */
  private found = { keys: new Int32Array(0), edits: new Uint8Array(0), words: new Uint16Array(0) };
  private foundAdded = new Uint16Array(0);
  private foundPass = new Int32Array(0);
  private passes = 0;
  /**
   * The last words' title words within reach: a message's words around each possible slip are mostly the
   * same, and at a million titles each search walks a million words (about 0.6 ms).
   */
  private readonly nearOf = new Map<string, ReadonlyMap<number, number>>();

  private constructor(
    /** The title words; a word's term id is its position. */
    private readonly terms: SortedWords,
    /** How many distinct words key k holds: fewer rank first among keys that hold as many words around. */
    private readonly keyWords: Uint16Array,
    /** The keys holding term t, ascending: postingKeys[postingStart[t] .. postingStart[t + 1]). */
    private readonly postingStart: Int32Array,
    private readonly postingKeys: Int32Array,
  ) {
    this.seenIn = new Int32Array(keyWords.length);
    this.placeOf = new Int32Array(keyWords.length);
  }

  /** The index of `keys` (key k is keys[k], its words separated by spaces). */
  static of(keys: readonly string[]): TitleWords {
    const words = keys.map((key) => key.split(" "));
    const sorted = [...new Set(words.flat())].sort();
    const termOf = new Map(sorted.map((word, t) => [word, t]));
    const termCount = sorted.length;
    const keyTerms = words.map((keyWords) => [
      ...new Set(keyWords.map((word) => termOf.get(word)!)),
    ]);
    const keyWords = Uint16Array.from(keyTerms, (terms) => Math.min(terms.length, 0xffff));
    // Postings by a counting sort of the (term, key) pairs: keys come out ascending per term.
    const postingStart = new Int32Array(termCount + 1);
    for (const terms of keyTerms) for (const t of terms) postingStart[t + 1]!++;
    for (let t = 0; t < termCount; t++) postingStart[t + 1]! += postingStart[t]!;
    const postingKeys = new Int32Array(postingStart[termCount]!);
    const next = postingStart.slice(0, -1);
    keyTerms.forEach((terms, k) => {
      for (const t of terms) postingKeys[next[t]!++] = k;
    });
    return new TitleWords(SortedWords.ofSorted(sorted), keyWords, postingStart, postingKeys);
  }

  snapshot(): TitleWordsSnapshot {
    const { keyWords, postingStart, postingKeys } = this;
    return { words: this.terms.snapshot(), keyWords, postingStart, postingKeys };
  }

  static restore(saved: TitleWordsSnapshot): TitleWords {
    return new TitleWords(
      SortedWords.restore(saved.words),
      ownCopy(saved.keyWords),
      ownCopy(saved.postingStart),
      ownCopy(saved.postingKeys),
    );
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
    const { seenIn, placeOf, keyWords, postingStart, postingKeys } = this;
    // The keys holding a word close to the slip, each with its fewest edits (closest words first).
    let count = 0;
    for (const [t, edits] of byEdits(focal)) {
      const to = postingStart[t + 1]!;
      this.reserve(count + to - postingStart[t]!);
      const { keys, edits: keyEdits, words } = this.found;
      for (let p = postingStart[t]!; p < to; p++) {
        const key = postingKeys[p]!;
        if (seenIn[key] === call) continue;
        seenIn[key] = call;
        placeOf[key] = count;
        keys[count] = key;
        keyEdits[count] = edits;
        words[count++] = keyWords[key]!;
      }
    }
    const { keys, edits: keyEdits, words } = this.found;
    const { foundAdded: added, foundPass } = this;
    added.fill(0, 0, count);
    // What the other words around add to those keys, from the keys holding words close to them: most of a
    // common word's keys hold none, so their own words need not be read.
    for (const other of new Set(around)) {
      if (other === word) continue;
      const times = around.filter((w) => w === other).length;
      const pass = ++this.passes;
      for (const [t, edits] of byEdits(this.near(other))) {
        const to = postingStart[t + 1]!;
        for (let p = postingStart[t]!; p < to; p++) {
          const key = postingKeys[p]!;
          if (seenIn[key] !== call) continue;
          const at = placeOf[key]!;
          if (foundPass[at] === pass) continue;
          foundPass[at] = pass;
          added[at]! += times * held(edits);
        }
      }
    }
    const focalTimes = around.filter((w) => w === word).length;
    const best: Array<{ key: number; score: number; words: number }> = [];
    /** Whether key `key` (`score`, `words`) ranks before `b`. */
    const before = (score: number, words: number, key: number, b: (typeof best)[number]) =>
      score > b.score ||
      (score === b.score && (words < b.words || (words === b.words && key < b.key)));
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      const score = focalTimes * held(keyEdits[i]!) + added[i]!;
      const keyWordCount = words[i]!;
      // Kept in order: most keys go no further than this comparison with the last kept.
      if (best.length === limit && !before(score, keyWordCount, key, best[limit - 1]!)) continue;
      let at = best.length < limit ? best.length : limit - 1;
      while (at > 0 && before(score, keyWordCount, key, best[at - 1]!)) at--;
      best.splice(at, 0, { key, score, words: keyWordCount });
      if (best.length > limit) best.pop();
    }
    return best.map((b) => b.key);
  }

  /** Room in the call's lists for `count` keys. */
  private reserve(count: number): void {
    if (count <= this.found.keys.length) return;
    const size = Math.max(count, 2 * this.found.keys.length);
    const grow = <T extends Int32Array | Uint8Array | Uint16Array>(
      a: T,
      make: (n: number) => T,
    ) => {
      const out = make(size);
      out.set(a);
      return out;
    };
    this.found = {
      keys: grow(this.found.keys, (n) => new Int32Array(n)),
      edits: grow(this.found.edits, (n) => new Uint8Array(n)),
      words: grow(this.found.words, (n) => new Uint16Array(n)),
    };
    this.foundAdded = new Uint16Array(size);
    this.foundPass = grow(this.foundPass, (n) => new Int32Array(n));
  }
}

/** The terms of `near` (term to edits), the fewest edits first. */
function byEdits(near: ReadonlyMap<number, number>): Array<[number, number]> {
  return [...near].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
}

/** What a word around adds to a key that holds it: exactly, more than with a slip. */
function held(edits: number): number {
  return edits === 0 ? 2 : 1;
}
