// The tokenizer, reproduced exactly inside the ONNX graph: StringNormalizer(LOWER, C.UTF-8) then
// com.microsoft Tokenizer with the regular expression below. Only ASCII letters and digits form tokens, so
// the only lower-casing that matters is the one that produces ASCII: A-Z, U+0130 (İ -> i) and U+212A
// (Kelvin sign -> k). Everything else is a separator.
export const TOKEN_PATTERN = "[a-z0-9]+";
const TOKEN_RE = /[a-z0-9]+/g;

export function normalizeForTokens(text: string): string {
  return text.replace(/[A-Z\u0130\u212A]/g, (c) =>
    c === "\u0130" ? "i" : c === "\u212A" ? "k" : c.toLowerCase(),
  );
}

export function tokenize(text: string): string[] {
  return normalizeForTokens(text).match(TOKEN_RE) ?? [];
}
