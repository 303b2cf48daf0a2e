// Title keys packed in typed arrays: rows by key, each row's own key, rows by key prefix, restored as built.
import { describe, expect, it } from "vitest";
import { TitleKeys } from "../src/catalog/title-keys.ts";

const rowsByKey = new Map<string, number[]>([
  ["harry potter and the sorcerers stone", [2]],
  ["harry potter and the chamber of secrets", [0]],
  ["heat", [3, 1]],
  ["~harry potter", [2, 0]],
  ["harry", [4]],
]);
const ownKeys = [
  "harry potter and the chamber of secrets",
  "heat",
  "harry potter and the sorcerers stone",
  "heat",
  "harry",
  "",
];

describe("title keys", () => {
  const keys = TitleKeys.of(rowsByKey, ownKeys);

  it("give each key's rows in the order given, and -1 for a key they do not hold", () => {
    for (const [key, rows] of rowsByKey) expect([...keys.rowsOf(keys.id(key))]).toEqual(rows);
    expect(keys.id("harry potter")).toBe(-1);
    expect(keys.id("zz")).toBe(-1);
  });

  it("give each row its own key, and none to a title without one", () => {
    expect(
      ownKeys.map((_, row) => keys.ownKey(row)).map((id) => (id < 0 ? "" : keys.key(id))),
    ).toEqual(ownKeys);
    expect(keys.ownKey(1)).toBe(keys.ownKey(3));
  });

  it("find the rows whose own key starts with a prefix, not the other forms'", () => {
    expect(keys.rowsWithPrefix("harry potter ").sort()).toEqual([0, 2]);
    expect(keys.rowsWithPrefix("harry").sort()).toEqual([0, 2, 4]);
    expect(keys.rowsWithPrefix("he")).toEqual([3, 1]);
    expect(keys.rowsWithPrefix("x")).toEqual([]);
  });

  it("give every row of a key half a million rows share", () => {
    const many = Array.from({ length: 500_000 }, (_, row) => row);
    const shared = TitleKeys.of(
      new Map([["untitled", many]]),
      many.map(() => "untitled"),
    );
    expect(shared.rowsWithPrefix("untit")).toHaveLength(500_000);
  });

  it("are restored from a snapshot as built", () => {
    const restored = TitleKeys.restore(keys.snapshot());
    for (const key of rowsByKey.keys())
      expect([...restored.rowsOf(restored.id(key))]).toEqual([...keys.rowsOf(keys.id(key))]);
    expect(restored.rowsWithPrefix("harry potter ").sort()).toEqual([0, 2]);
  });
});
