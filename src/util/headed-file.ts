// Files the data folder keeps beside LanceDB (the word indexes, the vector index's codes): each starts with a
// header naming what it holds, is read only when that header is the one expected, and is written whole or
// not at all.
import { closeSync, openSync, readSync, renameSync, rmSync } from "node:fs";

/** The file at `path` opened for reading when it starts with `header`; undefined when missing or not. */
export function openWithHeader(path: string, header: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return undefined;
  }
  const head = Buffer.alloc(Buffer.byteLength(header, "latin1"));
  if (readSync(fd, head, 0, head.length, 0) === head.length && head.toString("latin1") === header)
    return fd;
  closeSync(fd);
  return undefined;
}

/** Writes `path` through `write` into a file beside it, then renames it over: a reader never sees half. */
export function writeWhole(path: string, write: (fd: number) => void): void {
  const partial = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(partial, "w");
    try {
      write(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, path);
  } finally {
    rmSync(partial, { force: true });
  }
}
