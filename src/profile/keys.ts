// Person keys are pseudonyms: HMAC-SHA256 of platform, scope and user id under a server secret.
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { UserRef } from "../types.ts";

/** Reads the server secret, creating it (0600) on first start. */
export function loadOrCreateSecret(path: string): Buffer {
  if (existsSync(path)) {
    const hex = readFileSync(path, "utf8").trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} is not a 32-byte hex secret`);
    return Buffer.from(hex, "hex");
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(path, secret.toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return secret;
}

export function personKey(
  secret: Buffer,
  user: Pick<UserRef, "platform" | "scope" | "id">,
): string {
  return createHmac("sha256", secret)
    .update(`${user.platform}\0${user.scope ?? ""}\0${user.id}`)
    .digest("hex")
    .slice(0, 40);
}

export function isPersonKey(key: string): boolean {
  return /^[0-9a-f]{40}$/.test(key);
}
