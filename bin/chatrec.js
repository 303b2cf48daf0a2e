#!/usr/bin/env node
// The `chatrec` command: runs the TypeScript sources through tsx's loader (no build step) and routes each
// command to its home: start and chat to adapters/ (the composition root; src/ never imports adapters/),
// ingest to research/train (which loads with src's ingest, then trains the catalog's own interest model;
// `ingest --no-train` and `ingest --help` go to src/ alone), and train, eval and bench to research/ (which
// the product never imports).
import console from "node:console";
import process from "node:process";
import { register } from "tsx/esm/api";

register();
await import("../src/util/quiet-lancedb.ts"); // before anything loads LanceDB
const [command, ...rest] = process.argv.slice(2);

async function run() {
  if (command === "start") return (await import("../adapters/start.ts")).startServer();
  if (command === "chat") return (await import("../adapters/cli/chat.ts")).startChat();
  // `ingest` trains a catalog's own interest model by default (not the demo one's): the trainer lives in
  // research/. --no-train loads only; --help needs no trainer either.
  const loadOnly = ["--no-train", "--help", "-h"].some((flag) => rest.includes(flag));
  if (command === "ingest" && !loadOnly)
    return (await import("../research/train/ingest-train.ts")).runIngestTrainCli(rest);
  if (command === "ingest") return (await import("../src/cli.ts")).runProductCommand(command, rest);
  if (command === "train" || command === "eval" || command === "bench")
    return (await import("../research/cli.ts")).runResearchCommand(command, rest);
  const { PRODUCT_USAGE } = await import("../src/cli.ts");
  const { RESEARCH_USAGE } = await import("../research/cli.ts");
  const usage = `usage: chatrec <command>\n${PRODUCT_USAGE}\n${RESEARCH_USAGE}`;
  if (command === undefined || command === "help" || command === "--help")
    return console.log(usage);
  throw new Error(`unknown command "${command}"\n${usage}`);
}

await run().catch((err) => {
  // A configuration problem is a clear one-line error, not a stack trace.
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
