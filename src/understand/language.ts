// Noticing a message written in another language: the parser and the interest model read English only, so
// such a message should be answered honestly rather than guessed at.
import { FOREIGN_FUNCTION_WORDS } from "./patterns.ts";

const ENGLISH_FUNCTION_WORDS = new Set(
  "the a an i you me my we our and or but with for of to in on is are was were it that this something anything some any please can could would what which have has do does want need like not no".split(
    " ",
  ),
);

/**
 * True when the text is most likely written in a language other than English: mostly letters of another
 * script, or at least two function words of one other language and more of them than English ones.
 */
export function otherLanguage(text: string): boolean {
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return false;
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  if (latin / letters.length < 0.5) return true;
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const english = words.filter((w) => ENGLISH_FUNCTION_WORDS.has(w)).length;
  let foreign = 0;
  for (const set of Object.values(FOREIGN_FUNCTION_WORDS))
    foreign = Math.max(foreign, words.filter((w) => set.has(w)).length);
  return foreign >= 2 && foreign > english;
}
