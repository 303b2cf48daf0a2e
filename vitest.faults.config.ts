import { defineConfig } from "vitest/config";

// `npm run test:faults`: the crash and fault suite (full disk, damaged logs, SIGKILL rounds under load).
export default defineConfig({
  test: {
    include: [
      "test/faults/**/*.test.ts",
      "test/wal-faults.test.ts",
      "test/durability-kill.test.ts",
    ],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: "forks",
    env: { LANCEDB_LOG: "error" },
  },
});
