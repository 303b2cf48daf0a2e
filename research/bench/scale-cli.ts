// `chatrec bench scale [--items 10000,100000] [--messages n]`
import { parseArgs } from "node:util";
import { benchScale, formatScale } from "./scale.ts";

export async function runScaleCli(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { items: { type: "string", default: "10000,100000" }, messages: { type: "string" } },
  });
  const sizes = values.items.split(",").map((s) => Number.parseInt(s, 10));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error("--items takes sizes like 10000,100000");
  const messages = values.messages ? Number.parseInt(values.messages, 10) : undefined;
  console.log(formatScale(await benchScale(sizes, messages)));
}
