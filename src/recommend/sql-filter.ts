// SQL filters of the vector index's table (src/recommend/item-index.ts): its `year` and `categories` columns.
/** The SQL test that an item has any of `categories`. */
export function hasAnyCategory(categories: readonly string[]): string {
  const list = [...new Set(categories)].map((c) => `'${c.replaceAll("'", "''")}'`).join(", ");
  return `array_has_any(categories, [${list}])`;
}

/** The conjunction of the given SQL tests; undefined when there are none. */
export function sqlAll(tests: ReadonlyArray<string | undefined>): string | undefined {
  const given = tests.filter((t) => t !== undefined);
  return given.length ? given.map((t) => `(${t})`).join(" AND ") : undefined;
}
