// Rows by item id in a typed array: every id found, ids never given are not, the last row of a shared id wins.
import { describe, expect, it } from "vitest";
import { RowById } from "../src/catalog/row-by-id.ts";

describe("rows by id", () => {
  it("find each id's row among thousands, colliding ones too, and nothing for other ids", () => {
    const ids = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `tt${i}` : `${i * 31}`));
    const rows = new RowById((row) => ids[row]!, ids.length);
    ids.forEach((id, row) => expect(rows.get(id)).toBe(row));
    for (const other of ["", "tt1", "x", "5000", "tt70000"])
      expect(rows.get(other)).toBeUndefined();
  });

  it("give a shared id its last row, as a Map would", () => {
    const ids = ["a", "b", "a", "c"];
    const rows = new RowById((row) => ids[row]!, ids.length);
    expect(["a", "b", "c"].map((id) => rows.get(id))).toEqual([2, 1, 3]);
  });

  it("hold an empty catalog", () => {
    expect(new RowById(() => "", 0).get("a")).toBeUndefined();
  });
});
