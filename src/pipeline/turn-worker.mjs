// A turn worker thread's entry: worker threads do not inherit the main thread's TypeScript loader.
import { register } from "tsx/esm/api";

register();
await import("./turn-worker.ts");
