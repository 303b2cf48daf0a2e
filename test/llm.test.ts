// LLM explanations against a local fake OpenAI-compatible server over real HTTP, with the real bot (model,
// LanceDB, catalog) producing the replies being explained.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { Replay } from "../src/replay.ts";
import { ConfigError, loadConfig, PACKAGE_ROOT, type LlmConfig } from "../src/config.ts";
import { AnswerCheck } from "../src/explain/check.ts";
import { explainInputOf } from "../src/explain/llm-input.ts";
import { LlmExplainer } from "../src/explain/llm.ts";
import { loadExplainPrompts } from "../src/explain/prompts.ts";
import { PHRASE_LEAD } from "../src/messages.ts";
import type { OutgoingReply, UserRef } from "../src/types.ts";
import { FakeOpenAI, type FakeAnswer } from "./support/fake-openai.ts";

const dir = mkdtempSync(join(tmpdir(), "chatrec-llm-"));
const fake = new FakeOpenAI(() => ({ content: "" }));
let bot: Replay;
let reply: OutgoingReply;
const alice: UserRef = { platform: "test", id: "alice" };
const ALICE_TEXT = "I loved Inception and The Matrix, something like those but no horror";

/** A title the reasons cite ("Similar to The Matrix, which you liked"), which an answer may name too. */
function citedTitle(r: OutgoingReply): string | undefined {
  return r.recommendations
    .flatMap((x) => x.reasons)
    .map((x) => /^Similar to (.+), which you liked/.exec(x.text)?.[1])
    .find((t) => t !== undefined);
}

/** A plausible answer naming only recommended titles (and a title their reasons cite, when there is one). */
function goodAnswer(r: OutgoingReply): string {
  const [a, b] = r.recommendations;
  const cited = citedTitle(r);
  return `${cited ? `Since you enjoyed ${cited}, ` : ""}${a!.title} keeps the same mind-bending action going. ${b!.title} fits your taste for ${r.interests[0]!.label} too.`;
}

function explainer(overrides: Partial<LlmConfig> = {}): LlmExplainer {
  const llm = {
    ...loadConfig({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.baseUrl }).llm,
    ...overrides,
  };
  return new LlmExplainer(llm, loadExplainPrompts(llm.promptsDir), bot.catalog);
}

function script(...answers: FakeAnswer[]): void {
  fake.setScript((n) => answers[Math.min(n, answers.length - 1)]!);
}

beforeAll(async () => {
  await fake.listen();
  bot = await Replay.open(
    loadConfig(
      { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.baseUrl },
      { dataDir: dir, commitIntervalMs: 2 },
    ),
  );
  // Someone else's data, which must never reach the LLM when Alice's list is explained.
  await bot.handleMessage({
    user: { platform: "test", id: "bob" },
    text: "I loved Titanic and The Notebook, romantic dramas please",
  });
  reply = await bot.handleMessage({ user: alice, text: ALICE_TEXT });
});
afterAll(async () => {
  await bot.close();
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.requests.length = 0;
});

