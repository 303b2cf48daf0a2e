// The HTTP API (POST /v1/messages, /v1/feedback, profile/export/forget, /health) and the web chat page.
import { readFileSync } from "node:fs";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { ChatrecError, unknownItem, type ErrorCode } from "../../src/errors.ts";
import type { CallbackConfig } from "../../src/config.ts";
import { exampleRequest } from "../../src/messages.ts";
import type { OutgoingReply, UserRef } from "../../src/types.ts";
import type { TurnHost } from "../host.ts";
import { PAGE_ROUTE, personScope, PUBLIC_ROUTE, registerAuth, type AuthOptions } from "./auth.ts";
import { CallbackSender, checkCallbackUrl } from "./callbacks.ts";
import { registerExplanationRoutes, withExplanation } from "./explanations.ts";
import {
  answerFrameworkError,
  registerJsonDecoding,
  registerNotFound,
  registerRawBody,
} from "./input.ts";
import { registerRateLimit, type RateLimitOptions } from "./rate-limit.ts";
import { apiSchemas, parseInput } from "./schemas.ts";

const PLATFORM = "webhook";
/** The whole request (headers and body) must arrive within this time. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The HTTP status of each error code a turn can throw; the body carries the error's own message. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNKNOWN_ITEM: 404,
  UNKNOWN_PERSON: 404,
  BAD_REQUEST: 400,
  TOO_LONG: 400,
  RATE_LIMITED: 429,
  BODY_TOO_LARGE: 413,
  BUSY: 503,
};
const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
const page = asset("chat.html");
/** The page's input hint: an example request from the served catalog, put in once at start-up. */
const EXAMPLE_SLOT = "{{example}}";
const attributeText = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** The page's script and style: own files, so the page's CSP allows no inline code at all. */
const ASSETS = {
  "/chat.js": { body: asset("chat.js"), type: "text/javascript; charset=utf-8" },
  "/chat.css": { body: asset("chat.css"), type: "text/css; charset=utf-8" },
};
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function toApi(reply: OutgoingReply) {
  return {
    reply: reply.text,
    recommendations: reply.recommendations.map((r) => ({
      id: r.id,
      title: r.title,
      ...(r.year ? { year: r.year } : {}),
      categories: r.categories,
      score: r.score,
      reasons: r.reasons,
    })),
    interests: reply.interests,
  };
}

/** Security settings; each defaults to the open, loopback-only, unlimited behaviour. */
export type SecurityOptions = AuthOptions & RateLimitOptions;
const OPEN: SecurityOptions = {
  webhookSecret: undefined,
  webChat: undefined,
  ratePerMinute: 0,
  rateBurst: 1,
  maxInFlight: 10_000,
};

