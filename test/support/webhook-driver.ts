// Contract driver for the HTTP API: a person is a user id, a click is POST /v1/feedback.
// A 4xx answer is what an API client "sees" instead of a chat reply: its reason becomes the reply text.
// With `callbacks`, every request asks for an asynchronous reply (callbackUrl): the driver expects 202 and reads
// the reply from the signed POST a local receiver gets, as another chat system would.
import { TurnHost } from "../../adapters/host.ts";
import { rmSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { buildServer } from "../../adapters/webhook/server.ts";
import { Replay } from "../../src/replay.ts";
import { loadConfig } from "../../src/config.ts";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from "../../src/util/signature.ts";
import {
  seededDataDir,
  type AdapterDriver,
  type ClickAction,
  type Person,
  type Reply,
} from "./adapter-driver.ts";
import { CallbackReceiver } from "./callback-receiver.ts";

const CALLBACK_SECRET = "contract-callback-secret-0123456789";

interface ApiReply {
  reply?: string;
  error?: string;
  recommendations?: Array<{ id: string; title: string }>;
}

export function webhookDriver(opts: { callbacks?: boolean } = {}): AdapterDriver {
  let dir = "";
  let bot: Replay | undefined;
  let app: FastifyInstance | undefined;
  let base = "";
  const receiver = opts.callbacks ? new CallbackReceiver() : undefined;

  const post = async (path: string, body: Record<string, unknown>): Promise<Reply> => {
    const res = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(receiver ? { ...body, callbackUrl: receiver.url } : body),
    });
    if (res.status >= 500) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    let json = (await res.json()) as ApiReply & { id?: string };
    if (res.status >= 400) return { text: json.error ?? "", items: [] };
    if (receiver) {
      if (res.status !== 202)
        throw new Error(`${path} with a callbackUrl answered ${res.status}, not 202`);
      const [delivery] = await receiver.count(1, 30_000, (d) => d.body.id === json.id);
      const check = verifySignature(
        CALLBACK_SECRET,
        delivery!.headers[TIMESTAMP_HEADER] as string,
        delivery!.headers[SIGNATURE_HEADER] as string,
        delivery!.raw,
      );
      if (!check.ok) throw new Error(`callback delivery not properly signed: ${check.reason}`);
      json = delivery!.body as ApiReply;
    }
    return {
      text: json.reply ?? "",
      items: (json.recommendations ?? []).map((r) => ({ id: r.id, title: r.title })),
    };
  };

  return {
    name: receiver ? "webhook with callbacks" : "webhook",
    scoped: false,
    buttons: true,
    async start() {
      dir = await seededDataDir("webhook");
      await receiver?.start();
      const config = loadConfig(
        receiver
          ? { CHATREC_CALLBACK_HOSTS: "127.0.0.1", CHATREC_CALLBACK_SECRET: CALLBACK_SECRET }
          : {},
        { dataDir: dir, commitIntervalMs: 2 },
      );
      bot = await Replay.open(config);
      app = buildServer(new TurnHost(bot), { maxBodyBytes: config.maxBodyBytes });
      base = await app.listen({ port: 0, host: "127.0.0.1" });
    },
    say: (person: Person, text: string) => post("/v1/messages", { user: { id: person.id }, text }),
    click: (person: Person, itemId: string, action: ClickAction) =>
      post("/v1/feedback", { user: { id: person.id }, itemId, signal: action }),
    async stop() {
      await app?.close();
      await bot?.close();
      await receiver?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
