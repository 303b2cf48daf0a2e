// A Bolt Receiver fed by the bot's own fastify server: POST /slack/events carries Events API callbacks,
// interactivity (block_actions) and slash commands. The HTTP answer goes out as soon as Bolt acks, so the
// slow part (the turn, the Web API calls) never holds Slack's 3-second window.
import type { IncomingHttpHeaders } from "node:http";
import { parse as parseForm } from "node:querystring";
import { ReceiverMultipleAckError, type App, type Receiver, type ReceiverEvent } from "@slack/bolt";
import type { FastifyInstance } from "fastify";
import { APOLOGY } from "../../src/messages.ts";
import { PUBLIC_ROUTE } from "../webhook/auth.ts";
import { verifySlackSignature } from "./verify.ts";

export const SLACK_EVENTS_PATH = "/slack/events";
/** block_actions payloads echo the whole message they came from, so they are larger than our API bodies. */
const SLACK_BODY_LIMIT = 1_048_576;

export interface SlackHttpAnswer {
  status: number;
  body: string | Record<string, unknown>;
}

type Warn = (message: string, err?: unknown) => void;

export class FastifySlackReceiver implements Receiver {
  private app: App | undefined;

  constructor(
    private readonly signingSecret: string,
    private readonly warn: Warn,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  // fastify owns the socket: starting and stopping the server is the composition root's job.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Adds POST /slack/events to a fastify app that has not started listening yet. */
  mount(server: FastifyInstance): void {
    void server.register(async (scope) => {
      // The signature covers the exact bytes Slack sent, so this route keeps the raw body as a string (the
      // API's JSON decoding and /v1 authentication hooks leave it alone; Slack's own signature guards it).
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser(
        "*",
        { parseAs: "string", bodyLimit: SLACK_BODY_LIMIT },
        (_req, body, done) => done(null, body),
      );
      scope.post(
        SLACK_EVENTS_PATH,
        { bodyLimit: SLACK_BODY_LIMIT, ...PUBLIC_ROUTE },
        async (req, reply) => {
          const answer = await this.handle(
            typeof req.body === "string" ? req.body : "",
            req.headers,
          );
          return reply.status(answer.status).send(answer.body);
        },
      );
    });
  }

  /** Verifies, parses and dispatches one request; resolves with the HTTP answer as soon as Bolt acks. */
  async handle(rawBody: string, headers: IncomingHttpHeaders): Promise<SlackHttpAnswer> {
    const contentType = String(headers["content-type"] ?? "")
      .split(";")[0]!
      .trim()
      .toLowerCase();
    const form =
      contentType === "application/x-www-form-urlencoded" ? parseForm(rawBody) : undefined;
    // Slack's unsigned reachability probe for slash commands: answer it, process nothing.
    if (form?.ssl_check === "1") return { status: 200, body: "" };

    const check = verifySlackSignature(
      this.signingSecret,
      header(headers, "x-slack-request-timestamp"),
      header(headers, "x-slack-signature"),
      rawBody,
    );
    if (!check.ok) return { status: 401, body: { error: check.reason } };

    const body = parseBody(rawBody, form);
    if (!body)
      return {
        status: 400,
        body: { error: "body is neither a JSON object nor a form with a JSON payload" },
      };
    if (body.type === "url_verification")
      return { status: 200, body: { challenge: String(body.challenge ?? "") } };
    if (!this.app) return { status: 503, body: { error: "Slack app not initialised" } };
    return this.dispatch(this.app, body, headers);
  }

  private dispatch(
    app: App,
    body: Record<string, unknown>,
    headers: IncomingHttpHeaders,
  ): Promise<SlackHttpAnswer> {
    return new Promise((resolve) => {
      let acked = false;
      const retryNum = Number(header(headers, "x-slack-retry-num"));
      const retryReason = header(headers, "x-slack-retry-reason");
      const event: ReceiverEvent = {
        body,
        ...(Number.isInteger(retryNum) ? { retryNum } : {}),
        ...(retryReason ? { retryReason } : {}),
        ack: async (response?: unknown) => {
          if (acked) throw new ReceiverMultipleAckError();
          acked = true;
          resolve({
            status: 200,
            body:
              response === undefined || response === null
                ? ""
                : (response as SlackHttpAnswer["body"]),
          });
        },
      };
      app.processEvent(event).then(
        () => resolve({ status: 404, body: { error: "no handler for this Slack request" } }),
        (err: unknown) => {
          this.warn("Slack request failed before it was acknowledged", err);
          // Bolt failed before acknowledging: Slack shows this for commands and ignores it for events (no retry storm).
          resolve({ status: 200, body: { response_type: "ephemeral", text: APOLOGY } });
        },
      );
    });
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Events arrive as JSON; slash commands as a form; interactivity as a form whose `payload` field is JSON. */
function parseBody(
  rawBody: string,
  form: ReturnType<typeof parseForm> | undefined,
): Record<string, unknown> | undefined {
  try {
    if (form) {
      if (typeof form.payload === "string") return asObject(JSON.parse(form.payload));
      return Object.keys(form).length ? (form as Record<string, unknown>) : undefined;
    }
    return asObject(JSON.parse(rawBody));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
