import { describe, expect, it } from "vitest";
import { parseCatalog, rowToItem } from "../src/catalog/load.ts";
import { parseCsv } from "../src/util/csv.ts";

describe("catalog files", () => {
  it("parses quoted CSV fields with commas, quotes and newlines", () => {
    expect(parseCsv('a,b\n"x, y","say ""hi""\nthere"\n')).toEqual([
      ["a", "b"],
      ["x, y", 'say "hi"\nthere'],
    ]);
  });

  it("maps columns, keeps extras and reports bad rows instead of failing", () => {
    const csv =
      "book_id,title,authors,original_publication_year\n1,The Hunger Games,Suzanne Collins,2008.0\n2,,Nobody,1999\n1,Dup,X,2000\n";
    const { items, skipped } = parseCatalog(csv, "csv", {
      id: "book_id",
      year: "original_publication_year",
    });
    expect(items).toEqual([
      {
        id: "1",
        title: "The Hunger Games",
        year: 2008,
        text: "",
        categories: [],
        extra: { authors: "Suzanne Collins" },
      },
    ]);
    expect(skipped.map((s) => s.reason)).toEqual(["missing title", "duplicate id 1"]);
  });

  it("reads JSONL with category lists and skips invalid lines", () => {
    const { items, skipped } = parseCatalog(
      '{"id":"m1","title":"Alien","categories":["Horror","Sci-Fi"],"year":1979}\nnot json\n',
      "jsonl",
    );
    expect(items[0]).toMatchObject({ id: "m1", categories: ["horror", "sci-fi"], year: 1979 });
    expect(skipped).toEqual([{ line: 2, reason: "invalid JSON" }]);
  });
});

describe("catalog text at ingest", () => {
  it("drops bidi overrides, isolates and control characters from every shown field", () => {
    const evil = "\u202Egnp.exe\u202C Harmless\u2066 title\u0007";
    const item = rowToItem({
      id: "x1",
      title: evil,
      text: `plot ${evil}`,
      categories: `drama|\u202Ehorror`,
      director: evil,
      stars: [evil, "Ann"],
    });
    const shown = JSON.stringify(item);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(shown).not.toMatch(/[\u202A-\u202E\u2066-\u2069\u0000-\u0008]/);
    expect(item.title).toBe("gnp.exe Harmless title");
    expect(item.categories).toEqual(["drama", "horror"]);
    expect(item.extra.stars).toEqual(["gnp.exe Harmless title", "Ann"]);
  });
});
