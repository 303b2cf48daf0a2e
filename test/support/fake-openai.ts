// A local OpenAI-compatible server (POST /v1/chat/completions, JSON and SSE streaming) over real HTTP,
// scripted per request, recording every request body it receives and when it answered. The LLM tests and
// `chatrec bench llm` (research/bench/explainer.ts, which imports it from here) use it.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** The assistant's text (200 answers). */
  content?: string;
  finishReason?: "stop" | "length";
  /** Wait this long before answering. */
  delayMs?: number;
  /** For stream requests: the content split into these SSE chunks, sent `chunkDelayMs` apart. */
  chunks?: string[];
  chunkDelayMs?: number;
}

export interface RecordedRequest {
  body: {
    model: string;
    stream?: boolean;
    max_tokens?: number;
    messages: Array<{ role: string; content: string }>;
    [key: string]: unknown;
  };
  headers: IncomingMessage["headers"];
  /** Date.now() when the request arrived, and when its answer (or, streaming, its first chunk) was sent. */
  receivedAt: number;
  answeredAt?: number;
}

/** The titles of the numbered list in the prompt made from prompts/explain.md ("1. Title (Year) [categories]"). */
export function promptTitles(req: RecordedRequest): string[] {
  const prompt = req.body.messages.map((m) => m.content).join("\n");
  return [...prompt.matchAll(/^\d+\. (.+?)(?: \(\d{4}\))?(?: \[.*\])?$/gm)].map((m) => m[1]!);
}

/** A plausible answer that names the first two recommended titles. */
export function answerNamingPromptTitles(req: RecordedRequest): string {
  const [first, second] = promptTitles(req);
  return `${first} and ${second} both fit what you told me.`;
}

export class FakeOpenAI {
  readonly requests: RecordedRequest[] = [];
  baseUrl = "";
  private readonly server: Server;
  private readonly sockets = new Set<import("node:net").Socket>();

  /** `script(n)` answers the n-th request (0-based). */
  constructor(private script: (n: number, req: RecordedRequest) => FakeAnswer) {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString("utf8")));
      req.on("end", () => {
        if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
          res
            .writeHead(404, { "content-type": "application/json" })
            .end(JSON.stringify({ error: { message: "not found" } }));
          return;
        }
        const recorded: RecordedRequest = {
          body: JSON.parse(raw) as RecordedRequest["body"],
          headers: req.headers,
          receivedAt: Date.now(),
        };
        const answer = this.script(this.requests.length, recorded);
        this.requests.push(recorded);
        const timer = setTimeout(() => void respond(res, recorded, answer), answer.delayMs ?? 0);
        res.on("close", () => clearTimeout(timer));
      });
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
  }

  setScript(script: (n: number, req: RecordedRequest) => FakeAnswer): void {
    this.script = script;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function respond(
  res: import("node:http").ServerResponse,
  req: RecordedRequest,
  answer: FakeAnswer,
): Promise<void> {
  req.answeredAt = Date.now();
  const status = answer.status ?? 200;
  if (status !== 200) {
    res
      .writeHead(status, { "content-type": "application/json", ...answer.headers })
      .end(JSON.stringify({ error: { message: `fake error ${status}`, type: "server_error" } }));
    return;
  }
  const content = answer.content ?? "";
  const base = {
    id: "chatcmpl-fake",
    created: Math.floor(Date.now() / 1000),
    model: req.body.model,
  };
  if (!req.body.stream) {
    res.writeHead(200, { "content-type": "application/json", ...answer.headers }).end(
      JSON.stringify({
        ...base,
        object: "chat.completion",
        choices: [
          {
            index: 0,
            message: { role: "assistant", content },
            finish_reason: answer.finishReason ?? "stop",
          },
        ],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      }),
    );
    return;
  }
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    ...answer.headers,
  });
  const chunks = answer.chunks ?? [content];
  const send = (delta: Record<string, string>, finish: string | null) =>
    res.write(
      `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
    );
  send({ role: "assistant", content: "" }, null);
  for (const chunk of chunks) {
    if (answer.chunkDelayMs) await new Promise((r) => setTimeout(r, answer.chunkDelayMs));
    if (res.destroyed) return;
    send({ content: chunk }, null);
  }
  send({}, answer.finishReason ?? "stop");
  res.end("data: [DONE]\n\n");
}
