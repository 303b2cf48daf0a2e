// The optional LLM explanation in Slack: the list is posted at once, the checked explanation follows as an
// edit of that message (chat.update, or response_url for slash commands); a rejected answer changes nothing.
// Real Bolt app in the real server, fake Slack Web API, fake OpenAI-compatible server, all over HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Replay } from "../src/replay.ts";
import { answerNamingPromptTitles, FakeOpenAI } from "./support/fake-openai.ts";
import {
  blockActions,
  eventCallback,
  leadText,
  postSigned,
  readCards,
  slashCommand,
  startSlackHarness,
  type FakeSlack,
  type SlackHarness,
} from "./support/slack-fake.ts";

const LLM_DELAY_MS = 200;
const openai = new FakeOpenAI(() => ({ content: "" }));
let harness: SlackHarness;
let bot: Replay;
let slack: FakeSlack;
let events: string;

/** Answers with the first two titles of the prompt's own list (the fake does not know the list in advance). */
function answerFromPrompt(delayMs = LLM_DELAY_MS): void {
  openai.setScript((_n, req) => ({ content: answerNamingPromptTitles(req), delayMs }));
}

beforeAll(async () => {
  await openai.listen();
  harness = await startSlackHarness("slack-llm", {
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: openai.baseUrl,
    CHATREC_LLM_TIMEOUT_MS: "2500",
  });
  ({ bot, slack, events } = harness);
});
afterAll(async () => {
  await harness.stop();
  await openai.close();
});

type Block = { type: string; block_id?: string; text?: { text: string } };
const explanationOf = (blocks: unknown) =>
  (blocks as Block[]).find((b) => b.block_id === "explanation")?.text?.text;
const postIn = (channel: string) =>
  slack.callsTo("chat.postMessage").find((c) => c.args.channel === channel);
const updatesIn = (channel: string) =>
  slack.callsTo("chat.update").filter((c) => c.args.channel === channel);

describe("Slack with an LLM configured", () => {
  it("posts the list at once, then edits the explanation into the same message", async () => {
    // A slow LLM (1.2 s of a 2.5 s budget): the list must not wait for it.
    answerFromPrompt(1200);
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U1",
        channel: "D1",
        text: "I loved Inception and The Matrix",
      }),
    });
    const post = await slack.waitFor(() => postIn("D1"));
    expect(explanationOf(post.args.blocks)).toBeUndefined();
    const cards = readCards(post.args.blocks);
    expect(cards).toHaveLength(5);
    const update = await slack.waitFor(() => updatesIn("D1")[0]);
    expect(update.args.ts).toBe(post.result.ts);
    expect(explanationOf(update.args.blocks)).toBe(
      `${cards[0]!.title} and ${cards[1]!.title} both fit what you told me.`
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;"),
    );
    expect(readCards(update.args.blocks)).toEqual(cards);
    // The list went out before the LLM answered; the edit came after its answer.
    const llm = openai.requests.find((r) => r.body.messages[1]!.content.includes(cards[0]!.title))!;
    expect(post.at).toBeLessThan(llm.answeredAt!);
    expect(update.at).toBeGreaterThanOrEqual(llm.answeredAt!);
  });

  it("drops an answer that names an item it was not given: the posted list stays as it was", async () => {
    openai.setScript(() => ({ content: "You should watch Titanic instead." }));
    const dropped = bot.explanationStats.dropped;
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U2",
        channel: "D2",
        text: "heist movies with a clever plan",
      }),
    });
    await slack.waitFor(() => postIn("D2"));
    await slack.waitFor(() => bot.explanationStats.dropped > dropped);
    // A later turn for the same person finishes after the dropped follow-up would have been sent.
    answerFromPrompt();
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U2",
        channel: "D2",
        text: "something lighter",
      }),
    });
    await slack.waitFor(() => updatesIn("D2").length >= 1);
    expect(updatesIn("D2")).toHaveLength(1);
    expect(updatesIn("D2")[0]!.args.ts).not.toBe(postIn("D2")!.result.ts);
  });

  it("a slash command's answer gets its explanation through response_url (replace_original)", async () => {
    answerFromPrompt();
    const form = slashCommand(slack, {
      team: "T1",
      user: "U3",
      command: "/recommend",
      text: "space adventure",
    });
    await postSigned(events, { form });
    const id = form.response_url!.split("/").at(-1);
    const [first, second] = await slack.waitFor(() => {
      const got = slack.responses.filter((r) => r.id === id);
      return got.length >= 2 && got;
    });
    expect(explanationOf(first!.body.blocks)).toBeUndefined();
    expect(second!.body).toMatchObject({ response_type: "ephemeral", replace_original: true });
    expect(explanationOf(second!.body.blocks)).toMatch(/both fit what you told me/);
  });

  it("a button click refreshes the list, then adds the explanation to it", async () => {
    answerFromPrompt();
    await postSigned(events, {
      json: eventCallback("dm", {
        team: "T1",
        user: "U4",
        channel: "D4",
        text: "courtroom dramas",
      }),
    });
    const post = await slack.waitFor(() => postIn("D4"));
    await slack.waitFor(() => updatesIn("D4")[0]);
    const target = readCards(post.args.blocks)[0]!;
    await postSigned(events, {
      form: {
        payload: JSON.stringify(
          blockActions(slack, {
            team: "T1",
            user: "U4",
            actionId: "chatrec_like",
            value: JSON.stringify({ item: target.id, for: "U4" }),
            channel: "D4",
            messageTs: String(post.result.ts),
          }),
        ),
      },
    });
    const [, refreshed, explained] = await slack.waitFor(
      () => updatesIn("D4").length >= 3 && updatesIn("D4"),
    );
    expect(leadText(refreshed!.args.blocks)).toContain(target.title);
    expect(explanationOf(refreshed!.args.blocks)).toBeUndefined();
    expect(explanationOf(explained!.args.blocks)).toMatch(/both fit what you told me/);
    expect(readCards(explained!.args.blocks)).toEqual(readCards(refreshed!.args.blocks));
  });
});
