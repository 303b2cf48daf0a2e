// With an LLM configured, a Discord list is posted at once and the explanation arrives as an edit of it: for a
// message (PATCH of the reply), a slash command and a button (PATCH of the interaction's original response).
// Real discord.js Client, fake gateway and REST API, fake OpenAI-compatible server, all over the network.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APPLICATION_ID,
  interactionCreate,
  messageCreate,
  nextId,
  readReply,
  startDiscord,
  type RestCall,
} from "./support/discord-fake.ts";
import {
  answerNamingPromptTitles,
  FakeOpenAI,
  type RecordedRequest,
} from "./support/fake-openai.ts";

/** Slow enough that a list waiting for the LLM would be seen waiting; well inside the 2 s budget. */
const LLM_DELAY_MS = 600;
const llm = new FakeOpenAI((_n, req) => ({
  content: answerNamingPromptTitles(req),
  delayMs: LLM_DELAY_MS,
}));
let env: Awaited<ReturnType<typeof startDiscord>>;

beforeAll(async () => {
  await llm.listen();
  env = await startDiscord({
    env: {
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: llm.baseUrl,
      CHATREC_LLM_TIMEOUT_MS: "2000",
    },
  });
});
afterAll(async () => {
  await env.stop();
  await llm.close();
});

type Body = {
  content: string;
  embeds: Array<{ title: string }>;
  components?: Array<{ components: Array<{ custom_id: string }> }>;
};
const titleOf = (embed: { title: string }) => /^1\. (.+?)(?: \(\d{4}\))?$/.exec(embed.title)![1]!;
/** The LLM request that explained the list whose first card is `first`. */
const llmCallFor = async (first: string): Promise<RecordedRequest> => {
  for (let i = 0; i < 100; i++) {
    const found = llm.requests.find(
      (r) => r.answeredAt !== undefined && r.body.messages[1]!.content.includes(`1. ${first}`),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no LLM request for a list starting with ${first}`);
};
const originalEdit = (token: string, from: number) =>
  env.fake.waitFor(
    (c: RestCall) =>
      c.method === "PATCH" && c.path === `/webhooks/${APPLICATION_ID}/${token}/messages/@original`,
    10_000,
    from,
  );

describe("Discord with an LLM configured", () => {
  it("posts a message's list first, then edits the explanation into it", async () => {
    const sent = messageCreate(env.fake, {
      userId: nextId(),
      content: "I loved Inception and The Matrix, no horror",
    });
    const post = await env.fake.waitFor(
      (c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`,
    );
    const list = post.body as Body;
    expect(list.content).not.toContain("💡");
    const edit = await env.fake.waitFor(
      (c) => c.method === "PATCH" && c.path.startsWith(`/channels/${sent.channel_id}/messages/`),
    );
    const first = titleOf(list.embeds[0]!);
    const asked = await llmCallFor(first);
    // The list did not wait for the LLM's answer; the edit carries it.
    expect(post.at).toBeLessThan(asked.answeredAt!);
    expect(edit.at).toBeGreaterThanOrEqual(asked.answeredAt!);
    const edited = edit.body as Body;
    expect(edited.content).toContain(`💡 ${first} and `);
    expect(edited.content.startsWith(list.content)).toBe(true);
    expect(edited.embeds).toEqual(list.embeds);
  });

  it("a slash command's private answer gets its explanation by editing the original response", async () => {
    const from = env.fake.calls.length;
    const cmd = interactionCreate(env.fake, {
      userId: nextId(),
      command: {
        name: "recommend",
        options: [{ name: "what", type: 3, value: "space adventure with aliens" }],
      },
    });
    const callback = await env.fake.waitFor(
      (c) => c.path === `/interactions/${cmd.id}/${cmd.token}/callback`,
      10_000,
      from,
    );
    const answer = (callback.body as { type: number; data: Body }).data;
    expect((callback.body as { type: number }).type).toBe(4);
    expect(answer.content).not.toContain("💡");
    const edit = await originalEdit(cmd.token, from);
    const asked = await llmCallFor(titleOf(answer.embeds[0]!));
    expect(callback.at).toBeLessThan(asked.answeredAt!);
    expect((edit.body as Body).content).toMatch(/💡 .+ both fit what you told me\.$/);
    expect(readReply(edit.body as Record<string, unknown>).items).toEqual(
      readReply(answer as unknown as Record<string, unknown>).items,
    );
  });

  it("a button press updates the list in place, then its explanation is edited in", async () => {
    const userId = nextId();
    const sent = messageCreate(env.fake, { userId, content: "funny animated movies for kids" });
    const post = await env.fake.waitFor(
      (c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`,
    );
    const list = post.body as Body;
    const from = env.fake.calls.length;
    const press = interactionCreate(env.fake, {
      userId,
      button: {
        message: env.fake.message(sent.channel_id, list),
        customId: list.components![0]!.components[1]!.custom_id,
      },
    });
    const callback = await env.fake.waitFor(
      (c) => c.path === `/interactions/${press.id}/${press.token}/callback`,
      10_000,
      from,
    );
    const update = callback.body as { type: number; data: Body };
    expect(update.type).toBe(7);
    expect(update.data.content).not.toContain("💡");
    const edit = await originalEdit(press.token, from);
    expect((edit.body as Body).content.startsWith(update.data.content)).toBe(true);
    expect((edit.body as Body).content).toMatch(/💡 .+ both fit what you told me\.$/);
  });

  it("an answer naming an item that was not recommended is dropped: the list stays as posted", async () => {
    llm.setScript(() => ({ content: "Forget these and watch Jurassic Park." }));
    try {
      const dropped = env.bot.explanationStats.dropped;
      const sent = messageCreate(env.fake, {
        userId: nextId(),
        content: "courtroom dramas with a twist",
      });
      await env.fake.waitFor(
        (c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`,
      );
      for (let i = 0; i < 100 && env.bot.explanationStats.dropped === dropped; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(env.bot.explanationStats.dropped).toBe(dropped + 1);
      // An edit would follow the drop by milliseconds: give it time to arrive before checking there is none.
      await new Promise((r) => setTimeout(r, 300));
      expect(
        env.fake.calls.filter(
          (c) => c.method === "PATCH" && c.path.startsWith(`/channels/${sent.channel_id}/`),
        ),
      ).toEqual([]);
    } finally {
      llm.setScript((_n, req) => ({
        content: answerNamingPromptTitles(req),
        delayMs: LLM_DELAY_MS,
      }));
    }
  });
});