export function buildServer(
  host: TurnHost,
  opts: {
    maxBodyBytes: number;
    logLevel?: string;
    security?: Partial<SecurityOptions>;
    callbacks?: CallbackConfig;
  },
): FastifyInstance {
  // requestTimeout: a client that trickles its request in (slowloris) is cut off instead of holding a socket.
  const app = Fastify({
    bodyLimit: opts.maxBodyBytes,
    requestTimeout: REQUEST_TIMEOUT_MS,
    frameworkErrors: answerFrameworkError,
    logger: opts.logLevel && opts.logLevel !== "silent" ? { level: opts.logLevel } : false,
  });
  const { bot } = host;
  const chatPage = page.replace(EXAMPLE_SLOT, attributeText(exampleRequest(bot.wording)));
  const security = { ...OPEN, ...opts.security };
  const { MessageBody, FeedbackBody, UserParams } = apiSchemas({
    maxTextLength: bot.config.maxTextLength,
  });
  const user = (id: string, req: FastifyRequest): UserRef => ({
    platform: PLATFORM,
    id,
    ...personScope(req),
  });
  // Order matters: raw body, then who may call, then JSON decoding, then per-person limits.
  registerRawBody(app);
  registerAuth(app, security);
  registerJsonDecoding(app);
  registerRateLimit(app, security);
  registerNotFound(app);
  /** The person named by /v1/users/:id, or undefined after answering 400. */
  const personInPath = (req: FastifyRequest, reply: FastifyReply): UserRef | undefined => {
    const params = parseInput(UserParams, req.params, { paths: false });
    if (params.ok) return user(params.data.id, req);
    void reply.status(400).send({ error: params.error });
    return undefined;
  };

  const callbackConfig = opts.callbacks ?? bot.config.callbacks;
  const callbacks = new CallbackSender(callbackConfig, app.log);
  app.addHook("onClose", () => callbacks.close());
  /** With a callbackUrl: 202 now, the same reply JSON (plus `id`) POSTed to the URL once the turn is done. */
  const replyLater = (
    callbackUrl: string,
    reply: FastifyReply,
    who: UserRef,
    explain: boolean | undefined,
    turn: () => Promise<OutgoingReply>,
  ) => {
    const check = checkCallbackUrl(callbackUrl, callbackConfig);
    if (!check.ok) return reply.status(400).send({ error: check.reason });
    const id = callbacks.accept(check.url, async () => {
      const result = await turn();
      const explanation = explain ? await host.explain(result, who) : undefined;
      return explanation ? { ...toApi(result), explanation } : toApi(result);
    });
    return reply.status(202).send({ accepted: true, id });
  };

  app.setErrorHandler(
    (err: { statusCode?: number; message: string; code?: string }, req, reply) => {
      const known = err instanceof ChatrecError ? HTTP_STATUS[err.code] : undefined;
      const status =
        known ??
        (err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500);
      if (status === 500) req.log.error(err);
      const message =
        err.code === "FST_ERR_CTP_BODY_TOO_LARGE"
          ? `body larger than ${req.routeOptions.bodyLimit ?? opts.maxBodyBytes} bytes`
          : status === 500
            ? "internal error"
            : err.message;
      if (err.code !== "FST_ERR_CTP_BODY_TOO_LARGE") {
        void reply.status(status).send({ error: message });
        return;
      }
      // Answer only once the client has finished sending: closing while it still writes makes common clients
      // (Node's fetch, Python's urllib) report a broken pipe instead of this 413.
      void drained(req.raw).then(() =>
        reply.status(413).header("connection", "close").send({ error: message }),
      );
    },
  );

  app.get("/health", PUBLIC_ROUTE, async () => ({ status: "ok", items: bot.catalogSize }));
  // The page must not be framed by another site (clickjacking a "forget me"), sniffed or leak its URL.
  const pageHeaders = {
    "content-security-policy": PAGE_CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
  app.get("/", PAGE_ROUTE, async (_req, reply) =>
    reply.headers(pageHeaders).type("text/html; charset=utf-8").send(chatPage),
  );
  for (const [path, { body, type }] of Object.entries(ASSETS))
    app.get(path, PUBLIC_ROUTE, async (_req, reply) =>
      reply.headers(pageHeaders).type(type).send(body),
    );

  app.post("/v1/messages", async (req, reply) => {
    const body = parseInput(MessageBody, req.body);
    if (!body.ok) return reply.status(400).send({ error: body.error });
    const b = body.data;
    const turn = () =>
      host.answer({
        kind: "message",
        user: { ...user(b.user.id, req), ...(b.user.name ? { name: b.user.name } : {}) },
        text: b.text,
        ...(b.conversationId ? { conversationId: b.conversationId } : {}),
        ...(b.messageId ? { messageId: b.messageId } : {}),
        ...(b.limit ? { limit: b.limit } : {}),
      });
    if (b.callbackUrl !== undefined)
      return replyLater(b.callbackUrl, reply, user(b.user.id, req), b.explain, turn);
    const result = await turn();
    return withExplanation(host, result, toApi(result), user(b.user.id, req), b.explain, reply);
  });

  app.post("/v1/feedback", async (req, reply) => {
    const body = parseInput(FeedbackBody, req.body);
    if (!body.ok) return reply.status(400).send({ error: body.error });
    const b = body.data;
    const turn = () =>
      host.answer({
        kind: "feedback",
        user: user(b.user.id, req),
        itemId: b.itemId,
        signal: b.signal,
        ...(b.messageId ? { messageId: b.messageId } : {}),
        ...(b.limit ? { limit: b.limit } : {}),
      });
    if (b.callbackUrl !== undefined) {
      if (bot.itemTitle(b.itemId) === undefined)
        return reply.status(404).send({ error: unknownItem(b.itemId).message });
      return replyLater(b.callbackUrl, reply, user(b.user.id, req), b.explain, turn);
    }
    const result = await turn();
    return withExplanation(host, result, toApi(result), user(b.user.id, req), b.explain, reply);
  });

  registerExplanationRoutes(app, host, user);

  app.get<{ Params: { id: string } }>("/v1/users/:id/profile", async (req, reply) => {
    const person = personInPath(req, reply);
    if (!person) return reply;
    const profile = await bot.profileOf(person);
    return profile ?? reply.status(404).send({ error: "unknown user" });
  });

  app.get<{ Params: { id: string } }>("/v1/users/:id/export", async (req, reply) => {
    const person = personInPath(req, reply);
    if (!person) return reply;
    const data = await bot.exportOf(person);
    if (!data) return reply.status(404).send({ error: "unknown user" });
    const p = data.profile;
    return {
      profile: {
        ...p,
        shortTerm: Array.from(p.shortTerm),
        longTerm: Array.from(p.longTerm),
        negative: Array.from(p.negative),
        shortVec: Array.from(p.shortVec),
        longVec: Array.from(p.longVec),
        negVec: Array.from(p.negVec),
      },
      events: data.events,
    };
  });

  app.delete<{ Params: { id: string } }>("/v1/users/:id", async (req, reply) => {
    const person = personInPath(req, reply);
    if (!person) return reply;
    await bot.forget(person);
    return reply.status(204).send();
  });

  return app;
}

/** The most of an oversized body read (and dropped) before answering, and how long to wait for it. */
const DRAIN_BYTES = 64 * 1024 * 1024;
const DRAIN_MS = 10_000;

/** Resolves once the request body has been read to its end and dropped, or past the caps above. */
function drained(stream: NodeJS.ReadableStream & { readableEnded?: boolean }): Promise<void> {
  if (stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    let bytes = 0;
    const done = () => {
      clearTimeout(timer);
      stream.removeListener("data", count);
      resolve();
    };
    const count = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DRAIN_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MS);
    stream.on("data", count);
    stream.once("end", done);
    stream.once("close", done);
    stream.once("error", done);
    stream.resume();
  });
}
