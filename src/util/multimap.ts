// Maps of lists, grown in place.

/** Appends `value` to `key`'s list (a new list copied per append would be quadratic in a long one). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The rows (indexes into `keys`) of each key, ascending; a row listing a key twice counts once. */
export function groupRows<K>(keys: ReadonlyArray<readonly K[]>): Map<K, number[]> {
  const out = new Map<K, number[]>();
  keys.forEach((ks, row) => {
    for (const k of new Set(ks)) pushTo(out, k, row);
  });
  return out;
}
