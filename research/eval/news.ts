// BBC News with simulated readers: a reader follows one or two of the catalog's categories, reads `k` of
// their stories (telling the bot "I liked <title>" for each), and the next story they read, drawn from the
// same categories and held out, is the target. Next-story hit rate @5/@10 of the bot's list after the last
// message, against the most-read stories of all simulated readers (popularity; BBC News has no popularity
// column) and a random list. Deterministic for a seed.
import type { NewsStory } from "./domain-catalogs.ts";
import { seeded } from "../../src/util/random.ts";

export { seeded };

export interface Reader {
  id: string;
  categories: string[];
  read: NewsStory[];
  target: NewsStory;
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

/** `n` readers of `k` stories each (and one held out), half of them following two categories. */
export function simulateReaders(
  stories: readonly NewsStory[],
  opts: { readers: number; k: number; seed: number },
): Reader[] {
  const random = seeded(opts.seed);
  // A title shared by two stories cannot say which one was read.
  const titleCount = new Map<string, number>();
  for (const s of stories) titleCount.set(s.title, (titleCount.get(s.title) ?? 0) + 1);
  const byCategory = new Map<string, NewsStory[]>();
  for (const s of stories)
    if (titleCount.get(s.title) === 1)
      byCategory.set(s.category, [...(byCategory.get(s.category) ?? []), s]);
  const categories = [...byCategory.keys()].sort();
  const readers: Reader[] = [];
  for (let r = 0; r < opts.readers; r++) {
    const first = pick(categories, random);
    const second = random() < 0.5 ? pick(categories, random) : first;
    const own = [...new Set([first, second])];
    const chosen = new Set<NewsStory>();
    while (chosen.size < opts.k + 1) chosen.add(pick(byCategory.get(pick(own, random))!, random));
    const list = [...chosen];
    readers.push({
      id: `reader-${r}`,
      categories: own,
      read: list.slice(0, -1),
      target: list.at(-1)!,
    });
  }
  return readers;
}

/** The messages a reader sends: one "I liked <title>" per story read. */
export const readerMessages = (reader: Reader): string[] =>
  reader.read.map((s) => `I liked ${s.title}`);

export interface NewsScores {
  readers: number;
  hr5: number;
  hr10: number;
  /** Share of the first 5 in the reader's own categories. */
  categoryPrecision5: number;
}

export class ScoreTally {
  private n = 0;
  private h5 = 0;
  private h10 = 0;
  private p5 = 0;

  add(reader: Reader, list: readonly string[], categoryOf: (id: string) => string | undefined) {
    this.n++;
    const at = list.indexOf(reader.target.id);
    if (at >= 0 && at < 5) this.h5++;
    if (at >= 0 && at < 10) this.h10++;
    const top = list.slice(0, 5);
    this.p5 += top.filter((id) => reader.categories.includes(categoryOf(id) ?? "")).length / 5;
  }

  get scores(): NewsScores {
    const d = Math.max(1, this.n);
    return {
      readers: this.n,
      hr5: this.h5 / d,
      hr10: this.h10 / d,
      categoryPrecision5: this.p5 / d,
    };
  }
}

/** The most-read stories of all simulated readers (what they read, never their held-out targets), most first. */
export function popularityOrder(
  readers: readonly Reader[],
  stories: readonly NewsStory[],
): string[] {
  const count = new Map<string, number>();
  for (const r of readers) for (const s of r.read) count.set(s.id, (count.get(s.id) ?? 0) + 1);
  return stories
    .map((s, i) => ({ id: s.id, n: count.get(s.id) ?? 0, i }))
    .sort((a, b) => b.n - a.n || a.i - b.i)
    .map((x) => x.id);
}

/** The first `n` ids of `order` the reader has not read. */
export function unreadTop(order: readonly string[], reader: Reader, n: number): string[] {
  const read = new Set(reader.read.map((s) => s.id));
  const out: string[] = [];
  for (const id of order) {
    if (!read.has(id)) out.push(id);
    if (out.length === n) break;
  }
  return out;
}

/** A random list of `n` unread stories (seeded). */
export function randomList(
  stories: readonly NewsStory[],
  reader: Reader,
  n: number,
  random: () => number,
): string[] {
  const read = new Set(reader.read.map((s) => s.id));
  const out = new Set<string>();
  while (out.size < n) {
    const s = pick(stories, random);
    if (!read.has(s.id)) out.add(s.id);
  }
  return [...out];
}
