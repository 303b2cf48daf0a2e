// The title keys by their words, for finding titles written with a typo. A possible slip in a message asks
// for the titles holding a word close to it, and only those are ranked (by the words around the slip that
// they hold too), so a message's cost is bounded by how many titles share that one word, not by every title
// near any word of the message.
import SearchableMap from "minisearch/SearchableMap";

/** Levenshtein edits a word of this many letters may be off by and still find its title word. */
function searchEdits(word: string): number {
  return word.length >= 12 ? 3 : word.length >= 5 ? 2 : 1;
}

export class TitleWords {
  /** Title word: the ids of the keys holding it, ascending. */
  private readonly postings = new SearchableMap<number[]>();

  constructor(private readonly keys: readonly string[]) {
    keys.forEach((key, id) => {
      for (const word of new Set(key.split(" "))) {
        const ids = this.postings.get(word);
        if (ids) ids.push(id);
        else this.postings.set(word, [id]);
      }
    });
  }

  /** Title words within reach of `word`, with their edits. */
  private near(word: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const [term, [, edits]] of this.postings.fuzzyGet(word, searchEdits(word)))
      out.set(term, edits);
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
    const ranked: Array<{ id: number; score: number; words: number }> = [];
    const seen = new Set<number>();
    for (const term of focal.keys())
      for (const id of this.postings.get(term)!) {
        if (seen.has(id)) continue;
        seen.add(id);
        const keyWords = this.keys[id]!.split(" ");
        let score = 0;
        for (const near of nearAround) {
          let best: number | undefined;
          for (const k of keyWords) {
            const edits = near.get(k);
            if (edits !== undefined && (best === undefined || edits < best)) best = edits;
          }
          // A word held exactly counts more than one held with a slip.
          if (best !== undefined) score += best === 0 ? 2 : 1;
        }
        ranked.push({ id, score, words: keyWords.length });
      }
    ranked.sort((a, b) => b.score - a.score || a.words - b.words || a.id - b.id);
    return ranked.slice(0, limit).map((r) => r.id);
  }
}
