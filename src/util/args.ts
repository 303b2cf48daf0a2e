// Command-line options for every chatrec command, read by node:util's parseArgs.
import { parseArgs } from "node:util";

export interface OptionSpec {
  /** Options that take a value: `--name value` or `--name=value`. */
  values: readonly string[];
  /** Bare `--flag`s. */
  flags?: readonly string[];
  /** How many positional arguments the command takes (default none). */
  positionals?: number;
}

export interface ParsedOptions {
  values: Map<string, string>;
  flags: Set<string>;
  positionals: string[];
}

/**
 * Parses `args` against `spec`. `--help` or `-h` prints the usage and exits 0; anything not in the
 * spec is an error that quotes the usage.
 */
export function parseOptions(
  args: readonly string[],
  spec: OptionSpec,
  usage: string,
): ParsedOptions {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    process.exit(0);
  }
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const name of spec.values) options[name.replace(/^--/, "")] = { type: "string" };
  for (const name of spec.flags ?? []) options[name.replace(/^--/, "")] = { type: "boolean" };
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${usage}`, {
      cause: err,
    });
  }
  const max = spec.positionals ?? 0;
  if (parsed.positionals.length > max)
    throw new Error(`unexpected argument ${parsed.positionals[max]}\n${usage}`);
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (typeof value === "string") values.set(`--${name}`, value);
    else if (value === true) flags.add(`--${name}`);
  }
  return { values, flags, positionals: parsed.positionals };
}
