// One process at a time owns a data folder's profiles: two writers would interleave the write-ahead log's
// segments and delete each other's, losing acknowledged updates. The lock is a local socket the owner
// listens on (a Unix socket in the temp folder, a named pipe on Windows), so the operating system releases
// it when the owner dies, even by SIGKILL: a leftover socket file nobody answers on is simply taken over.
import { ChatrecError } from "../errors.ts";
import { createHash } from "node:crypto";
import { mkdirSync, realpathSync, rmSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export class FolderInUseError extends ChatrecError {
  override name = "FolderInUseError";
  constructor(message: string) {
    super("FOLDER_IN_USE", message);
  }
}

/** Where the lock of `dir` lives (a socket path, or a pipe name on Windows). */
export function lockAddress(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const id = createHash("sha256").update(realpathSync(dir)).digest("hex").slice(0, 24);
  return process.platform === "win32"
    ? `\\\\.\\pipe\\chatrec-${id}`
    : join(tmpdir(), `chatrec-${id}.lock`);
}

const listen = (server: Server, address: string) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address, () => {
      server.off("error", reject);
      resolve();
    });
  });

/** Whether some process answers on the address. */
const answers = (address: string) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection(address, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Takes the folder or throws FolderInUseError; the returned function gives it back. */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const address = lockAddress(dir);
  const server = createServer((socket) => socket.destroy());
  try {
    await listen(server, address);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    if (await answers(address))
      throw new FolderInUseError(
        `the data folder holding ${dir} is in use by another chatrec process (a running server or terminal chat): stop it first, or use another CHATREC_DATA_DIR`,
      );
    rmSync(address, { force: true }); // left behind by a process that died
    await listen(server, address);
  }
  server.unref();
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
