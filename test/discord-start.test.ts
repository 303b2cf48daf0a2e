// `npm start` starts the Discord adapter when DISCORD_TOKEN and DISCORD_APPLICATION_ID are set (adapters/start.ts).
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { expect, it } from "vitest";
import { seededDataDir } from "./support/adapter-driver.ts";
import { APPLICATION_ID, FakeDiscord, messageCreate, nextId, TOKEN } from "./support/discord-fake.ts";

it("chatrec start connects to Discord from the environment, answers a DM and stops cleanly", async () => {
  const fake = await FakeDiscord.start();
  const dir = await seededDataDir("discord-start");
  const child = spawn(process.execPath, ["bin/chatrec.js", "start"], {
    env: { ...process.env, CHATREC_DATA_DIR: dir, PORT: "0", DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: APPLICATION_ID, DISCORD_API_URL: fake.apiUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  try {
    await fake.waitFor((c) => c.method === "PUT" && c.path === `/applications/${APPLICATION_ID}/commands`, 30_000);
    const sent = messageCreate(fake, { userId: nextId(), content: "I loved Inception" });
    const reply = await fake.waitFor((c) => c.method === "POST" && c.path === `/channels/${sent.channel_id}/messages`);
    expect((reply.body as { embeds: unknown[] }).embeds.length).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    while (!out.includes("Discord: connected") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("Discord: connected as chatrec");
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    child.kill("SIGKILL");
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
