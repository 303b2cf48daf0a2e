// Property-based: whatever a person does (names titles they loved, hated or saw, presses like / not for me /
// seen / more like this, says "not that one" or "I've seen it"), no later list offers an item they
// mentioned, saw or rejected. Generated conversations over the real HTTP API; what counts as mentioned,
// seen or rejected is read from the person's export, and each turn's own item must be on record there.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Replay } from "../src/replay.ts";
import { startApiServer, type ApiServer } from "./support/api-server.ts";

let server: ApiServer;
let bot: Replay;
let base: string;

beforeAll(async () => {
  server = await startApiServer();
  ({ bot, base } = server);
});
afterAll(() => server.close());

// Titles and phrasings the title linker is known to handle (linking quality is tested in titles.test.ts).
const TITLES = [
  "Inception",
  "Toy Story",
  "Alien",
  "Finding Nemo",
  "The Shining",
  "Pulp Fiction",
  "Die Hard",
  "Jaws",
  "Casablanca",
];
const TEMPLATES = [
  "I loved {t}",
  "I hated {t}",
  "I've seen {t} already",
  "something like {t} please",
  "I watched {t} last week, loved it",
];
const REFERENCES = [
  "not that one",
  "I've seen it",
  "more like the second one",
  "I liked the first one",
];
/** Signals that take an item off every later list. */
const NEVER_AGAIN = new Set(["mention", "like", "dislike", "seen"]);

type Turn =
  | { kind: "title"; title: string; template: string }
  | { kind: "button"; pick: number; signal: "like" | "dislike" | "seen" | "click" | "more" }
  | { kind: "reference"; text: string };

const turn: fc.Arbitrary<Turn> = fc.oneof(
  fc.record({
    kind: fc.constant("title" as const),
    title: fc.constantFrom(...TITLES),
    template: fc.constantFrom(...TEMPLATES),
  }),
  fc.record({
    kind: fc.constant("button" as const),
    pick: fc.nat({ max: 4 }),
    signal: fc.constantFrom(
      "like" as const,
      "dislike" as const,
      "seen" as const,
      "click" as const,
      "more" as const,
    ),
  }),
  fc.record({ kind: fc.constant("reference" as const), text: fc.constantFrom(...REFERENCES) }),
);

interface Exported {
  events: Array<{ signals: Array<{ itemId: string; signal: string }> }>;
}
const post = async (path: string, body: unknown) => {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, JSON.stringify(body)).toBe(200);
  return ((await res.json()) as { recommendations: Array<{ id: string }> }).recommendations.map(
    (r) => r.id,
  );
};
const exportOf = async (id: string) =>
  (await (await fetch(`${base}/v1/users/${id}/export`)).json()) as Exported;

let people = 0;
let checked = 0;

describe("never again: mentioned, seen or rejected items", () => {
  it("never come back in any later list, whatever the conversation", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(turn, { minLength: 2, maxLength: 6 }), async (turns) => {
        const id = `never-${++people}`;
        let list = await post("/v1/messages", { user: { id }, text: "I like adventure movies" });
        for (const t of turns) {
          if (t.kind === "title")
            list = await post("/v1/messages", {
              user: { id },
              text: t.template.replace("{t}", t.title),
            });
          else if (t.kind === "reference")
            list = await post("/v1/messages", { user: { id }, text: t.text });
          else {
            const itemId = list[t.pick % Math.max(1, list.length)] ?? bot.catalog.items[t.pick]!.id;
            list = await post("/v1/feedback", { user: { id }, itemId, signal: t.signal });
          }
          const { events } = await exportOf(id);
          const last = events.at(-1)!;
          // This turn's item is on record (the title was linked, the button's item stored).
          if (t.kind === "title")
            expect(
              last.signals.some(
                (s) => s.signal === "mention" && bot.catalog.item(s.itemId)?.title === t.title,
              ),
              t.template,
            ).toBe(true);
          const gone = new Set(
            events.flatMap((e) =>
              e.signals.filter((s) => NEVER_AGAIN.has(s.signal)).map((s) => s.itemId),
            ),
          );
          checked += list.length;
          const back = list.filter((itemId) => gone.has(itemId));
          expect(
            back,
            `after ${JSON.stringify(t)}: ${back.map((i) => bot.catalog.item(i)?.title).join(", ")} came back`,
          ).toEqual([]);
        }
      }),
      { numRuns: 25 },
    );
    expect(checked).toBeGreaterThan(100); // the lists were not empty: there was something to check
  });
});
