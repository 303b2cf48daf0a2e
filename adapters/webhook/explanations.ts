// LLM explanations over HTTP. The list itself never waits for the LLM: either the client asks `"explain": true`
// on /v1/messages or /v1/feedback (then the reply waits at most the LLM time budget), or it shows the list at
// once and asks POST /v1/explanations afterwards, as JSON or as a server-sent event stream.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import type { TurnHost } from "../host.ts";
import { ExplanationBody, parseInput } from "./schemas.ts";

/** Aborts when the client goes away before the response is complete, so nobody waits for it. */
function closedSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => controller.abort());
  return controller.signal;
}

/** The API body plus `explanation` when `explain` was asked for and a checked answer arrived within the budget. */
export async function withExplanation<T extends object>(
  host: TurnHost,
  result: OutgoingReply,
  body: T,
  user: UserRef,
  explain: boolean | undefined,
  reply: FastifyReply,
): Promise<T & { explanation?: string }> {
  if (!explain) return body;
  const explanation = await host.explain(result, user, closedSignal(reply));
  return explanation === undefined ? body : { ...body, explanation };
}

export function registerExplanationRoutes(
  app: FastifyInstance,
  host: TurnHost,
  userOf: (id: string, req: FastifyRequest) => UserRef,
): void {
  app.post("/v1/explanations", async (req, reply) => {
    const parsed = parseInput(ExplanationBody, req.body);
    if (!parsed.ok) return reply.status(400).send({ error: parsed.error });
    const user = userOf(parsed.data.user.id, req);
    const latest = host.bot.latestReplyOf(user);
    if (!latest && host.bot.explanationsEnabled)
      return reply
        .status(404)
        .send({ error: "no recent recommendations to explain for this user" });
    if (!parsed.data.stream) {
      const explanation = latest && (await host.explain(latest, user, closedSignal(reply)));
      return { explanation: explanation ?? null };
    }
    // SSE: `text` events carry the checked text so far; `done` carries the final text, or null when the
    // streamed text must be withdrawn (failed a later check, over budget) and the template reasons stand.
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    const send = (event: string, data: unknown) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const explanation =
      latest &&
      (await host.bot.explain(latest, user, {
        signal: closedSignal(reply),
        onText: (text) => send("text", { text }),
      }));
    send("done", { explanation: explanation ?? null });
    res.end();
  });
}
