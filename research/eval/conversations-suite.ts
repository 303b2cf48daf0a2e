// The conversation suite's files (research/conversations/*.jsonl), read and validated: a mistyped check
// kind or field fails loudly instead of being skipped.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import type { Check, Predicate } from "./conversations-checks.ts";

export const PARTS = ["working", "held-out"] as const;
export type Part = (typeof PARTS)[number];

export const SUITE_DIR = resolve(new URL("../conversations", import.meta.url).pathname);

export interface Turn {
  say: string;
  checks: Check[];
}

export interface Conversation {
  id: string;
  class: string;
  turns: Turn[];
}

const bounds = { min: z.number().optional(), max: z.number().optional() };

const PredicateSchema: z.ZodType<Predicate> = z.lazy(() =>
  z.union([
    z.strictObject({ is: z.enum(["year", "runtime"]), ...bounds }),
    z.strictObject({ is: z.enum(["genre", "keyword"]), any: z.array(z.string()).min(1) }),
    z.strictObject({ is: z.enum(["director", "star", "writer", "person"]), name: z.string() }),
    z.strictObject({ is: z.literal("studio"), name: z.string() }),
    z.strictObject({ is: z.literal("title"), pattern: z.string() }),
    z.strictObject({ is: z.enum(["anyOf", "allOf"]), of: z.array(PredicateSchema).min(1) }),
    z.strictObject({ is: z.literal("not"), of: PredicateSchema }),
  ]),
);

const list = z.enum(["reply", "liked", "disliked", "seen"]).optional();
const indexes = z.array(z.number().int());

const CheckSchema: z.ZodType<Check> = z.union([
  z.strictObject({ check: z.enum(["all", "none"]), where: PredicateSchema, of: list }),
  z.strictObject({
    check: z.literal("atLeast"),
    k: z.number().int().min(1),
    where: PredicateSchema,
    of: list,
  }),
  z.strictObject({ check: z.literal("count"), ...bounds }),
  z.strictObject({
    check: z.literal("compare"),
    field: z.enum(["year", "runtime"]),
    dir: z.enum(["lower", "higher"]),
  }),
  z.strictObject({
    check: z.literal("shift"),
    where: PredicateSchema,
    dir: z.enum(["more", "fewer"]),
  }),
  z.strictObject({ check: z.literal("noRepeat"), items: indexes.optional() }),
  z.strictObject({
    check: z.literal("marked"),
    list: z.enum(["liked", "disliked", "seen"]),
    items: z.union([z.literal("all"), indexes]),
  }),
  z.strictObject({
    check: z.literal("text"),
    pattern: z.string(),
    in: z.enum(["text", "reasons", "either"]),
    absent: z.boolean().optional(),
    caseSensitive: z.boolean().optional(),
  }),
  z.strictObject({
    check: z.literal("reasons"),
    pattern: z.string(),
    which: z.enum(["first", "any", "all"]),
    caseSensitive: z.boolean().optional(),
  }),
  z.strictObject({
    check: z.literal("mentionsPrevious"),
    index: z.number().int(),
    field: z.enum(["title", "year"]),
  }),
  z.strictObject({
    check: z.literal("sharedPersonNamed"),
    title: z.string(),
    year: z.number().int().optional(),
  }),
  z.strictObject({ check: z.literal("popularOrEmpty") }),
]);

const ConversationSchema = z.strictObject({
  id: z.string().min(1),
  class: z.string().min(1),
  turns: z
    .array(z.strictObject({ say: z.string().min(1), checks: z.array(CheckSchema) }))
    .min(1)
    .max(4),
});

export function parseConversations(text: string, source: string): Conversation[] {
  return text
    .split("\n")
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim())
    .map(({ line, n }) => {
      const parsed = ConversationSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(`${source}:${n}: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`);
      return parsed.data;
    });
}

export function loadPart(part: Part, dir = SUITE_DIR): Conversation[] {
  const path = resolve(dir, `${part}.jsonl`);
  return parseConversations(readFileSync(path, "utf8"), path);
}
