// Data readers for training and evaluation: catalog JSONL -> Item, GloVe, ReDial conversations, BBC News.
import { parseCsv } from "../../src/util/csv.ts";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Item } from "../../src/types.ts";

export function readText(path: string): string {
  const raw = readFileSync(path);
  return (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
}

export function readJsonl(path: string): Array<Record<string, unknown>> {
  return readText(path)
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const CORE = new Set(["id", "title", "year", "text", "categories"]);

function toList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x).trim()).filter(Boolean);
  if (typeof v === "string")
    return v
      .split(/\s*[|;]\s*/)
      .map((x) => x.trim())
      .filter(Boolean);
  return [];
}

/** One JSONL row -> Item; fields other than id/title/year/text/categories go into `extra`. */
export function jsonRowToItem(row: Record<string, unknown>): Item | undefined {
  const id = String(row.id ?? "").trim();
  const title = String(row.title ?? "")
    .replace(/\s+/g, " ")
    .trim();
  if (!id || !title) return undefined;
  const extra: Item["extra"] = {};
  for (const [k, v] of Object.entries(row)) {
    if (CORE.has(k)) continue;
    if (typeof v === "number" && Number.isFinite(v)) extra[k] = v;
    else if (typeof v === "string" && v) extra[k] = v;
    else if (Array.isArray(v)) extra[k] = v.map(String);
  }
  const year =
    typeof row.year === "number" ? row.year : Number.parseInt(String(row.year ?? ""), 10);
  return {
    id,
    title,
    ...(Number.isFinite(year) && year > 1000 ? { year } : {}),
    text: String(row.text ?? "").trim(),
    categories: toList(row.categories).map((c) => c.toLowerCase()),
    extra,
  };
}

export function loadCatalogItems(path: string): Item[] {
  const seen = new Set<string>();
  const out: Item[] = [];
  for (const row of readJsonl(path)) {
    const item = jsonRowToItem(row);
    if (item && !seen.has(item.id)) {
      seen.add(item.id);
      out.push(item);
    }
  }
  return out;
}

/** Categories with at least `minCount` items, most frequent first (ties by name). */
export function labelSet(items: readonly Item[], minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const it of items)
    for (const c of new Set(it.categories)) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([c]) => c);
}

/** GloVe text format (optionally gzipped): word v1 ... vd. */
export function loadGlove(path: string): { dim: number; vectors: Map<string, Float32Array> } {
  const vectors = new Map<string, Float32Array>();
  let dim = 0;
  for (const line of readText(path).split("\n")) {
    const parts = line.trimEnd().split(" ");
    if (parts.length < 3) continue;
    const v = new Float32Array(parts.length - 1);
    for (let i = 1; i < parts.length; i++) v[i - 1] = Number(parts[i]);
    dim = v.length;
    vectors.set(parts[0]!, v);
  }
  return { dim, vectors };
}

// ---------------------------------------------------------------- ReDial
export interface RedialMessage {
  text: string;
  /** The text without its movie mentions (what else the message says). */
  withoutMovies: string;
  seeker: boolean;
  movies: string[];
  /** Seconds since the conversation began: ReDial's timeOffset, or (where a release lacks it) GAP_SECONDS per message. */
  offsetSeconds: number;
}
export interface RedialConversation {
  id: string;
  messages: RedialMessage[];
  /** The seeker's answers (initiatorQuestions, falling back to respondentQuestions): movieId -> liked (0 no, 1 yes, 2 unsaid). */
  liked: Map<string, number>;
  suggested: Map<string, number>;
}

/** The median gap between messages in the ReDial train dialogues that carry timeOffset (checked in test/redial-eval.test.ts). */
export const GAP_SECONDS = 13;

/**
 * Reads ReDial conversations. `@<movieId>` mentions become the movie's title (from the catalog when known,
 * else from movieMentions without the year), which is how a person would type them to the bot.
 */
export function loadRedial(
  path: string,
  titles: ReadonlyMap<string, string>,
): RedialConversation[] {
  return readJsonl(path).map((row, idx) => {
    const mentions = (row.movieMentions ?? {}) as Record<string, string | null>;
    const seekerId = row.initiatorWorkerId;
    const iq = (row.initiatorQuestions ?? {}) as Record<
      string,
      { liked?: number; suggested?: number }
    >;
    const rq = (row.respondentQuestions ?? {}) as Record<
      string,
      { liked?: number; suggested?: number }
    >;
    const q = Object.keys(iq).length > 0 ? iq : rq;
    const liked = new Map<string, number>();
    const suggested = new Map<string, number>();
    for (const [k, v] of Object.entries(q)) {
      liked.set(k, Number(v.liked ?? 2));
      suggested.set(k, Number(v.suggested ?? 0));
    }
    let offsetSeconds = 0;
    const messages = (
      (row.messages ?? []) as Array<{
        text?: string;
        senderWorkerId?: unknown;
        timeOffset?: unknown;
      }>
    ).map((m, i) => {
      const movies: string[] = [];
      const text = String(m.text ?? "").replace(/@(\d+)/g, (_, id: string) => {
        movies.push(id);
        const t =
          titles.get(id) ??
          String(mentions[id] ?? "")
            .replace(/\(\d{4}\)\s*$/, "")
            .trim();
        return t;
      });
      const withoutMovies = String(m.text ?? "")
        .replace(/@\d+/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      // Never backwards: profiles decay with the time between messages.
      const given =
        typeof m.timeOffset === "number" && Number.isFinite(m.timeOffset)
          ? m.timeOffset
          : undefined;
      offsetSeconds =
        given !== undefined
          ? Math.max(offsetSeconds, given)
          : i === 0
            ? 0
            : offsetSeconds + GAP_SECONDS;
      return {
        text: text.replace(/\s+/g, " ").trim(),
        withoutMovies,
        seeker: m.senderWorkerId === seekerId,
        movies,
        offsetSeconds,
      };
    });
    return { id: String(row.conversationId ?? idx), messages, liked, suggested };
  });
}

// ---------------------------------------------------------------- BBC News
export interface NewsDoc {
  category: string;
  file: string;
  text: string;
}
export function loadBbc(path: string): NewsDoc[] {
  const rows = parseCsv(readText(path));
  const header = rows[0] ?? [];
  const ci = header.indexOf("category");
  const fi = header.indexOf("file");
  const ti = header.indexOf("title");
  const xi = header.indexOf("text");
  return rows.slice(1).map((r) => ({
    category: r[ci] ?? "",
    file: r[fi] ?? "",
    text: `${r[ti] ?? ""}. ${r[xi] ?? ""}`,
  }));
}
