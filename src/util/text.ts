// What every entry point does to text before the pipeline sees it, and what it refuses in identifiers.

/** A UTF-16 surrogate without its partner (possible in JSON "\ud800" or a badly cut string). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");
/**
 * C0/C1 controls except tab and newlines, plus the bidirectional overrides and isolates used to make text
 * display differently from what it is ("Trojan Source"). Zero-width joiners stay: emoji need them.
 */
const STRIPPED_CONTROLS =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
/** Anything an identifier must not contain: every control character, including tab and newlines. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ID_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** Catalog text as it may be shown: lone surrogates become U+FFFD, control and bidi characters go. */
export function withoutControls(raw: string): string {
  return raw.replace(LONE_SURROGATES, "\uFFFD").replace(STRIPPED_CONTROLS, "");
}

/**
 * Message text as the pipeline wants it: lone surrogates become U+FFFD, control characters are removed,
 * Unicode is NFC-normalised, and the result is cut to `maxLength` UTF-16 units without splitting a pair.
 */
export function cleanText(raw: string, maxLength: number): string {
  const text = raw
    .replace(LONE_SURROGATES, "\uFFFD")
    .replace(STRIPPED_CONTROLS, "")
    .normalize("NFC");
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** Why an identifier (user id, message id, item id) is refused, or undefined when it is acceptable. */
export function identifierProblem(id: string): string | undefined {
  if (ID_FORBIDDEN.test(id)) return "must not contain control characters";
  if (LONE_SURROGATE.test(id)) return "must be valid Unicode (no lone surrogates)";
  return undefined;
}
