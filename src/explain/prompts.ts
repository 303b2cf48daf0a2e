// Prompt templates with named {{placeholders}}, checked at start-up so a typo is a clear error, not a bad prompt.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config.ts";

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface TemplateSpec {
  /** Must each appear at least once. */
  required: readonly string[];
  /** May appear. */
  optional: readonly string[];
}

export class PromptTemplate {
  private constructor(
    readonly path: string,
    private readonly text: string,
  ) {}

  /** Reads and validates a template: unknown, missing or malformed placeholders are a ConfigError naming them. */
  static load(path: string, spec: TemplateSpec): PromptTemplate {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new ConfigError(`prompt template ${path} is missing or unreadable`);
    }
    return PromptTemplate.parse(path, text, spec);
  }

  static parse(path: string, text: string, spec: TemplateSpec): PromptTemplate {
    const known = new Set([...spec.required, ...spec.optional]);
    const used = new Set<string>();
    for (const m of text.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      if (!known.has(name))
        throw new ConfigError(
          `prompt template ${path}: unknown placeholder {{${name}}} (known: ${[...known].join(", ")})`,
        );
      used.add(name);
    }
    const leftover = text.replace(PLACEHOLDER, "").match(/\{\{[^}]*\}?\}?/);
    if (leftover)
      throw new ConfigError(`prompt template ${path}: malformed placeholder "${leftover[0]}"`);
    const missing = spec.required.filter((name) => !used.has(name));
    if (missing.length)
      throw new ConfigError(
        `prompt template ${path}: missing placeholder ${missing.map((n) => `{{${n}}}`).join(", ")}`,
      );
    return new PromptTemplate(path, text.trim());
  }

  render(values: Readonly<Record<string, string>>): string {
    return this.text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? "");
  }
}

export interface ExplainPrompts {
  system: PromptTemplate;
  user: PromptTemplate;
}

export const EXPLAIN_SYSTEM_SPEC: TemplateSpec = { required: [], optional: ["maxChars"] };
export const EXPLAIN_USER_SPEC: TemplateSpec = {
  required: ["items", "interests"],
  optional: ["maxChars"],
};

/** prompts/explain-system.md (the rules) and prompts/explain.md (the data), validated together. */
export function loadExplainPrompts(dir: string): ExplainPrompts {
  return {
    system: PromptTemplate.load(join(dir, "explain-system.md"), EXPLAIN_SYSTEM_SPEC),
    user: PromptTemplate.load(join(dir, "explain.md"), EXPLAIN_USER_SPEC),
  };
}
