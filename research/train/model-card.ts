// models/MODEL_CARD.md, generated from interest.json (training metrics, and evaluation metrics when present).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { markedSectionsOf } from "./neighbours-card.ts";
import { join } from "node:path";

export interface InterestModelMeta {
  name: string;
  format: number;
  onnx: string;
  labels: string[];
  dim: number;
  wordDim: number;
  activation: "softmax";
  vocabSize: number;
  seed: number;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  tokenizer: Record<string, string>;
  labelMinItems: number;
  catalog: string;
  data: Record<string, string | number | null>;
  trainingCommand: string;
  trainingSeconds: number;
  /** The commit the model was trained from (research/train/provenance.ts). */
  commit?: string;
  metrics: { training: unknown; evaluation?: unknown; evaluationCommand?: string };
  sha256: string;
  bytes: number;
  created: string;
}

const f = (v: unknown) => (typeof v === "number" ? v.toFixed(4) : "n/a");

export function writeModelCard(dir: string, meta: InterestModelMeta): void {
  const tr = meta.metrics.training as {
    redialDev?: Record<string, number>;
    redialDevContextRecallAt50?: number;
    itemGenrePrecisionAt10?: number;
  };
  const ev = meta.metrics.evaluation as
    | {
        redial: {
          micro_f1: number;
          macro_f1: number;
          top1: number;
          top3: number;
          n: number;
          threshold: number;
          baselines: Record<string, Record<string, number>>;
        };
        bbc: { accuracy: number; baseline_accuracy: number; n_test: number };
        item_genre_precision_at_10: number;
      }
    | undefined;
  const lines: string[] = [
    `# Model card: ${meta.name}`,
    "",
    `A small text-in ONNX model: a text (a chat message, or an item's text) -> a distribution over ${meta.labels.length} catalog categories ("interests", softmax) and a ${meta.dim}-d L2-normalised embedding. The bot ranks catalog items by cosine between the message/profile embedding and the item embeddings (items are embedded with the same model from \`itemText(item)\`).`,
    "",
    "## Architecture",
    "",
    `StringNormalizer (lowercase, locale C.UTF-8) -> com.microsoft Tokenizer (regex \`[a-z0-9]+\`) -> LabelEncoder (${meta.vocabSize} tokens, unknown -> 0) -> word vectors (${meta.wordDim}-d, first 50 dims initialised from GloVe) -> IDF-weighted masked mean -> Gemm + Softmax (interests) and a linear projection + L2 normalisation (embedding). Text without any known token gives the label prior and a zero embedding. Everything, including tokenisation, is inside the graph; no Python.`,
    "",
    "## Training data",
    "",
    `- Catalog \`${meta.catalog}\`: ${meta.data.items} item texts (\`itemText(item)\`) -> their categories (multi-label, normalised to a distribution). The demo movie catalog is built by research/scripts/build-demo-catalog.ts from the public ReDial release (movie names, genres, plots and people from its movie_info.json; CC BY 4.0), years from MovieLens links.`,
    meta.data.redial
      ? `- ReDial (Li et al., 2018, "Towards Deep Conversational Recommendations", CC BY 4.0) \`${meta.data.redial}\` only (dev is for tuning/evaluation): ${meta.data.seekerUtterances} seeker utterances -> categories of the movies they mention (weak labels; \`@id\` mentions replaced by titles), and ${meta.data.contextPairs} (seeker context -> first mention of a movie the seeker liked) pairs for a contrastive objective (symmetric in-batch softmax, temperature 0.1).`
      : "- No conversation data (non-movie catalog).",
    "- Item <-> item contrastive pairs (same category set, else a shared category) so items with shared categories are neighbours.",
    `- GloVe 6B 50d (Pennington et al., 2014; Public Domain Dedication and License v1.0), top 10k words, initialises the word vectors.`,
    "",
    `## Labels (${meta.labels.length}; catalog categories with at least ${meta.labelMinItems} items)`,
    "",
    meta.labels.join(", "),
    "",
    "## Training",
    "",
    `\`${meta.trainingCommand}\` (seed ${meta.seed}, deterministic, ${meta.trainingSeconds} s on 2 cores; pure TypeScript forward/backward, Adam), at commit \`${meta.commit ?? "unknown"}\`.`,
    "",
    "## Metrics",
    "",
    `Training-time numbers: ReDial dev seeker utterances top-1 ${f(tr.redialDev?.top1)}, top-3 ${f(tr.redialDev?.top3)}, micro-F1 ${f(tr.redialDev?.micro_f1)}; ReDial dev seeker context -> next liked movie recall@50 over the whole catalog ${f(tr.redialDevContextRecallAt50)}; item-to-item genre precision@10 ${f(tr.itemGenrePrecisionAt10)}.`,
    "",
  ];
  if (ev) {
    lines.push(
      `From \`${meta.metrics.evaluationCommand ?? "npm run eval -- interests"}\` (decision rule for F1: labels with probability >= ${ev.redial.threshold} (tuned for micro-F1 on ReDial train seeker utterances), plus always the top-1 label; top-k is a hit when the k most probable labels contain any gold label):`,
      "",
      "| ReDial dev seeker utterances (n=" +
        ev.redial.n +
        ") | micro-F1 | macro-F1 | top-1 | top-3 |",
      "|---|---|---|---|---|",
      `| this model | ${f(ev.redial.micro_f1)} | ${f(ev.redial.macro_f1)} | ${f(ev.redial.top1)} | ${f(ev.redial.top3)} |`,
      ...Object.entries(ev.redial.baselines).map(
        ([k, b]) => `| ${k} | ${f(b.micro_f1)} | ${f(b.macro_f1)} | ${f(b.top1)} | ${f(b.top3)} |`,
      ),
      "",
      `BBC News (D. Greene and P. Cunningham, ICML 2006; research use; 5 categories, deterministic 80/20 split by FNV-1a hash of category/file, n_test=${ev.bbc.n_test}): this architecture ${f(ev.bbc.accuracy)} accuracy, TF-IDF + softmax regression ${f(ev.bbc.baseline_accuracy)}.`,
      "",
      `Item-to-item genre precision@10 over the catalog: ${f(ev.item_genre_precision_at_10)}.`,
      "",
    );
  }
  lines.push(
    "## Files",
    "",
    `- \`${meta.onnx}\`: ${(meta.bytes / 1e6).toFixed(2)} MB, sha256 \`${meta.sha256}\``,
    "- `interest.json`: labels, dims, vocabulary size, seed, training command, metrics, sha256",
    "",
    "## Limits",
    "",
    'Bag of words: no word order, no negation ("no horror" raises horror: constraints are handled by the understanding step, not this model). English only; only ASCII letters/digits form tokens. Seeker labels are weak (genres of mentioned movies).',
    "",
    `Created ${meta.created}.`,
    "",
  );
  const cardPath = join(dir, "MODEL_CARD.md");
  // Other artefacts' sections (the neighbours) survive a retrained interest model.
  const kept = existsSync(cardPath) ? markedSectionsOf(readFileSync(cardPath, "utf8")) : "";
  writeFileSync(cardPath, lines.join("\n") + (kept ? `\n${kept}\n` : ""));
}
