// Wording from the catalog (issue #25): a book or news catalog, ingested with `chatrec ingest` as a person
// would, is never talked about as movies. A spread of messages goes through the real bot and every reply text
// and every reason text is scanned for movie words; a movie catalog still gets its movie sentences.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { slashCommands } from "../adapters/discord/commands.ts";
import { TurnHost } from "../adapters/host.ts";
import { buildServer } from "../adapters/webhook/server.ts";
import { DEMO_WORDING } from "../src/catalog/wording.ts";
import { loadConfig } from "../src/config.ts";
import { helpText } from "../src/messages.ts";
import { Replay } from "../src/replay.ts";
import type { OutgoingReply, UserRef } from "../src/types.ts";
import { parseCsvObjects } from "../src/util/csv.ts";
import { writeNewsSample } from "./support/news-sample.ts";

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), "chatrec-wording-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const MOVIE_WORDS = /\b(movies?|films?|cinema|watch(ed)?|TV series)\b/i;

/** `chatrec ingest <file> ...args` into a data folder of its own, as a person runs it. */
async function ingest(name: string, file: string, args: string[]): Promise<string> {
  const dataDir = join(root, name);
  await run(process.execPath, ["bin/chatrec.js", "ingest", file, ...args, "--data-dir", dataDir], {
    env: { ...process.env, LANCEDB_LOG: "error" },
    maxBuffer: 16 * 1024 * 1024,
  });
  return dataDir;
}

/** The first `rows` books of goodbooks-10k (the most rated ones), as a CSV file. */
function bookSample(rows: number): string {
  const file = join(root, "books.csv");
  const lines = readFileSync("data/books/books.csv", "utf8").split("\n");
  writeFileSync(file, lines.slice(0, rows + 1).join("\n") + "\n");
  return file;
}

/** `perCategory` BBC stories of each category, as JSONL (id, title, text, categories). */
const newsSample = (perCategory: number) =>
  writeNewsSample(join(root, "news.jsonl"), perCategory, 600);

/** The first `rows` items of the demo movie catalog: a movie catalog that is not the demo file itself. */
function movieSample(rows: number): string {
  const file = join(root, "movies.jsonl");
  const lines = readFileSync("data/catalog/movies.jsonl", "utf8").split("\n");
  writeFileSync(file, lines.slice(0, rows).join("\n") + "\n");
  return file;
}

interface Conversation {
  replies: Array<{ said: string; reply: OutgoingReply }>;
  /** Every sentence a person read: reply texts and reason texts. */
  texts: string[];
  /** The web chat page and the Discord /recommend hint, as served with this catalog. */
  page: string;
  hint: string;
}

/** A spread of messages and button presses through the real bot; `title` and `person` suit the catalog. */
async function converse(dataDir: string, title: string, person: string): Promise<Conversation> {
  const bot = await Replay.open(loadConfig({}, { dataDir, commitIntervalMs: 2 }));
  const user: UserRef = { platform: "test", id: "reader" };
  const replies: Conversation["replies"] = [];
  let page: string | undefined;
  const hint = slashCommands(bot.wording)[0].options[0].description;
  const say = async (text: string) => {
    replies.push({ said: text, reply: await bot.handleMessage({ user, text }) });
    return replies.at(-1)!.reply;
  };
  try {
    await say("hello");
    await say("help");
    await say("");
    await say("xqzv blorp wibble");
    await say("anything similar to parks and recreation");
    const listed = await say(`I loved ${title}`);
    await say(person);
    await say("more like the second one");
    await say("why?");
    await say("why the first one?");
    await say("not that one");
    await say("I've seen the third one");
    await say("what do you think I like?");
    const items = listed.recommendations.length
      ? listed.recommendations
      : replies.flatMap((r) => r.reply.recommendations);
    expect(items.length).toBeGreaterThan(0);
    for (const signal of ["like", "dislike", "seen", "more"] as const) {
      const reply = await bot.handleFeedback({ user, itemId: items[0]!.id, signal });
      replies.push({ said: `[${signal}]`, reply });
    }
    const app = buildServer(new TurnHost(bot), { maxBodyBytes: 16_384 });
    page = (await app.inject({ method: "GET", url: "/" })).body;
    await app.close();
  } finally {
    await bot.close();
  }
  const texts = replies.flatMap(({ reply }) => [
    reply.text,
    ...reply.recommendations.flatMap((r) => r.reasons.map((x) => x.text)),
  ]);
  return { replies, texts, page: page ?? "", hint };
}

/**
 * No movie word in what the bot wrote. The catalog's titles are taken out first: a news story may be
 * called "Rank 'set to sell off film unit'", and quoting it is no movie wording.
 */
