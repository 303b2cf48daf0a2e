/** Lower-case, strip accents and punctuation, fold "&" to "and": the form titles are matched in. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’`]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The parts of a cell that lists several names ("leo tolstoy, louise maude"; "a; b"; "a|b"). */
export function cellParts(cell: string): string[] {
  return cell.split(/\s*[,;|]\s*/);
}

export function tokens(text: string): string[] {
  const n = normalizeText(text);
  return n ? n.split(" ") : [];
}

const ARTICLES = new Set(["the", "a", "an"]);

/** Title key: normalised, without a leading article. */
export function titleKey(title: string): string {
  const t = tokens(title);
  if (t.length > 1 && ARTICLES.has(t[0]!)) t.shift();
  return t.join(" ");
}
