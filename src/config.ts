// The one place that reads the environment. Everything else takes an explicit Config.
import { ChatrecError } from "./errors.ts";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  CHATREC_DATA_DIR: z.string().min(1).default(".chatrec"),
  CHATREC_DB_URI: z.string().min(1).optional(),
  CHATREC_CATALOG: z.string().min(1).optional(),
  CHATREC_MODEL_DIR: z.string().min(1).optional(),
  CHATREC_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  CHATREC_PROFILE_CACHE: z.coerce.number().int().min(1).default(20_000),
  CHATREC_WORKERS: z.coerce.number().int().min(0).max(64).optional(),
  CHATREC_INDEX_FROM: z.coerce.number().int().min(1).default(100_000),
  CHATREC_COMPACT_EVERY: z.coerce.number().int().min(1).default(200),
  CHATREC_MMR_LAMBDA: z.coerce.number().min(0).max(1).default(0.9),
  CHATREC_STORE_TEXT: bool.default(false),
  CHATREC_RETENTION_DAYS: z.coerce.number().min(0).default(365),
  CHATREC_MAX_TEXT: z.coerce.number().int().min(16).max(100_000).default(2000),
  CHATREC_MAX_BODY: z.coerce.number().int().min(256).max(10_000_000).default(16_384),
  CHATREC_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  CHATREC_WEB_CHAT: bool.optional(),
  CHATREC_RATE_PER_MIN: z.coerce.number().min(0).default(60),
  CHATREC_RATE_BURST: z.coerce.number().int().min(1).default(20),
  CHATREC_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(512),
  // "info" would log every request, user ids in paths included: only problems by default.
  CHATREC_LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
    .default("warn"),
  // Optional LLM explanations (any OpenAI-compatible endpoint); no key = template reasons only, no call.
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  CHATREC_LLM_MODEL: z.string().min(1).default("gpt-4o-mini"),
  CHATREC_LLM_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2500),
  CHATREC_LLM_MAX_CHARS: z.coerce.number().int().min(80).max(4000).default(900),
  CHATREC_PROMPTS_DIR: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "a bot token starts with xoxb-").optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z
    .string()
    .startsWith("xapp-", "an app-level token starts with xapp-")
    .optional(),
  SLACK_API_URL: z.url().optional(),
  DISCORD_TOKEN: z.string().min(1).optional(),
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{15,25}$/, "an application id is a Discord snowflake (digits only)")
    .optional(),
  DISCORD_API_URL: z.url().optional(),
  CHATREC_CALLBACK_HOSTS: z.string().default(""),
  CHATREC_CALLBACK_SECRET: z.string().min(16, "use at least 16 characters").optional(),
  CHATREC_CALLBACK_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(5),
  CHATREC_CALLBACK_BACKOFF_MS: z.coerce.number().int().min(1).max(60_000).default(500),
});

export interface LlmConfig {
  /** Unset or empty: the explainer is disabled and never calls anything. */
  apiKey?: string;
  /** OpenAI-compatible base URL (Ollama, vLLM ...); unset = api.openai.com. */
  baseUrl?: string;
  model: string;
  /** Time budget for one explanation, retries included. */
  timeoutMs: number;
  /** Longer answers are dropped for the template reasons. */
  maxChars: number;
  /** Folder with the prompt templates, validated at start-up. */
  promptsDir: string;
}

/** Slack is on when its bot token is set: Socket Mode with an app token, otherwise HTTP events signed with the signing secret. */
export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  /** Web API base (default https://slack.com/api/); tests point it at a local fake. */
  apiUrl?: string;
}

/** Discord is on when its token is set; the application id is needed to register the slash commands. */
export interface DiscordConfig {
  token: string;
  applicationId: string;
  /** REST base (default https://discord.com/api); the gateway URL comes from its GET /gateway/bot. */
  apiUrl?: string;
}

