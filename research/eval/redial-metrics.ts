// Ranking metrics over ground-truth movies: Recall@K counts ground truths found in the top K (micro, over
// ground truths, as Kostric & Balog), MRR@50 averages 1/rank (0 beyond 50); list metrics describe the top 10.
import type { Catalog } from "../../src/catalog/catalog.ts";
import { dot } from "../../src/util/vec.ts";

export const CUTOFFS = [1, 10, 50] as const;
export const MRR_CUTOFF = 50;
export const LIST_CUTOFF = 10;

export interface RecallReport {
  instances: number;
  "recall@1": number;
  "recall@10": number;
  "recall@50": number;
  "mrr@50": number;
}

export class RecallAccumulator {
  private groundTruths = 0;
  private readonly hits = new Map<number, number>(CUTOFFS.map((k) => [k, 0]));
  private reciprocal = 0;

  /** Adds one ranked list (best first) and its ground truths. */
  add(ranked: readonly string[], groundTruth: readonly string[]): void {
    const position = new Map<string, number>();
    ranked.forEach((id, i) => {
      if (!position.has(id)) position.set(id, i + 1);
    });
    for (const id of groundTruth) {
      this.groundTruths++;
      const r = position.get(id);
      if (r === undefined) continue;
      for (const k of CUTOFFS) if (r <= k) this.hits.set(k, this.hits.get(k)! + 1);
      if (r <= MRR_CUTOFF) this.reciprocal += 1 / r;
    }
  }

  report(): RecallReport {
    const n = Math.max(1, this.groundTruths);
    return {
      instances: this.groundTruths,
      "recall@1": this.hits.get(1)! / n,
      "recall@10": this.hits.get(10)! / n,
      "recall@50": this.hits.get(50)! / n,
      "mrr@50": this.reciprocal / n,
    };
  }
}

export interface ListReport {
  /** Distinct items in any top-10 list / catalog size. */
  coverage: number;
  /** Mean over lists of the mean pairwise (1 − cosine) of the top 10's item vectors. */
  diversity: number;
  /** Mean self-information −log2 p(item) of the top 10, p from train mention counts (add-one). */
  novelty: number;
}

export class ListAccumulator {
  private readonly distinct = new Set<string>();
  private diversitySum = 0;
  private noveltySum = 0;
  private lists = 0;
  private diverseLists = 0;
  private listItems = 0;
  private readonly information: Float32Array;

  constructor(private readonly catalog: Catalog) {
    const counts = catalog.items.map((item) => Math.max(0, Number(item.extra.popularity) || 0));
    const total = counts.reduce((a, b) => a + b, 0) + counts.length;
    this.information = Float32Array.from(counts, (c) => -Math.log2((c + 1) / total));
  }

  add(ranked: readonly string[]): void {
    const rows = ranked
      .slice(0, LIST_CUTOFF)
      .map((id) => this.catalog.row(id))
      .filter((r): r is number => r !== undefined);
    if (rows.length === 0) return;
    this.lists++;
    for (const r of rows) {
      this.distinct.add(this.catalog.items[r]!.id);
      this.noveltySum += this.information[r]!;
      this.listItems++;
    }
    let pairs = 0;
    let distance = 0;
    for (let i = 0; i < rows.length; i++) {
      for (let j = i + 1; j < rows.length; j++) {
        distance +=
          1 -
          dot(
            this.catalog.vector(rows[i]!),
            this.catalog.vectors,
            rows[j]! * this.catalog.dim,
            this.catalog.dim,
          );
        pairs++;
      }
    }
    if (pairs) {
      this.diversitySum += distance / pairs;
      this.diverseLists++;
    }
  }

  report(): ListReport {
    return {
      coverage: this.distinct.size / this.catalog.size,
      diversity: this.diverseLists ? this.diversitySum / this.diverseLists : 0,
      novelty: this.listItems ? this.noveltySum / this.listItems : 0,
    };
  }
}
