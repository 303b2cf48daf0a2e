// `npm run chat`: the same pipeline in the terminal, as one local person.
import { createInterface } from "node:readline/promises";
import { Bot } from "../../src/bot.ts";
import { tooLongRefusal } from "../turn-limits.ts";
import { loadConfig } from "../../src/config.ts";
import type { OutgoingReply } from "../../src/types.ts";

export const PROMPT = "> ";

export function renderForTerminal(reply: OutgoingReply): string {
  const lines = [reply.text];
  reply.recommendations.forEach((r, i) => {
    lines.push(
      `  ${i + 1}. ${r.title}${r.year ? ` (${r.year})` : ""}${r.categories.length ? ` [${r.categories.join(", ")}]` : ""}`,
    );
    for (const reason of r.reasons) lines.push(`       - ${reason.text}`);
  });
  if (reply.interests.length)
    lines.push(
      `  your interests: ${reply.interests.map((i) => `${i.label} ${Math.round(i.weight * 100)}%`).join(", ")}`,
    );
  return lines.join("\n");
}

export async function startChat(): Promise<void> {
  const bot = await Bot.create(loadConfig());
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  const user = { platform: "cli", id: process.env.USER ?? "local" };
  // The prompt also tells a program driving the chat over a pipe that the reply is complete.
  const prompt = () => process.stdout.write(PROMPT);
  console.log('chatrec: tell me what you like. "help" for examples, Ctrl-D to quit.');
  prompt();
  try {
    for await (const line of rl) {
      const text = line.trim();
      if (!text) {
        prompt();
        continue;
      }
      const tooLong = tooLongRefusal(text, bot.config.maxTextLength);
      if (tooLong) console.log(tooLong);
      else console.log(renderForTerminal(await bot.handleMessage({ user, text })));
      prompt();
    }
  } finally {
    rl.close();
    await bot.close();
  }
}
