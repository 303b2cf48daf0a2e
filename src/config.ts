// The one place that reads the environment. Everything else takes an explicit Config.
import { resolve } from "node:path";
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
  CHATREC_COMPACT_EVERY: z.coerce.number().int().min(1).default(200),
  CHATREC_MMR_LAMBDA: z.coerce.number().min(0).max(1).default(0.8),
  CHATREC_STORE_TEXT: bool.default(false),
  CHATREC_RETENTION_DAYS: z.coerce.number().int().min(0).default(365),
  CHATREC_MAX_TEXT: z.coerce.number().int().min(16).max(100_000).default(2000),
  CHATREC_MAX_BODY: z.coerce.number().int().min(256).max(10_000_000).default(16_384),
  CHATREC_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

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
  compactEvery: number;
  mmrLambda: number;
  storeMessageText: boolean;
  retentionDays: number;
  maxTextLength: number;
  maxBodyBytes: number;
  logLevel: string;
}

const PACKAGE_ROOT = resolve(new URL("..", import.meta.url).pathname);

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once; a wrong value is a clear start-up error naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
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
    compactEvery: e.CHATREC_COMPACT_EVERY,
    mmrLambda: e.CHATREC_MMR_LAMBDA,
    storeMessageText: e.CHATREC_STORE_TEXT,
    retentionDays: e.CHATREC_RETENTION_DAYS,
    maxTextLength: e.CHATREC_MAX_TEXT,
    maxBodyBytes: e.CHATREC_MAX_BODY,
    logLevel: e.CHATREC_LOG_LEVEL,
    ...overrides,
  };
  if (overrides.dataDir && !overrides.dbUri && !e.CHATREC_DB_URI) config.dbUri = resolve(dataDir, "lancedb");
  return config;
}

export { PACKAGE_ROOT };
