// The web chat page's own session: it cannot hold the API secret, so GET / gives the browser an HttpOnly,
// SameSite=Strict cookie that the page's same-origin /v1 calls carry instead of an HMAC signature.
// The cookie is stateless (id, issue time and an HMAC under a key derived from the API secret), so it
// survives restarts, and each session is its own scope of people: a page visitor reaches only its own data.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";

export const SESSION_COOKIE = "chatrec_session";
const MAX_AGE_SECONDS = 30 * 86_400;

export class WebSessions {
  private readonly key: Buffer;

  constructor(apiSecret: string) {
    this.key = createHmac("sha256", apiSecret).update("chatrec web session v1").digest();
  }

  private mac(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }

  /** A fresh cookie value: "<id>.<issued seconds>.<mac>". */
  issue(nowSeconds = Math.floor(Date.now() / 1000)): string {
    const body = `${randomBytes(18).toString("base64url")}.${nowSeconds}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The session id of a valid, unexpired cookie value, else undefined. */
  verify(
    value: string | undefined,
    nowSeconds = Math.floor(Date.now() / 1000),
  ): string | undefined {
    const parts = value?.split(".");
    if (!parts || parts.length !== 3) return undefined;
    const [id, issued, mac] = parts as [string, string, string];
    if (!/^[\w-]{24}$/.test(id) || !/^\d{1,12}$/.test(issued)) return undefined;
    const age = nowSeconds - Number(issued);
    if (age < -60 || age > MAX_AGE_SECONDS) return undefined;
    const expected = Buffer.from(this.mac(`${id}.${issued}`));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }

  /** Set-Cookie header value for a session cookie; `secure` when the page was fetched over HTTPS. */
  static cookie(value: string, secure = false): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${MAX_AGE_SECONDS}${secure ? "; Secure" : ""}`;
  }
}

/** Whether the browser reached us over HTTPS: directly, or through a TLS-terminating proxy that says so. */
export function overHttps(req: FastifyRequest): boolean {
  return (
    req.protocol === "https" ||
    String(req.headers["x-forwarded-proto"] ?? "")
      .split(",")[0]!
      .trim() === "https"
  );
}

// Hand-written on purpose: @fastify/cookie 11 serialises through cookie@2, which needs Node 22 (this
// package pins cookie@1 for Node 20), and reading one name from a Cookie header is these few lines.
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Whether the request comes from a page of this very origin: a matching Origin header (browsers send it on
 * POST/DELETE), or, for a GET without one, the browser's own Sec-Fetch-Site: same-origin.
 */
export function isSameOrigin(req: FastifyRequest): boolean {
  const host = req.headers.host;
  if (!host) return false;
  const origin = req.headers.origin;
  if (origin !== undefined) return origin === `http://${host}` || origin === `https://${host}`;
  return req.method === "GET" && req.headers["sec-fetch-site"] === "same-origin";
}