describe("LLM explanations (fake OpenAI-compatible server over HTTP)", () => {
  it("returns a checked answer, and sends only the items' metadata, their reasons and top interests", async () => {
    expect(bot.explanationsEnabled).toBe(true);
    script({ content: goodAnswer(reply) });
    const text = await bot.explain(reply, alice);
    expect(text).toBe(goodAnswer(reply));
    expect(fake.requests).toHaveLength(1);
    const { body, headers } = fake.requests[0]!;
    expect(headers.authorization).toBe("Bearer sk-test");
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.stream).toBeFalsy();
    const sent = JSON.stringify(body);
    for (const r of reply.recommendations) {
      expect(sent).toContain(r.title);
      // A phrase reason quotes the person's words: only its lead goes out (see the next test).
      for (const reason of r.reasons)
        expect(sent).toContain(reason.code === "phrase" ? PHRASE_LEAD : reason.text);
    }
    expect(sent).toContain(reply.interests[0]!.label);
    // No raw message, no identity, no one else's data. A title Alice mentioned may appear only inside a reason.
    const outsideReasons = reply.recommendations
      .flatMap((r) => r.reasons)
      .reduce(
        (text, reason) => text.split(JSON.stringify(reason.text).slice(1, -1)).join(" "),
        sent,
      );
    expect(sent).not.toContain(ALICE_TEXT);
    expect(sent).not.toContain("something like those");
    expect(outsideReasons).not.toContain("Inception");
    expect(sent).not.toContain("alice");
    expect(sent).not.toContain("Titanic");
    expect(sent).not.toContain("Notebook");
    expect(Object.keys(body).sort()).toEqual(["max_tokens", "messages", "model", "temperature"]);
    expect(body.messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("never sends the person's words, not even those a reason quotes", async () => {
    // A phrase reason quotes the message ("Close to what you asked for: \"...\""); the person sees it on the card,
    // the LLM gets only its lead and strength. Built on Alice's real list, so the test does not depend on ranking.
    const words = "after my divorce I need something gentle";
    const quoting: OutgoingReply = {
      ...reply,
      recommendations: reply.recommendations.map((r, i) =>
        i === 0
          ? {
              ...r,
              reasons: [
                {
                  code: "phrase",
                  text: `Close to what you asked for: "${words}" (similarity 0.61)`,
                },
                ...r.reasons,
              ],
            }
          : r,
      ),
    };
    script({ content: goodAnswer(quoting) });
    expect(await explainer().explain(quoting, "p")).toBe(goodAnswer(quoting));
    const sent = JSON.stringify(fake.requests[0]!.body);
    expect(sent).not.toContain(words);
    expect(sent).not.toContain("divorce");
    expect(sent).toContain("Close to what you asked for (similarity 0.61)");
    // The same holds for phrase reasons the pipeline wrote itself, whenever it wrote one.
    const own = await bot.handleMessage({
      user: { platform: "test", id: "carol" },
      text: "a slow quiet drama about grief and an old lighthouse keeper",
    });
    const quoted = own.recommendations
      .flatMap((r) => r.reasons)
      .filter((r) => r.code === "phrase")
      .map((r) => /"(.+)"/.exec(r.text)![1]!);
    fake.requests.length = 0;
    script({ content: goodAnswer(own) });
    await explainer().explain(own, "c");
    for (const q of quoted) expect(JSON.stringify(fake.requests[0]!.body)).not.toContain(q);
  });

  it("reads key, endpoint, model and budget from the environment, and calls that endpoint with that model", async () => {
    expect(loadConfig({}).llm).toMatchObject({ model: "gpt-4o-mini", timeoutMs: 2500 });
    expect(loadConfig({}).llm.apiKey).toBeUndefined();
    const llm = loadConfig({
      OPENAI_API_KEY: "ollama",
      OPENAI_BASE_URL: fake.baseUrl,
      CHATREC_LLM_MODEL: "llama3.2",
      CHATREC_LLM_TIMEOUT_MS: "1500",
    }).llm;
    expect(llm).toMatchObject({
      apiKey: "ollama",
      baseUrl: fake.baseUrl,
      model: "llama3.2",
      timeoutMs: 1500,
    });
    script({ content: goodAnswer(reply) });
    expect(
      await new LlmExplainer(llm, loadExplainPrompts(llm.promptsDir), bot.catalog).explain(
        reply,
        "m",
      ),
    ).toBe(goodAnswer(reply));
    expect(fake.requests[0]!.body.model).toBe("llama3.2");
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer ollama");
  });

  it("answers a repeat from the cache without calling again", async () => {
    const e = explainer();
    script({ content: goodAnswer(reply) });
    expect(await e.explain(reply, "k")).toBe(goodAnswer(reply));
    expect(await e.explain(reply, "k")).toBe(goodAnswer(reply));
    expect(fake.requests).toHaveLength(1);
    // A fresh explainer has its own cache, so the call really happens (and the server really was asked once).
    expect(await explainer().explain(reply, "k")).toBe(goodAnswer(reply));
    expect(fake.requests).toHaveLength(2);
    expect(e.stats.cacheHits).toBe(1);
  });

  it("shares one call between identical concurrent requests", async () => {
    const e = explainer();
    script({ content: goodAnswer(reply), delayMs: 100 });
    const answers = await Promise.all([
      e.explain(reply, "a"),
      e.explain(reply, "b"),
      e.explain(reply, "c"),
    ]);
    expect(answers).toEqual([goodAnswer(reply), goodAnswer(reply), goodAnswer(reply)]);
    expect(fake.requests).toHaveLength(1);
  });

  it("streams sentence by sentence (SSE) and returns the whole checked text", async () => {
    const e = explainer();
    const answer = goodAnswer(reply);
    const words = answer.split(/(?<= )/);
    script({ chunks: words, chunkDelayMs: 2 });
    const seen: string[] = [];
    const text = await e.explain(reply, "s", { onText: (t) => seen.push(t) });
    expect(text).toBe(answer);
    expect(fake.requests[0]!.body.stream).toBe(true);
    expect(seen.length).toBe(2); // first sentence, then the whole text
    expect(answer.startsWith(seen[0]!)).toBe(true);
    expect(seen[0]!.length).toBeLessThan(answer.length);
    expect(seen.at(-1)).toBe(answer);
  });

  it("stops a stream whose later sentence names an item that was not recommended", async () => {
    const e = explainer();
    const first = `${reply.recommendations[0]!.title} is a great fit. `;
    script({
      chunks: [first, "Fans of Titanic ", "will love it too. ", "And more. ", "And more."],
      chunkDelayMs: 5,
    });
    const seen: string[] = [];
    expect(await e.explain(reply, "s", { onText: (t) => seen.push(t) })).toBeUndefined();
    expect(seen).toEqual([first.trim()]);
    expect(e.stats.dropped).toBe(1);
  });

  it("retries a 429 (honouring retry-after-ms) and then succeeds", async () => {
    const e = explainer();
    script({ status: 429, headers: { "retry-after-ms": "50" } }, { content: goodAnswer(reply) });
    expect(await e.explain(reply, "r")).toBe(goodAnswer(reply));
    expect(fake.requests).toHaveLength(2);
  });

  it("retries a 500 and then succeeds, also when streaming", async () => {
    script({ status: 500 }, { content: goodAnswer(reply) });
    expect(await explainer().explain(reply, "r")).toBe(goodAnswer(reply));
    expect(fake.requests).toHaveLength(2);
    fake.requests.length = 0;
    script({ status: 503 }, { chunks: [goodAnswer(reply)] });
    expect(await explainer().explain(reply, "r", { onText: () => undefined })).toBe(
      goodAnswer(reply),
    );
    expect(fake.requests).toHaveLength(2);
  });

  it("gives up within the budget when the server is slow (template reasons stand), and on repeated 500s", async () => {
    const e = explainer({ timeoutMs: 300 });
    script({ content: goodAnswer(reply), delayMs: 5_000 });
    const started = Date.now();
    expect(await e.explain(reply, "t")).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
    // The abandoned call is counted as failed (over budget) once its request is aborted, and nothing was dropped.
    await vi.waitFor(() => expect(e.stats.failed).toBe(1));
    expect(e.stats.dropped).toBe(0);
    script({ status: 500 });
    fake.requests.length = 0;
    const started2 = Date.now();
    expect(await explainer({ timeoutMs: 400 }).explain(reply, "t")).toBeUndefined();
    expect(Date.now() - started2).toBeLessThan(1_500);
    expect(fake.requests.length).toBeGreaterThanOrEqual(2); // retried while the budget allowed
  });

  it("stops waiting when the caller's signal aborts", async () => {
    script({ content: goodAnswer(reply), delayMs: 5_000 });
    const started = Date.now();
    expect(
      await explainer().explain(reply, "t", { signal: AbortSignal.timeout(100) }),
    ).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("drops an answer naming a catalog item that was not recommended, and remembers that", async () => {
    const e = explainer();
    script({
      content: `${reply.recommendations[0]!.title} is great, and if you liked it, try Titanic as well.`,
    });
    expect(await e.explain(reply, "x")).toBeUndefined();
    expect(await e.explain(reply, "x")).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
    expect(e.stats.dropped).toBe(1);
  });

  it("drops empty, over-long and cut-off answers", async () => {
    script({ content: "   " });
    expect(await explainer().explain(reply, "x")).toBeUndefined();
    script({ content: `${goodAnswer(reply)} `.repeat(20) });
    expect(await explainer({ maxChars: 300 }).explain(reply, "x")).toBeUndefined();
    script({ content: "A fine list of", finishReason: "length" });
    expect(await explainer().explain(reply, "x")).toBeUndefined();
    expect(fake.requests).toHaveLength(3);
  });

  it("limits one person's concurrent calls; others are not affected", async () => {
    const e = explainer();
    script({ content: goodAnswer(reply), delayMs: 100 });
    const other = (n: number): OutgoingReply => ({
      ...reply,
      recommendations: reply.recommendations.slice(0, n),
    });
    const answers = await Promise.all([
      e.explain(other(2), "p"),
      e.explain(other(3), "p"),
      e.explain(other(4), "p"),
      e.explain(other(5), "q"),
    ]);
    expect(answers.map((a) => a !== undefined)).toEqual([true, true, false, true]);
    expect(fake.requests).toHaveLength(3);
  });

  it("without a key makes no call at all", async () => {
    const noKeyDir = mkdtempSync(join(tmpdir(), "chatrec-llm-nokey-"));
    const quiet = await Replay.open(
      loadConfig({ OPENAI_BASE_URL: fake.baseUrl }, { dataDir: noKeyDir, commitIntervalMs: 2 }),
    );
    try {
      expect(quiet.explanationsEnabled).toBe(false);
      const r = await quiet.handleMessage({ user: alice, text: ALICE_TEXT });
      expect(r.recommendations.length).toBeGreaterThan(0);
      expect(r.recommendations.every((x) => x.reasons.length > 0)).toBe(true);
      expect(await quiet.explain(r, alice)).toBeUndefined();
      expect(await quiet.explain(r, alice, { onText: () => undefined })).toBeUndefined();
      expect(fake.requests).toHaveLength(0);
    } finally {
      await quiet.close();
      rmSync(noKeyDir, { recursive: true, force: true });
    }
  });
});

describe("answer check", () => {
  const idOf = (title: string) => bot.catalog.titles.find(`I loved "${title}"`)[0]!.itemId;
  const listOf = (...titles: string[]): OutgoingReply => ({
    ...reply,
    recommendations: titles.map((t) => {
      const item = bot.catalog.item(idOf(t))!;
      return {
        id: item.id,
        title: item.title,
        categories: item.categories,
        score: 1,
        reasons: [
          { code: "similar_to", text: "Similar to The Matrix, which you liked (similarity 0.80)" },
        ],
      };
    }),
  });

  it("accepts recommended titles anywhere, including inside a sentence-initial title made of common words", async () => {
    const check = new AnswerCheck(
      bot.catalog,
      await explainInputOf(listOf("Scent of a Woman", "The Matrix Reloaded"), bot.catalog),
      900,
    );
    expect(
      check.check(
        "Scent of a Woman is a moving drama. Fans of The Matrix will like The Matrix Reloaded.",
      ).ok,
    ).toBe(true);
  });

  it("rejects a title that was neither recommended nor cited, also one that merely extends a cited title", async () => {
    const check = new AnswerCheck(
      bot.catalog,
      await explainInputOf(listOf("Scent of a Woman", "The Matrix Reloaded"), bot.catalog),
      900,
    );
    expect(
      check.check("Scent of a Woman is great, and so is The Matrix Revolutions."),
    ).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/names "The Matrix Revolutions.*", which was not recommended/),
    });
    expect(check.check("Watch Scent of a Woman, then Jurassic Park.").ok).toBe(false);
    expect(check.check("Watch Scent of a Woman, then Jurassic", true).ok).toBe(true);
  });
});

describe("prompt templates", () => {
  const withTemplate = (file: string, text: string) => {
    const promptsDir = mkdtempSync(join(tmpdir(), "chatrec-prompts-"));
    cpSync(join(PACKAGE_ROOT, "prompts"), promptsDir, { recursive: true });
    writeFileSync(join(promptsDir, file), text);
    return promptsDir;
  };

  it("the shipped templates load", () => {
    expect(() => loadExplainPrompts(join(PACKAGE_ROOT, "prompts"))).not.toThrow();
  });

  it("a missing, unknown or malformed placeholder is a clear start-up error naming it", async () => {
    const shipped = readFileSync(join(PACKAGE_ROOT, "prompts/explain.md"), "utf8");
    expect(() =>
      loadExplainPrompts(withTemplate("explain.md", shipped.replace("{{items}}", ""))),
    ).toThrow(/missing placeholder \{\{items\}\}/);
    expect(() => loadExplainPrompts(withTemplate("explain.md", `${shipped} {{history}}`))).toThrow(
      /unknown placeholder \{\{history\}\}/,
    );
    expect(() =>
      loadExplainPrompts(withTemplate("explain-system.md", "Be brief. {{ maxChars")),
    ).toThrow(/malformed placeholder/);
    const bad = withTemplate("explain.md", shipped.replace("{{interests}}", "{{interest}}"));
    await expect(
      Replay.open(loadConfig({ CHATREC_PROMPTS_DIR: bad }, { dataDir: join(dir, "never") })),
    ).rejects.toThrow(ConfigError);
    await expect(
      Replay.open(
        loadConfig({ CHATREC_PROMPTS_DIR: join(dir, "nowhere") }, { dataDir: join(dir, "never") }),
      ),
    ).rejects.toThrow(/explain-system\.md is missing/);
  });
});
