import { z } from "zod";

/** Asks for an asynchronous reply: 202 at once, the reply POSTed (signed) to this URL; see callbacks.ts. */
const callbackUrl = z.string().max(2000, "callbackUrl is longer than 2000 characters").optional();

const userId = z.string().trim().min(1, "user.id must not be empty").max(200, "user.id is longer than 200 characters");

export const MessageBody = z.object({
  user: z.object({ id: userId, name: z.string().max(200).optional() }),
  text: z.string().max(2000, "text is longer than 2000 characters").refine((t) => t.trim().length > 0, "text must not be empty"),
  conversationId: z.string().max(200).optional(),
  messageId: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(20).optional(),
  /** Wait (at most the LLM time budget) for an LLM explanation of the list. */
  explain: z.boolean().optional(),
  callbackUrl,
});

export const FeedbackBody = z.object({
  user: z.object({ id: userId }),
  itemId: z.string().min(1).max(200),
  signal: z.enum(["like", "dislike", "seen", "click", "more"]),
  messageId: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(20).optional(),
  explain: z.boolean().optional(),
  callbackUrl,
});

/** POST /v1/explanations: the LLM explanation of the person's latest list, as JSON or streamed (SSE). */
export const ExplanationBody = z.object({
  user: z.object({ id: userId }),
  stream: z.boolean().optional(),
});

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
}
