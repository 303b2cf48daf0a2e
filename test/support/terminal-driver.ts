// Contract driver for the terminal chat (`chatrec chat`): a real child process fed over stdin. The terminal
// is one person at a time (its OS user), so switching person restarts the process on the same data folder.
// It has no buttons: a click is typed as words about the card's number ("more like number 2").
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/config.ts";
import {
  seededDataDir,
  type AdapterDriver,
  type ClickAction,
  type Person,
  type Reply,
} from "./adapter-driver.ts";

const PROMPT = "> ";
const CARD = /^ {2}\d+\. (.+?)(?: \((\d{4})\))?(?: \[[^\]]*\])?$/;

/** The terminal shows titles and years, not ids: map them back through the shipped catalog file. */
function catalogIds(): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of readFileSync(join(PACKAGE_ROOT, "data/catalog/movies.jsonl"), "utf8").split(
    "\n",
  )) {
    if (!line) continue;
    const item = JSON.parse(line) as { id: string; title: string; year?: number };
    const key = `${item.title}|${item.year ?? ""}`;
    if (!ids.has(key)) ids.set(key, item.id);
  }
  return ids;
}

export function terminalDriver(): AdapterDriver {
  let dir = "";
  let child: ChildProcessWithoutNullStreams | undefined;
  let current: string | undefined;
  let out = "";
  let waiter: { check: () => void; fail: (err: Error) => void } | undefined;
  let lastItems: Reply["items"] = [];
  const ids = catalogIds();

  const untilPrompt = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (out.endsWith(PROMPT)) {
          const text = out.slice(0, -PROMPT.length);
          out = "";
          waiter = undefined;
          resolve(text);
        }
      };
      waiter = { check, fail: reject };
      check();
    });

  const quit = async () => {
    if (!child) return;
    const exited = new Promise((resolve) => child!.once("exit", resolve));
    child.stdin.end();
    await exited;
    child = undefined;
    current = undefined;
  };

  const as = async (person: Person) => {
    if (current === person.id && child) return;
    await quit();
    out = "";
    child = spawn(process.execPath, ["bin/chatrec.js", "chat"], {
      cwd: PACKAGE_ROOT,
      env: {
        ...process.env,
        CHATREC_DATA_DIR: dir,
        USER: person.id,
        CHATREC_COMMIT_INTERVAL_MS: "2",
      },
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      waiter?.check();
    });
    child.on("exit", (code) =>
      waiter?.fail(new Error(`terminal chat exited (${code}) while a reply was awaited: ${out}`)),
    );
    current = person.id;
    await untilPrompt(); // the greeting
  };

  const type = async (person: Person, line: string): Promise<Reply> => {
    await as(person);
    child!.stdin.write(line + "\n");
    const lines = (await untilPrompt()).trimEnd().split("\n");
    const items = lines.flatMap((l) => {
      const m = CARD.exec(l);
      return m ? [{ id: ids.get(`${m[1]}|${m[2] ?? ""}`) ?? `unknown:${m[1]}`, title: m[1]! }] : [];
    });
    const text = lines.filter((l) => !l.startsWith("  ")).join("\n");
    if (items.length) lastItems = items;
    return { text, items };
  };

  return {
    name: "terminal",
    scoped: false,
    buttons: false,
    async start() {
      dir = await seededDataDir("terminal");
    },
    say: type,
    async click(person: Person, itemId: string, action: ClickAction) {
      const position = lastItems.findIndex((i) => i.id === itemId) + 1;
      if (position === 0)
        throw new Error(`item ${itemId} is not on the last list the terminal showed`);
      const words = {
        like: `number ${position}: I loved it`,
        dislike: `number ${position} is not for me`,
        seen: `I've seen number ${position}`,
        more: `more like number ${position}`,
      }[action];
      return type(person, words);
    },
    async stop() {
      await quit();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
