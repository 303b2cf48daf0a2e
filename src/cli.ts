// chatrec command line: the product's commands (ingest, help). `start` and `chat` live in adapters/ and
// train, eval and bench in research/; bin/chatrec.js routes each command to its home.
import "./util/quiet-lancedb.ts";

export const PRODUCT_USAGE = `  start                                                serve the HTTP API and web chat (PORT, default 3000)
  chat                                                 chat with the bot in the terminal
  ingest <file> [--columns id=<col>,...] [--replace|--merge] [--no-train] [--noun <word> ...] [--data-dir <dir>]
                                                       load a CSV/JSONL catalog into the data folder's items table
                                                       and train its own interest model (not for the demo movies)`;

export async function runProductCommand(command: string, rest: string[]): Promise<void> {
  if (command !== "ingest") throw new Error(`unknown command "${command}"`);
  const { runIngestCli } = await import("./catalog/ingest-cli.ts");
  const { buildItemIndexAfterIngest } = await import("./engine.ts");
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const loaded = await runIngestCli(rest, log);
  await buildItemIndexAfterIngest(loaded.config, loaded.stored, log);
}