/** Asynchronous replies of the HTTP API (`callbackUrl`): where they may go and how they are signed and retried. */
export interface CallbackConfig {
  /** Host names a callbackUrl may point at; empty = callbacks refused. */
  hosts: string[];
  /** Signs callbacks (X-Chatrec-Signature); CHATREC_CALLBACK_SECRET, else CHATREC_WEBHOOK_SECRET; unset = callbacks refused. */
  secret?: string;
  /** Deliveries tried at most this often (network errors and 5xx are retried, 4xx are not). */
  attempts: number;
  /** Wait before the first retry; doubled for each further retry. */
  backoffMs: number;
  /** One delivery attempt's time limit. */
  timeoutMs: number;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** LanceDB location: a local folder by default, any LanceDB URI later. */
  dbUri: string;
  catalogPath: string;
  modelDir: string;
  /** How often profile events are moved from the write-ahead log into LanceDB (background; replies wait only for the log). */
  commitIntervalMs: number;
  /** People whose profiles are kept in memory (least recently active dropped first). */
  profileCacheSize: number;
  /** Worker threads that run turns for the server (`chatrec start`); 0 runs them on the main thread. */
  turnWorkers: number;
  /** Catalogs of this many items or more take their candidates from a vector index (smaller: the exact pass). */
  indexFromItems: number;
  compactEvery: number;
  mmrLambda: number;
  storeMessageText: boolean;
  retentionDays: number;
  maxTextLength: number;
  maxBodyBytes: number;
  /** The HTTP server's log level (CHATREC_LOG_LEVEL). */
  logLevel: string;
  /** HMAC secret for /v1/* requests (X-Chatrec-Timestamp/Signature); without it the server stays on loopback. */
  webhookSecret: string | undefined;
  /** Serve the web chat page; unset: served exactly when no webhook secret is set. */
  webChat: boolean | undefined;
  /** Per-person token bucket: refill per minute (0 = no limit) and burst size. */
  ratePerMinute: number;
  rateBurst: number;
  /** Requests processed at once before new ones get 503 + Retry-After. */
  maxInFlight: number;
  llm: LlmConfig;
  slack?: SlackConfig;
  discord?: DiscordConfig;
  callbacks: CallbackConfig;
}

const PACKAGE_ROOT = resolve(new URL("..", import.meta.url).pathname);

/** A setting that cannot work; the message names the variable. */
export class ConfigError extends ChatrecError {
  override name = "ConfigError";
  constructor(message: string) {
    super("CONFIG", message);
  }
}

/** Parses the environment once; a wrong value is a clear start-up error naming the variable. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = resolve(overrides.dataDir ?? e.CHATREC_DATA_DIR);
  const config: Config = {
    port: e.PORT,
    host: e.HOST ?? "127.0.0.1",
    dataDir,
    dbUri: e.CHATREC_DB_URI ?? resolve(dataDir, "lancedb"),
    catalogPath: resolve(e.CHATREC_CATALOG ?? resolve(PACKAGE_ROOT, "data/catalog/movies.jsonl")),
    modelDir: resolve(e.CHATREC_MODEL_DIR ?? resolve(PACKAGE_ROOT, "models")),
    commitIntervalMs: e.CHATREC_COMMIT_INTERVAL_MS,
    profileCacheSize: e.CHATREC_PROFILE_CACHE,
    turnWorkers: e.CHATREC_WORKERS ?? availableParallelism(),
    indexFromItems: e.CHATREC_INDEX_FROM,
    compactEvery: e.CHATREC_COMPACT_EVERY,
    mmrLambda: e.CHATREC_MMR_LAMBDA,
    storeMessageText: e.CHATREC_STORE_TEXT,
    retentionDays: e.CHATREC_RETENTION_DAYS,
    maxTextLength: e.CHATREC_MAX_TEXT,
    maxBodyBytes: e.CHATREC_MAX_BODY,
    logLevel: e.CHATREC_LOG_LEVEL,
    webhookSecret: e.CHATREC_WEBHOOK_SECRET,
    webChat: e.CHATREC_WEB_CHAT,
    ratePerMinute: e.CHATREC_RATE_PER_MIN,
    rateBurst: e.CHATREC_RATE_BURST,
    maxInFlight: e.CHATREC_MAX_IN_FLIGHT,
    llm: {
      ...(e.OPENAI_API_KEY ? { apiKey: e.OPENAI_API_KEY } : {}),
      ...(e.OPENAI_BASE_URL ? { baseUrl: e.OPENAI_BASE_URL } : {}),
      model: e.CHATREC_LLM_MODEL,
      timeoutMs: e.CHATREC_LLM_TIMEOUT_MS,
      maxChars: e.CHATREC_LLM_MAX_CHARS,
      promptsDir: resolve(e.CHATREC_PROMPTS_DIR ?? resolve(PACKAGE_ROOT, "prompts")),
    },
    ...slackConfig(e),
    ...discordConfig(e),
    callbacks: callbackConfig(e),
    ...overrides,
  };
  if (overrides.dataDir && !overrides.dbUri && !e.CHATREC_DB_URI)
    config.dbUri = resolve(dataDir, "lancedb");
  return config;
}

/** A half-configured Slack app is a start-up error naming what is missing, not a silently disabled adapter. */
function slackConfig(e: z.infer<typeof EnvSchema>): { slack?: SlackConfig } {
  const {
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_APP_TOKEN: appToken,
    SLACK_API_URL: apiUrl,
  } = e;
  if (!botToken) {
    const given = Object.entries({
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_APP_TOKEN: appToken,
      SLACK_API_URL: apiUrl,
    })
      .filter(([, v]) => v)
      .map(([k]) => k);
    if (given.length)
      throw new ConfigError(
        `SLACK_BOT_TOKEN is missing: ${given.join(" and ")} ${given.length > 1 ? "are" : "is"} set, so Slack needs its bot token (xoxb-...)`,
      );
    return {};
  }
  if (!appToken && !signingSecret)
    throw new ConfigError(
      "SLACK_SIGNING_SECRET is missing: Slack's HTTP events need it (or set SLACK_APP_TOKEN to use Socket Mode)",
    );
  const apiBase = apiUrl && !apiUrl.endsWith("/") ? `${apiUrl}/` : apiUrl;
  return {
    slack: {
      botToken,
      ...(signingSecret ? { signingSecret } : {}),
      ...(appToken ? { appToken } : {}),
      ...(apiBase ? { apiUrl: apiBase } : {}),
    },
  };
}

