import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "chatrec-term-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("terminal chat (npm run chat) as a person would use it", () => {
  it("answers typed messages with numbered picks and reasons, and explains on 'why?'", async () => {
    const child = spawn(process.execPath, ["bin/chatrec.js", "chat"], {
      env: { ...process.env, CHATREC_DATA_DIR: dir, LANCEDB_LOG: "error" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stdin.end(
      "I loved Inception and The Matrix, no horror\nwhy?\n" + "x".repeat(3000) + "\n",
    );
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(out).toContain("Taking Inception and The Matrix as a starting point.");
    expect(out).toMatch(/ {2}1\. .+\n {7}- /);
    expect(out).toMatch(/Why .+: /);
    expect(out).toContain("too long");
  });
});
