// Indexes read back from a snapshot own their arrays. V8's deserialiser makes aligned typed arrays views of
// the file's one buffer (and copies unaligned ones), so these restore from views of one buffer, whatever
// layout a real file happens to have: a view left in an index would keep the whole file in memory.
import { describe, expect, it } from "vitest";
import { SortedWords } from "../src/catalog/sorted-words.ts";
import { TitleKeys } from "../src/catalog/title-keys.ts";
import { TitleWords } from "../src/catalog/title-words.ts";

type Typed = Int32Array | Uint16Array | Uint8Array | Float32Array;

/** `saved` with every typed array in it copied into one shared buffer, as views. */
function viewsOfOneBuffer<T>(saved: T): { saved: T; file: ArrayBuffer } {
  const arrays: Typed[] = [];
  const collect = (x: unknown): void => {
    if (ArrayBuffer.isView(x)) arrays.push(x as Typed);
    else if (x && typeof x === "object") Object.values(x).forEach(collect);
  };
  collect(saved);
  const size = arrays.reduce((n, a) => n + Math.ceil(a.byteLength / 8) * 8, 0);
  const file = new ArrayBuffer(size);
  let at = 0;
  const views = new Map<Typed, Typed>();
  for (const a of arrays) {
    const ctor = a.constructor as new (b: ArrayBuffer, offset: number, length: number) => Typed;
    const view = new ctor(file, at, a.length);
    view.set(a);
    views.set(a, view);
    at += Math.ceil(a.byteLength / 8) * 8;
  }
  const rebuild = (x: unknown): unknown =>
    ArrayBuffer.isView(x)
      ? views.get(x as Typed)
      : x && typeof x === "object"
        ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rebuild(v)]))
        : x;
  return { saved: rebuild(saved) as T, file };
}

/** Every typed array held by `index` (and the objects it holds) and the buffers they view. */
function heldBuffers(index: object): ArrayBufferLike[] {
  const out: ArrayBufferLike[] = [];
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (!x || typeof x !== "object" || seen.has(x)) return;
    seen.add(x);
    if (ArrayBuffer.isView(x)) out.push(x.buffer);
    else if (!(x instanceof Map)) for (const k of Reflect.ownKeys(x)) walk(Reflect.get(x, k));
  };
  walk(index);
  return out;
}

describe("indexes read back", () => {
  const cases: Array<[string, () => { file: ArrayBuffer; restored: object }]> = [
    [
      "sorted words",
      () => {
        const { saved, file } = viewsOfOneBuffer(SortedWords.of(["heat", "up", "été"]).snapshot());
        return { file, restored: SortedWords.restore(saved) };
      },
    ],
    [
      "title keys",
      () => {
        const keys = TitleKeys.of(
          new Map([
            ["heat", [1, 0]],
            ["up", [2]],
          ]),
          ["heat", "heat", "up"],
        );
        const { saved, file } = viewsOfOneBuffer(keys.snapshot());
        return { file, restored: TitleKeys.restore(saved) };
      },
    ],
    [
      "title words",
      () => {
        const words = TitleWords.of(["forrest gump", "jurassic park"]);
        const { saved, file } = viewsOfOneBuffer(words.snapshot());
        return { file, restored: TitleWords.restore(saved) };
      },
    ],
  ];
  for (const [name, make] of cases)
    it(`own their arrays: ${name}`, () => {
      const { file, restored } = make();
      const buffers = heldBuffers(restored);
      expect(buffers.length).toBeGreaterThan(0);
      for (const buffer of buffers) expect(buffer).not.toBe(file);
    });

  it("still find what they found", () => {
    const keys = TitleKeys.of(
      new Map([
        ["heat", [1, 0]],
        ["up", [2]],
      ]),
      ["heat", "heat", "up"],
    );
    const restored = TitleKeys.restore(viewsOfOneBuffer(keys.snapshot()).saved);
    expect([...restored.rowsOf(restored.id("heat"))]).toEqual([1, 0]);
    const words = TitleWords.of(["forrest gump", "jurassic park"]);
    const back = TitleWords.restore(viewsOfOneBuffer(words.snapshot()).saved);
    expect(back.candidates("forest", ["forest", "gump"], 5)).toEqual(
      words.candidates("forest", ["forest", "gump"], 5),
    );
  });
});
