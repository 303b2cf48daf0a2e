import type { Item } from "../types.ts";

/** The text the interest model embeds for an item; training and serving must use the same function. */
export function itemText(item: Pick<Item, "title" | "text" | "categories" | "extra">): string {
  const people = ["directors", "stars", "authors", "writers"]
    .flatMap((key) => {
      const value = item.extra[key];
      return Array.isArray(value) ? value : typeof value === "string" ? [value] : [];
    })
    .slice(0, 6);
  const keywords = item.extra.keywords;
  const tags = Array.isArray(keywords)
    ? keywords.join(", ")
    : typeof keywords === "string"
      ? keywords
      : "";
  return [item.title, item.categories.join(" "), item.text, tags, people.join(" ")]
    .filter(Boolean)
    .join(". ");
}
