// Who may call the HTTP API. With CHATREC_WEBHOOK_SECRET every /v1/* request carries an HMAC signature over
// its raw body (src/util/signature.ts), or comes from the web chat page's same-origin session; anything
// else is 401. Without a secret the server is reachable on loopback only (see assertSafeListen) and answers
// only to loopback host names, so a web page elsewhere cannot reach it through DNS rebinding.
import { TokenBuckets } from "../token-buckets.ts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  SIGNATURE_HEADER,
  signatureHeadersProblem,
  TIMESTAMP_HEADER,
  verifySignature,
} from "../../src/util/signature.ts";
import {
  cookieValue,
  isSameOrigin,
  overHttps,
  SESSION_COOKIE,
  WebSessions,
} from "./web-session.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the request was let in by the web chat page's session (its id). */
    webSession?: string;
  }
  interface FastifyContextConfig {
    /**
     * Who may reach a route: "public" needs nothing (/health; Slack's endpoint checks Slack's own signature),
     * "page" is the web chat page. Unset, and for unknown paths: the API's rules (signature, loopback host).
     */
    access?: "public" | "page";
  }
}

/** Route options of a route anyone may reach. */
export const PUBLIC_ROUTE = { config: { access: "public" as const } };
/** Route options of the web chat page. */
export const PAGE_ROUTE = { config: { access: "page" as const } };
/** New web chat sessions per client address: enough for an office behind one address, not for a reset loop. */
export const NEW_SESSIONS_PER_MINUTE = 10;
const NEW_SESSIONS_BURST = 10;

export interface AuthOptions {
  webhookSecret: string | undefined;
  /** Unset: the page is served exactly when there is no secret. */
  webChat: boolean | undefined;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
const EMPTY = Buffer.alloc(0);

export class UnsafeListenError extends Error {
  override name = "UnsafeListenError";
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** A server without an API secret must not be reachable from other machines. */
export function assertSafeListen(host: string, webhookSecret: string | undefined): void {
  if (!webhookSecret && !isLoopbackHost(host)) {
    throw new UnsafeListenError(
      `refusing to listen on ${host} without CHATREC_WEBHOOK_SECRET: the API would be open to anyone who can reach it. Set CHATREC_WEBHOOK_SECRET (at least 16 characters) or use HOST=127.0.0.1.`,
    );
  }
}

export function webChatEnabled(opts: AuthOptions): boolean {
  return opts.webChat ?? !opts.webhookSecret;
}

/** The profile scope of a request: web chat sessions each get their own, API callers share the default. */
export function personScope(req: FastifyRequest): { scope?: string } {
  return req.webSession ? { scope: `web:${req.webSession}` } : {};
}

/**
 * What a request reaches, decided by the route fastify matched, never by the raw URL: the router decodes
 * percent-escapes, so "/%761/messages" IS /v1/messages and must meet the same checks.
 */
function accessOf(req: FastifyRequest): "public" | "page" | "api" {
  return req.routeOptions.config?.access ?? "api";
}

/** A request to one of the API's routes (not an unknown path, the page or a public route). */
export function isApiRequest(req: FastifyRequest): boolean {
  return !req.is404 && accessOf(req) === "api";
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return "";
  return hostHeader.startsWith("[")
    ? hostHeader.slice(0, hostHeader.indexOf("]") + 1)
    : hostHeader.replace(/:\d+$/, "");
}

/** Registers the checks; call after registerRawBody and before registerJsonDecoding. */
export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  const secret = opts.webhookSecret;
  const sessions = secret ? new WebSessions(secret) : undefined;
  // A fresh cookie would reset a session's rate limit, so fresh cookies are themselves limited per address.
  const newSessions = new TokenBuckets(NEW_SESSIONS_PER_MINUTE, NEW_SESSIONS_BURST);
  const pageEnabled = webChatEnabled(opts);

  // Early checks that need no body: host names, the page's session, the signature headers' presence.
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    const access = accessOf(req);
    if (access === "public") return;
    const isPage = access === "page";
    if (!secret && !isLoopbackHost(hostName(req.headers.host))) {
      return reply.status(403).send({
        error:
          "this server has no CHATREC_WEBHOOK_SECRET and answers only to loopback host names (127.0.0.1, localhost)",
      });
    }
    if (isPage) {
      if (!pageEnabled)
        return reply.status(404).send({
          error:
            "the web chat page is disabled because CHATREC_WEBHOOK_SECRET is set; CHATREC_WEB_CHAT=1 enables it",
        });
      if (sessions) {
        const current = cookieValue(req.headers.cookie, SESSION_COOKIE);
        if (!sessions.verify(current)) {
          const taken = newSessions.take(req.ip);
          if (!taken.ok)
            return reply
              .status(429)
              .header("retry-after", String(taken.retryAfterSeconds))
              .send({
                error: `too many new web chat sessions from this address (limit ${NEW_SESSIONS_PER_MINUTE} per minute); retry in ${taken.retryAfterSeconds} s`,
              });
        }
        void reply.header(
          "set-cookie",
          WebSessions.cookie(
            sessions.verify(current) ? current! : sessions.issue(),
            overHttps(req),
          ),
        );
      }
      return;
    }
    if (!secret) return;
    // A signed request is judged by its signature alone, even if it also carries a session cookie.
    const signed = header(req, SIGNATURE_HEADER) !== undefined;
    const session =
      pageEnabled && !signed
        ? sessions!.verify(cookieValue(req.headers.cookie, SESSION_COOKIE))
        : undefined;
    if (session) {
      if (!isSameOrigin(req))
        return reply.status(401).send({
          error: "a web chat session is accepted only on same-origin requests (Origin header)",
        });
      req.webSession = session;
      return;
    }
    // The signature itself covers the body and is checked once the body is read (preValidation).
    const problem = signatureHeadersProblem(
      header(req, TIMESTAMP_HEADER),
      header(req, SIGNATURE_HEADER),
    );
    if (problem) return reply.status(401).send({ error: problem });
  });

  app.addHook("preValidation", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!secret || req.webSession || accessOf(req) !== "api") return;
    const check = verifySignature(
      secret,
      header(req, TIMESTAMP_HEADER),
      header(req, SIGNATURE_HEADER),
      req.rawBody ?? EMPTY,
    );
    if (!check.ok) return reply.status(401).send({ error: check.reason });
  });
}
