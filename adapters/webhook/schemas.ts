// Request bodies of the HTTP API. Unknown fields are refused (a typo such as "limt" is an error, not
// silently ignored); identifiers with control characters or broken Unicode are refused; message text is
// cleaned (NFC, control characters removed) and must keep some content.
import { z } from "zod";
import { cleanText, identifierProblem } from "../../src/util/text.ts";

const MAX_ID = 200;

function identifier(name: string) {
  return z
    .string()
    .min(1, `${name} must not be empty`)
    .max(MAX_ID, `${name} is longer than ${MAX_ID} characters`)
    .superRefine((v, ctx) => {
      const problem = identifierProblem(v);
      if (problem) ctx.addIssue({ code: "custom", message: `${name} ${problem}` });
    });
}

const notBlank = (v: string) => v.length === 0 || v.trim().length > 0;
const userId = identifier("user.id").refine(notBlank, "user.id must not be blank");
const limit = z.number().int().min(1).max(20);
/** Asks for an asynchronous reply: 202 at once, the reply POSTed (signed) to this URL; see callbacks.ts. */
const callbackUrl = z.string().max(2000, "callbackUrl is longer than 2000 characters").optional();

export interface ApiLimits {
  maxTextLength: number;
}

export function apiSchemas(limits: ApiLimits) {
  const MessageBody = z.strictObject({
    user: z.strictObject({
      id: userId,
      name: z
        .string()
        .max(MAX_ID)
        .transform((n) => cleanText(n, MAX_ID))
        .optional(),
    }),
    text: z
      .string()
      .max(limits.maxTextLength, `text is longer than ${limits.maxTextLength} characters`)
      .transform((t) => cleanText(t, limits.maxTextLength))
      .refine(
        (t) => t.trim().length > 0,
        "text must not be empty (after removing control characters)",
      ),
    conversationId: identifier("conversationId").optional(),
    messageId: identifier("messageId").optional(),
    limit: limit.optional(),
    /** Wait (at most the LLM time budget) for an LLM explanation of the list. */
    explain: z.boolean().optional(),
    callbackUrl,
  });
  const FeedbackBody = z.strictObject({
    user: z.strictObject({ id: userId }),
    itemId: identifier("itemId"),
    signal: z.enum(["like", "dislike", "seen", "click", "more"]),
    messageId: identifier("messageId").optional(),
    limit: limit.optional(),
    /** Wait (at most the LLM time budget) for an LLM explanation of the list. */
    explain: z.boolean().optional(),
    callbackUrl,
  });
  const UserParams = z.object({
    id: identifier("the user id in the path").refine(
      notBlank,
      "the user id in the path must not be blank",
    ),
  });
  return { MessageBody, FeedbackBody, UserParams };
}

/** POST /v1/explanations: the LLM explanation of the person's latest list, as JSON or streamed (SSE). */
export const ExplanationBody = z.strictObject({
  user: z.strictObject({ id: userId }),
  stream: z.boolean().optional(),
});

const EXPECTED: Record<string, string> = {
  object: "an object",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
};

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") return String(value);
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Wrong or missing types in words a client can act on; everything else keeps the schema's own message. */
const typeMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "invalid_value") {
    const allowed = `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    return issue.input === undefined
      ? `missing (${allowed})`
      : `${allowed}, not ${typeof issue.input === "string" ? JSON.stringify(issue.input.slice(0, 40)) : kindOf(issue.input)}`;
  }
  if (issue.code !== "invalid_type") return undefined;
  const expected = EXPECTED[issue.expected] ?? issue.expected;
  if (!issue.path?.length)
    return issue.input === undefined
      ? "the body is empty: send a JSON object"
      : `the body must be a JSON object, not ${kindOf(issue.input)}`;
  return issue.input === undefined
    ? `missing (must be ${expected})`
    : `must be ${expected}, not ${kindOf(issue.input)}`;
};

function describeZodError(error: z.ZodError, opts: { paths?: boolean } = {}): string {
  return error.issues
    .map((i) => {
      const message =
        i.code === "unrecognized_keys"
          ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}`
          : i.message;
      return i.path.length && opts.paths !== false ? `${i.path.join(".")}: ${message}` : message;
    })
    .join("; ");
}

/** Validates request input; on failure the reason for a 400 names each field and what is wrong with it. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  opts: { paths?: boolean } = {},
): { ok: true; data: z.output<T> } | { ok: false; error: string } {
  const parsed = schema.safeParse(input, { error: typeMessage });
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, error: describeZodError(parsed.error, opts) };
}
