#!/usr/bin/env node
// The `chatrec` command: runs the TypeScript CLI through tsx's loader (no build step).
// `start` is the composition root (core + adapters); it lives in adapters/ because src/ never imports adapters/.
import console from "node:console";
import process from "node:process";
import { register } from "tsx/esm/api";

register();
await import("../src/util/quiet-lancedb.ts"); // before anything loads LanceDB
if (process.argv[2] === "start") {
  const { startServer } = await import("../adapters/start.ts");
  await startServer().catch((err) => {
    // A configuration problem is a clear one-line start-up error, not a stack trace.
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
} else if (process.argv[2] === "chat") {
  const { startChat } = await import("../adapters/cli/chat.ts");
  await startChat().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
} else {
  await import("../src/cli.ts");
}
