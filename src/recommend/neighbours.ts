// Item-to-item neighbours for the hot path: an in-memory lookup, loaded once at start-up (neighbours-store.ts).

export interface NeighbourEntry {
  id: string;
  /** Combined similarity (MovieLens cosine + co-mention cosine), for the baseline and reasons. */
  score: number;
  /** Shrunk cosine over MovieLens users who rated both 4+ stars (0 when not among the top). */
  movielens: number;
  /** How many ReDial train dialogues mention both (a raw count). */
  comention: number;
}

export interface NeighbourRecord {
  id: string;
  neighbours: NeighbourEntry[];
}

/** One seed: an item the person mentioned or liked, with how much it counts. */
export type NeighbourSeed = string | { id: string; weight: number };

export interface NeighbourScore {
  /** Σ over seeds of weight · neighbour score. */
  score: number;
  /** The seed contributing most (for reasons: "people who liked X also liked this"). */
  seedId: string;
  /** That seed's weighted contribution. */
  seedScore: number;
}

const NONE: readonly NeighbourEntry[] = Object.freeze([]);

export class Neighbours {
  private readonly byId = new Map<string, readonly NeighbourEntry[]>();

  constructor(records: Iterable<NeighbourRecord>) {
    for (const r of records) this.byId.set(r.id, r.neighbours);
  }

  static empty(): Neighbours {
    return new Neighbours([]);
  }

  /** Items that have neighbours. */
  get size(): number {
    return this.byId.size;
  }

  /** The item's neighbours, best first (empty for an unknown item). */
  of(itemId: string): readonly NeighbourEntry[] {
    return this.byId.get(itemId) ?? NONE;
  }

  /**
   * The same neighbours as if the dialogue mentioning `basket` had never been counted: learning the ranker on
   * a training dialogue must not see that dialogue's own co-mentions (its answers).
   */
  withoutBasket(basket: ReadonlySet<string>): Neighbours {
    const out = new Neighbours([]);
    for (const [id, list] of this.byId) {
      if (!basket.has(id)) out.byId.set(id, list);
      else
        out.byId.set(
          id,
          list.flatMap((n) =>
            basket.has(n.id)
              ? n.comention > 1 || n.movielens > 0
                ? [{ ...n, comention: Math.max(0, n.comention - 1) }]
                : []
              : [n],
          ),
        );
    }
    return out;
  }

  /**
   * Neighbour scores of every item near any seed, summed over seeds (item-kNN scoring). Seeds themselves are
   * not excluded here: the ranker already never offers mentioned, liked or seen items.
   */
  scoreFor(seeds: Iterable<NeighbourSeed>): Map<string, NeighbourScore> {
    const out = new Map<string, NeighbourScore>();
    for (const seed of seeds) {
      const { id, weight } = typeof seed === "string" ? { id: seed, weight: 1 } : seed;
      if (weight === 0) continue;
      for (const n of this.of(id)) {
        const add = weight * n.score;
        const cur = out.get(n.id);
        if (!cur) out.set(n.id, { score: add, seedId: id, seedScore: add });
        else {
          cur.score += add;
          if (add > cur.seedScore) {
            cur.seedId = id;
            cur.seedScore = add;
          }
        }
      }
    }
    return out;
  }
}
