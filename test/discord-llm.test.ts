// With an LLM configured, the Discord list is posted at once and the explanation arrives as an edit of it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { FakeOpenAI } from "./support/fake-openai.ts";
import { messageCreate, nextId, startDiscord } from "./support/discord-fake.ts";

const llm = new FakeOpenAI((_n, req) => {
  const titles = [...req.body.messages[1]!.content.matchAll(/^\d+\. (.+?)(?: \(\d{4}\))?(?: \[.*\])?$/gm)].map((m) => m[1]!);
  return { content: `${titles[0]} and ${titles[1]} both fit what you told me.` };
});
let env: Awaited<ReturnType<typeof startDiscord>>;

beforeAll(async () => {
  await llm.listen();
  env = await startDiscord({ env: { OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: llm.baseUrl, CHATREC_LLM_TIMEOUT_MS: "2000" } });
});
afterAll(async () => {
  await env.stop();
  await llm.close();
});

it("posts the list first, then edits the explanation into it", async () => {
  const sent = messageCreate(env.fake, { userId: nextId(), content: "I loved Inception and The Matrix, no horror" });
  const post = await env.fake.waitFor((c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`);
  const list = post.body as { content: string; embeds: Array<{ title: string }> };
  expect(list.content).not.toContain("💡");
  const edit = await env.fake.waitFor((c) => c.method === "PATCH" && c.path.startsWith(`/channels/${sent.channel_id}/messages/`));
  expect(edit.at).toBeGreaterThanOrEqual(post.at);
  const edited = edit.body as { content: string; embeds: Array<{ title: string }> };
  const first = /^1\. (.+?)(?: \(\d{4}\))?$/.exec(list.embeds[0]!.title)![1]!;
  expect(edited.content).toContain(`💡 ${first} and `);
  expect(edited.content.startsWith(list.content)).toBe(true);
  expect(edited.embeds).toEqual(list.embeds);
});