/** A callback host: a name (or IP address) without scheme, port or path, optionally "*." for its subdomains. */
const CALLBACK_HOST = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$|^\[[0-9a-f:]+\]$/;

/** Like Slack: a half-configured Discord bot is a start-up error naming the missing variable. */
function discordConfig(e: z.infer<typeof EnvSchema>): { discord?: DiscordConfig } {
  const {
    DISCORD_TOKEN: token,
    DISCORD_APPLICATION_ID: applicationId,
    DISCORD_API_URL: apiUrl,
  } = e;
  if (!token) {
    const given = Object.entries({ DISCORD_APPLICATION_ID: applicationId, DISCORD_API_URL: apiUrl })
      .filter(([, v]) => v)
      .map(([k]) => k);
    if (given.length)
      throw new ConfigError(
        `DISCORD_TOKEN is missing: ${given.join(" and ")} ${given.length > 1 ? "are" : "is"} set, so Discord needs its bot token`,
      );
    return {};
  }
  if (!applicationId)
    throw new ConfigError(
      "DISCORD_APPLICATION_ID is missing: Discord needs it (with DISCORD_TOKEN) to register the slash commands",
    );
  return {
    discord: { token, applicationId, ...(apiUrl ? { apiUrl: apiUrl.replace(/\/+$/, "") } : {}) },
  };
}

/** Like the chat adapters: callbacks half-configured (hosts without a secret, or the reverse) stop the start. */
function callbackConfig(e: z.infer<typeof EnvSchema>): CallbackConfig {
  const hosts = e.CHATREC_CALLBACK_HOSTS.split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const malformed = hosts.find((h) => !CALLBACK_HOST.test(h));
  if (malformed)
    throw new ConfigError(
      `CHATREC_CALLBACK_HOSTS: "${malformed}" is not a host name (use hooks.example.com or *.example.com, no scheme, port or path)`,
    );
  const secret = e.CHATREC_CALLBACK_SECRET ?? e.CHATREC_WEBHOOK_SECRET;
  if (hosts.length && !secret)
    throw new ConfigError(
      "CHATREC_CALLBACK_SECRET is missing: CHATREC_CALLBACK_HOSTS is set, so callbacks need a signing secret (or set CHATREC_WEBHOOK_SECRET)",
    );
  if (!hosts.length && e.CHATREC_CALLBACK_SECRET)
    throw new ConfigError(
      "CHATREC_CALLBACK_HOSTS is missing: CHATREC_CALLBACK_SECRET is set, so callbacks need the hosts they may call",
    );
  return {
    hosts,
    ...(secret ? { secret } : {}),
    attempts: e.CHATREC_CALLBACK_ATTEMPTS,
    backoffMs: e.CHATREC_CALLBACK_BACKOFF_MS,
    timeoutMs: 5000,
  };
}

export { PACKAGE_ROOT };

/** Where `chatrec ingest --train` puts the interest model it trains on the data folder's own catalog. */
export function ownModelDir(dataDir: string): string {
  return join(dataDir, "models");
}

/**
 * The interest model to serve: the data folder's own (trained on its catalog by `chatrec ingest --train`)
 * when there is one, else the configured model folder (the shipped movie model). The neighbours and the
 * ranker weights always come from `config.modelDir`.
 */
export function interestModelDir(config: Pick<Config, "dataDir" | "modelDir">): string {
  const own = ownModelDir(config.dataDir);
  return existsSync(join(own, "interest.onnx")) && existsSync(join(own, "interest.json"))
    ? own
    : config.modelDir;
}
