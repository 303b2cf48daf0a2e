// `npm run chat`: the same pipeline in the terminal, as one local person (an adapter like the others).
import { createInterface } from "node:readline/promises";
import { Bot } from "../../src/bot.ts";
import { loadConfig } from "../../src/config.ts";
import { WELCOME_TERMINAL } from "../../src/messages.ts";
import type { OutgoingReply } from "../../src/types.ts";
import type { Outlet } from "../contract.ts";
import { TurnHost } from "../host.ts";

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
  const host = new TurnHost(await Bot.create(loadConfig()), { rateLimited: false });
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  const user = { platform: "cli", id: process.env.USER ?? "local" };
  const out: Outlet<string> = {
    render: (reply) => renderForTerminal(reply),
    notice: (text) => text,
    send: async (text) => {
      console.log(text);
      return undefined;
    },
  };
  // The prompt also tells a program driving the chat over a pipe that the reply is complete.
  const prompt = () => process.stdout.write(PROMPT);
  console.log(WELCOME_TERMINAL);
  prompt();
  try {
    for await (const line of rl) {
      const text = line.trim();
      if (text) await host.converse({ kind: "message", user, text }, out);
      prompt();
    }
  } finally {
    rl.close();
    await host.bot.close();
  }
}
