#!/usr/bin/env node
// The `chatrec` command: runs the TypeScript CLI through tsx's loader (no build step).
// `start` is the composition root (core + adapters); it lives in adapters/ because src/ never imports adapters/.
import process from "node:process";
import { register } from "tsx/esm/api";

register();
if (process.argv[2] === "start") {
  const { startServer } = await import("../adapters/start.ts");
  await startServer();
} else if (process.argv[2] === "chat") {
  const { startChat } = await import("../adapters/cli/chat.ts");
  await startChat();
} else {
  await import("../src/cli.ts");
}
