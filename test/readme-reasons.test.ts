// The README and the API docs list every reason code the API can return (src/messages.ts REASON_CODES).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/config.ts";
import { REASON_CODES } from "../src/messages.ts";

it("README.md and docs/api.md name every reason code", () => {
  for (const doc of ["README.md", "docs/api.md"]) {
    const text = readFileSync(join(PACKAGE_ROOT, doc), "utf8");
    for (const code of Object.keys(REASON_CODES))
      expect(text, `${doc} lists ${code}`).toContain(`\`${code}\``);
  }
});
