// A set of words packed into two typed arrays, in code-unit order, searched exactly or with typos allowed.
// A million-item catalog has about a million distinct title words: as a radix tree of Maps (MiniSearch's
// SearchableMap) or a Set of strings they are millions of heap objects for the collector to walk; packed,
// two bytes a letter. Word ids are positions in the order.
import { ownCopy } from "./snapshot.ts";

/** What a restart reads back (src/catalog/snapshot.ts). */
export interface SortedWordsSnapshot {
  chars: Uint8Array | Uint16Array;
  start: Int32Array;
}

export class SortedWords {
  /**
   * How many leading code units word w shares with word w - 1 (capped: a smaller value only costs work),
   * so a search reuses the rows of the edit-distance matrix that the words before it filled.
   */
  private readonly shared: Uint16Array;
  /** The search's matrix, kept between calls. */
  private matrix = new Uint16Array(0);

  private constructor(
    /** Word w is chars[start[w] .. start[w + 1]): a byte a letter when every letter fits in one. */
    private readonly chars: Uint8Array | Uint16Array,
    private readonly start: Int32Array,
  ) {
    this.shared = new Uint16Array(this.size);
    for (let w = 1; w < this.size; w++) {
      const a = start[w - 1]!;
      const b = start[w]!;
      const most = Math.min(b - a, start[w + 1]! - b, 0xffff);
      let n = 0;
      while (n < most && chars[a + n] === chars[b + n]) n++;
      this.shared[w] = n;
    }
  }

  /** The distinct words of `words`. */
  static of(words: Iterable<string>): SortedWords {
    return SortedWords.ofSorted([...new Set(words)].sort());
  }

  /** `sorted`: distinct words in code-unit order (`Array.prototype.sort`'s); word w is sorted[w]. */
  static ofSorted(sorted: readonly string[]): SortedWords {
    const start = new Int32Array(sorted.length + 1);
    sorted.forEach((word, w) => (start[w + 1] = start[w]! + word.length));
    const chars = new (fitBytes(sorted) ? Uint8Array : Uint16Array)(start[sorted.length]!);
    sorted.forEach((word, w) => {
      for (let i = 0; i < word.length; i++) chars[start[w]! + i] = word.charCodeAt(i);
    });
    return new SortedWords(chars, start);
  }

  static restore(saved: SortedWordsSnapshot): SortedWords {
    return new SortedWords(ownCopy(saved.chars), ownCopy(saved.start));
  }

  snapshot(): SortedWordsSnapshot {
    return { chars: this.chars, start: this.start };
  }

  get size(): number {
    return this.start.length - 1;
  }

  word(w: number): string {
    return String.fromCharCode(...this.chars.subarray(this.start[w], this.start[w + 1]));
  }

  /** The id of `word`, or -1. */
  indexOf(word: string): number {
    const w = this.firstAtLeast(word);
    return w < this.size && this.compare(w, word) === 0 ? w : -1;
  }

  /** The first word not before `word` in code-unit order (size when there is none). */
  firstAtLeast(word: string): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(mid, word) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(word: string): boolean {
    return this.indexOf(word) >= 0;
  }

  /**
   * Each word within `maxEdits` Levenshtein edits of `query`, with its edits. One row of the edit-distance
   * matrix per letter of a word, reused by the words after it that share the prefix; a prefix whose row is
   * past `maxEdits` everywhere skips every word that holds it.
   */
  near(query: string, maxEdits: number, found: (w: number, edits: number) => void): void {
    const n = query.length + 1;
    const longest = query.length + maxEdits;
    const rows = (longest + 1) * n;
    if (this.matrix.length < rows) this.matrix = new Uint16Array(rows);
    const { matrix, chars, start, shared } = this;
    // Cells outside the band of `maxEdits` around the diagonal are never written: past reach.
    matrix.fill(maxEdits + 1, 0, rows);
    for (let j = 0; j < n; j++) matrix[j] = j;
    for (let i = 1; i <= longest; i++) matrix[i * n] = i;
    /** Rows 1 .. filled hold the current word's prefix of that length. */
    let filled = 0;
    let w = 0;
    words: while (w < this.size) {
      const from = start[w]!;
      const length = start[w + 1]! - from;
      for (let i = Math.min(filled, shared[w]!) + 1; i <= length; i++) {
        if (i > longest) {
          filled = i - 1;
          w = this.endOfPrefix(w, i);
          continue words;
        }
        const c = chars[from + i - 1]!;
        const row = i * n;
        let least = matrix[row]!;
        const last = Math.min(n - 1, i + maxEdits);
        for (let j = Math.max(0, i - maxEdits - 1); j < last; j++) {
          const replace = matrix[row - n + j]! + (c === query.charCodeAt(j) ? 0 : 1);
          const remove = matrix[row - n + j + 1]! + 1;
          const insert = matrix[row + j]! + 1;
          const edits = Math.min(replace, remove, insert);
          matrix[row + j + 1] = edits;
          if (edits < least) least = edits;
        }
        if (least > maxEdits) {
          filled = i;
          w = this.endOfPrefix(w, i);
          continue words;
        }
      }
      const edits = matrix[length * n + n - 1]!;
      if (edits <= maxEdits) found(w, edits);
      filled = length;
      w++;
    }
  }

  /** The first word after `w` that does not share w's first `length` code units (galloping, then halving). */
  private endOfPrefix(w: number, length: number): number {
    let step = 1;
    let inside = w;
    while (inside + step < this.size && this.sharesPrefix(inside + step, w, length)) {
      inside += step;
      step *= 2;
    }
    let outside = Math.min(this.size, inside + step);
    while (outside - inside > 1) {
      const mid = (inside + outside) >>> 1;
      if (this.sharesPrefix(mid, w, length)) inside = mid;
      else outside = mid;
    }
    return outside;
  }

  private sharesPrefix(v: number, w: number, length: number): boolean {
    const a = this.start[v]!;
    const b = this.start[w]!;
    if (this.start[v + 1]! - a < length) return false;
    for (let i = 0; i < length; i++) if (this.chars[a + i] !== this.chars[b + i]) return false;
    return true;
  }

  /** Word w against `word` in code-unit order. */
  private compare(w: number, word: string): number {
    const from = this.start[w]!;
    const length = this.start[w + 1]! - from;
    const most = Math.min(length, word.length);
    for (let i = 0; i < most; i++) {
      const d = this.chars[from + i]! - word.charCodeAt(i);
      if (d !== 0) return d;
    }
    return length - word.length;
  }
}

/** Whether every code unit of the words fits in a byte. */
function fitBytes(words: readonly string[]): boolean {
  for (const word of words)
    for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) > 0xff) return false;
  return true;
}