function expectNoMovieWords({ replies }: Conversation, titles: readonly string[]) {
  const longestFirst = [...titles].sort((a, b) => b.length - a.length);
  const ours = (text: string) =>
    longestFirst.reduce((t, title) => t.split(title).join("<title>"), text);
  const found = replies.flatMap(({ said, reply }) =>
    [reply.text, ...reply.recommendations.flatMap((r) => r.reasons.map((x) => x.text))]
      .filter((t) => MOVIE_WORDS.test(ours(t)))
      .map((t) => `${said || "(empty)"} -> ${t}`),
  );
  expect(found).toEqual([]);
}

const replyTo = (c: Conversation, said: string) => c.replies.find((r) => r.said === said)!.reply;

describe("catalog wording: book and news catalogs are not talked about as movies", () => {
  let books: Conversation;
  let news: Conversation;
  let bookTitles: string[];
  let newsTitles: string[];

  beforeAll(async () => {
    const booksFile = bookSample(300);
    bookTitles = parseCsvObjects(readFileSync(booksFile, "utf8")).map((r) => r.title!);
    const booksDir = await ingest("books", booksFile, [
      "--columns",
      "id=book_id,year=original_publication_year,popularity=ratings_count",
      "--noun",
      "book",
      "--others",
      "other readers",
      "--no-train", // the shipped model, as before training became the default
    ]);
    books = await converse(booksDir, "The Hunger Games", "anything by Stephen King");
    const newsFile = newsSample(25);
    newsTitles = readFileSync(newsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { title: string }).title);
    // No wording flags: the neutral "item"/"items", examples taken from the catalog itself.
    const newsDir = await ingest("news", newsFile, ["--train", "--epochs", "2"]);
    news = await converse(newsDir, newsTitles[3]!, "anything with Tony Blair");
  }, 240_000);

  it("books: no reply or reason speaks of movies, and they say books", () => {
    expectNoMovieWords(books, bookTitles);
    expect(books.texts.length).toBeGreaterThan(40);
    const help = replyTo(books, "help").text;
    // The two most rated books of the sample, without their series note, are the help text's example.
    expect(help).toContain('"I loved The Hunger Games and Harry Potter and the Sorcerer\'s Stone"');
    expect(replyTo(books, "xqzv blorp wibble").text).toMatch(
      /Which books do you like.*Meanwhile, some popular books:/,
    );
    expect(replyTo(books, "anything similar to parks and recreation").text).toMatch(
      /among my books\. Which books/,
    );
    const popular = replyTo(books, "xqzv blorp wibble").recommendations[0]!.reasons[0]!.text;
    expect(popular).toMatch(/^Often recommended by other readers/);
    expect(books.page).toContain(
      'placeholder="I loved The Hunger Games and Harry Potter and the Sorcerer\'s Stone"',
    );
    expect(books.hint).toBe('What you are after, e.g. "like The Hunger Games"');
  });

  it("news: no reply or reason speaks of movies; no setting gives 'items' and the catalog's own examples", () => {
    expectNoMovieWords(news, newsTitles);
    expect(news.texts.length).toBeGreaterThan(40);
    const help = replyTo(news, "help").text;
    // No popularity column: the first two stories are the examples; "no" and a real category the constraint.
    expect(help).toContain(`"I loved ${newsTitles[0]} and ${newsTitles[1]}, no `);
    expect(help).toMatch(/, no (business|entertainment|politics|sport|tech)"/);
    expect(replyTo(news, "xqzv blorp wibble").text).toMatch(
      /Which items do you like.*Meanwhile, some items from the catalog:/,
    );
    const popular = replyTo(news, "xqzv blorp wibble").recommendations[0]!.reasons[0]!.text;
    // No popularity column: the list is not called popular.
    expect(popular).toBe("One of the items on file (this catalog has no popularity data)");
    expect(news.page).toContain(`placeholder="I loved ${newsTitles[0]} and `);
    expect(news.page).not.toMatch(MOVIE_WORDS);
  });
});

describe("catalog wording: movie catalogs keep movie wording", () => {
  it("the demo catalog's help text is the one it always had", () => {
    expect(helpText(DEMO_WORDING)).toMatch(
      /^Tell me what you like \("I loved Inception and The Matrix, no horror"\) and I'll suggest more\./,
    );
  });

  it("a movie catalog ingested with --noun film speaks of films and movie fans", async () => {
    // --no-train: the wording is the point here, not a model of the sample's own genres.
    const dir = await ingest("movies", movieSample(400), ["--noun", "film", "--no-train"]);
    const bot = await Replay.open(loadConfig({}, { dataDir: dir, commitIntervalMs: 2 }));
    try {
      const user = { platform: "test", id: "cinephile" };
      const lost = await bot.handleMessage({ user, text: "xqzv blorp wibble" });
      expect(lost.text).toMatch(/Which films do you like.*Meanwhile, some popular films:/);
      expect(lost.recommendations[0]!.reasons[0]!.text).toMatch(/other movie fans/);
      const unknown = await bot.handleMessage({
        user,
        text: "anything similar to parks and recreation",
      });
      expect(unknown.text).toContain("(I only know films, not TV series)");
    } finally {
      await bot.close();
    }
  }, 120_000);
});
