// Maps of lists, grown in place.

/** Appends `value` to `key`'s list (a new list copied per append would be quadratic in a long one). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
