/** Command-line options `--name value` and bare `--flag`s; anything else is an error quoting the usage. */
export function parseOptions(
  args: readonly string[],
  spec: { values: readonly string[]; flags?: readonly string[] },
  usage: string,
): { values: Map<string, string>; flags: Set<string> } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (spec.flags?.includes(a)) flags.add(a);
    else if (spec.values.includes(a)) {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${usage}`);
      values.set(a, v);
    } else throw new Error(`unknown argument ${a}\n${usage}`);
  }
  return { values, flags };
}
