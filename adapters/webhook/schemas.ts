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

const userId = identifier("user.id").refine((v) => v.trim().length > 0, "user.id must not be blank");
const limit = z.number().int().min(1).max(20);
/** Asks for an asynchronous reply: 202 at once, the reply POSTed (signed) to this URL; see callbacks.ts. */
const callbackUrl = z.string().max(2000, "callbackUrl is longer than 2000 characters").optional();

export interface ApiLimits {
  maxTextLength: number;
}

export function apiSchemas(limits: ApiLimits) {
  const MessageBody = z.strictObject({
    user: z.strictObject({ id: userId, name: z.string().max(MAX_ID).transform((n) => cleanText(n, MAX_ID)).optional() }),
    text: z
      .string()
      .max(limits.maxTextLength, `text is longer than ${limits.maxTextLength} characters`)
      .transform((t) => cleanText(t, limits.maxTextLength))
      .refine((t) => t.trim().length > 0, "text must not be empty (after removing control characters)"),
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
  const UserParams = z.object({ id: userId });
  return { MessageBody, FeedbackBody, UserParams };
}

/** POST /v1/explanations: the LLM explanation of the person's latest list, as JSON or streamed (SSE). */
export const ExplanationBody = z.strictObject({
  user: z.strictObject({ id: userId }),
  stream: z.boolean().optional(),
});

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const message = i.code === "unrecognized_keys" ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => JSON.stringify(k)).join(", ")}` : i.message;
      return i.path.length ? `${i.path.join(".")}: ${message}` : message;
    })
    .join("; ");
}
