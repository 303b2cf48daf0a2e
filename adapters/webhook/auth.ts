// Who may call the HTTP API. With CHATREC_WEBHOOK_SECRET every /v1/* request carries an HMAC signature over
// its raw body (src/util/signature.ts), or comes from the web chat page's same-origin session; anything
// else is 401. Without a secret the server is reachable on loopback only (see assertSafeListen) and answers
// only to loopback host names, so a web page elsewhere cannot reach it through DNS rebinding.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "../../src/util/signature.ts";
import { cookieValue, isSameOrigin, SESSION_COOKIE, WebSessions } from "./web-session.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the request was let in by the web chat page's session (its id). */
    webSession?: string;
  }
}

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
    throw new UnsafeListenError(`refusing to listen on ${host} without CHATREC_WEBHOOK_SECRET: the API would be open to anyone who can reach it. Set CHATREC_WEBHOOK_SECRET (at least 16 characters) or use HOST=127.0.0.1.`);
  }
}

export function webChatEnabled(opts: AuthOptions): boolean {
  return opts.webChat ?? !opts.webhookSecret;
}

/** The profile scope of a request: web chat sessions each get their own, API callers share the default. */
export function personScope(req: FastifyRequest): { scope?: string } {
  return req.webSession ? { scope: `web:${req.webSession}` } : {};
}

function pathOf(req: FastifyRequest): string {
  const q = req.url.indexOf("?");
  return q < 0 ? req.url : req.url.slice(0, q);
}

const isApiPath = (path: string) => path === "/v1" || path.startsWith("/v1/");

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function hostName(hostHeader: string | undefined): string {
  if (!hostHeader) return "";
  return hostHeader.startsWith("[") ? hostHeader.slice(0, hostHeader.indexOf("]") + 1) : hostHeader.replace(/:\d+$/, "");
}

/** Registers the checks; call after registerRawBody and before registerJsonDecoding. */
export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  const secret = opts.webhookSecret;
  const sessions = secret ? new WebSessions(secret) : undefined;
  const pageEnabled = webChatEnabled(opts);

  // Early checks that need no body: host names, the page's session, the signature headers' presence.
  app.addHook("onRequest", async (req: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(req);
    const isPage = path === "/" && (req.method === "GET" || req.method === "HEAD");
    if (!isPage && !isApiPath(path)) return;
    if (!secret && !isLoopbackHost(hostName(req.headers.host))) {
      return reply.status(403).send({ error: "this server has no CHATREC_WEBHOOK_SECRET and answers only to loopback host names (127.0.0.1, localhost)" });
    }
    if (isPage) {
      if (!pageEnabled) return reply.status(404).send({ error: "the web chat page is disabled because CHATREC_WEBHOOK_SECRET is set; CHATREC_WEB_CHAT=1 enables it" });
      if (sessions) {
        const current = cookieValue(req.headers.cookie, SESSION_COOKIE);
        void reply.header("set-cookie", WebSessions.cookie(sessions.verify(current) ? current! : sessions.issue()));
      }
      return;
    }
    if (!secret) return;
    const session = pageEnabled ? sessions!.verify(cookieValue(req.headers.cookie, SESSION_COOKIE)) : undefined;
    if (session) {
      if (!isSameOrigin(req)) return reply.status(401).send({ error: "a web chat session is accepted only on same-origin requests (Origin header)" });
      req.webSession = session;
      return;
    }
    // The signature itself covers the body and is checked once the body is read (preValidation).
    const early = verifySignature(secret, header(req, TIMESTAMP_HEADER), header(req, SIGNATURE_HEADER), EMPTY);
    if (!early.ok && early.reason !== "bad signature") return reply.status(401).send({ error: early.reason });
  });

  app.addHook("preValidation", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!secret || req.webSession || !isApiPath(pathOf(req))) return;
    const check = verifySignature(secret, header(req, TIMESTAMP_HEADER), header(req, SIGNATURE_HEADER), req.rawBody ?? EMPTY);
    if (!check.ok) return reply.status(401).send({ error: check.reason });
  });
}
