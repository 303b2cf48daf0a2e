// Work on a list of an item's values done once per list: items read from the catalog share one frozen list
// per set of values (src/catalog/store.ts), so a million items need a few thousand answers. A list that is
// not frozen may still change, and is worked out afresh.

/** `compute(list)`, kept in `answers` when the list is frozen. */
export function oncePerList<T>(
  answers: WeakMap<readonly string[], T>,
  list: readonly string[],
  compute: (list: readonly string[]) => T,
): T {
  let answer = answers.get(list);
  if (answer === undefined) {
    answer = compute(list);
    if (Object.isFrozen(list)) answers.set(list, answer);
  }
  return answer;
}
