// Imported first by every entry point (bin/chatrec.js, src/cli.ts, adapters/start.ts, the HTTP benchmark).
// LanceDB's native logger reads LANCEDB_LOG once, when its module loads, and its WARN lines ("No existing
// dataset ... it will be created" for every new table) are meant for LanceDB's developers, not our users.
// LANCEDB_LOG=warn (or info, debug) shows them again.
process.env.LANCEDB_LOG ??= "error";

export {};
