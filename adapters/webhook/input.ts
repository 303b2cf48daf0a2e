// Request bodies: the raw bytes are kept (signatures cover them) and decoded as strict UTF-8 JSON only
// after authentication, so an unauthenticated caller learns nothing about what it sent but "401".
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** The exact bytes of the body (empty for a request without one). */
    rawBody?: Buffer;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/** Why a content type is not accepted, or undefined. */
function contentTypeProblem(header: string | undefined): string | undefined {
  if (!header) return "missing content-type: send application/json";
  const [type, ...params] = header.split(";").map((p) => p.trim().toLowerCase());
  if (!type || !JSON_TYPE.test(type))
    return `unsupported content-type ${type ?? ""}: send application/json`;
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  if (charset && charset !== "utf-8" && charset !== "utf8")
    return `unsupported charset ${charset}: send UTF-8`;
  return undefined;
}

/** Every body is read as bytes (size-limited by fastify's bodyLimit -> 413) and kept on the request. */
export function registerRawBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (req, body, done) => {
    req.rawBody = body as Buffer;
    done(null, body);
  });
}

/** Turns the raw body into JSON; call after authentication. Answers 400/415 with a reason on bad input. */
export function registerJsonDecoding(app: FastifyInstance): void {
  app.addHook("preValidation", async (req: FastifyRequest, reply: FastifyReply) => {
    if (!Buffer.isBuffer(req.body)) return;
    const raw = req.body;
    if (raw.length === 0) {
      req.body = undefined;
      return;
    }
    const typeProblem = contentTypeProblem(req.headers["content-type"]);
    if (typeProblem) return reply.status(415).send({ error: typeProblem });
    const encoding = req.headers["content-encoding"]?.trim().toLowerCase();
    if (encoding && encoding !== "identity")
      return reply
        .status(415)
        .send({ error: `unsupported content-encoding ${encoding}: send the body uncompressed` });
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      return reply.status(400).send({ error: "body is not valid UTF-8" });
    }
    try {
      req.body = JSON.parse(text) as unknown;
    } catch (err) {
      return reply
        .status(400)
        .send({ error: `invalid JSON: ${err instanceof Error ? err.message : String(err)}` });
    }
  });
}

/** Unknown routes answer like every other error: 404 with a reason. */
export function registerNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler(
    (req, reply) =>
      void reply
        .status(404)
        .send({ error: `no such endpoint: ${req.method} ${req.url.split("?")[0]}` }),
  );
}

/** Errors fastify raises before routing (a malformed URL, bad headers): 400 with the reason. */
export function answerFrameworkError(err: Error, _req: FastifyRequest, reply: FastifyReply): void {
  void reply.status(400).send({ error: err.message });
}
