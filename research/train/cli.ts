// `chatrec train --catalog <file> --out <dir> [--seed n] [--redial <file> | --no-redial] [--epochs n]`
import { trainInterestModel } from "./train.ts";
import { parseOptions } from "../../src/util/args.ts";
import { DATA_PATHS, DEFAULT_OUT } from "./data-paths.ts";

const USAGE = `usage: chatrec train [--catalog <file>] [--out <dir>] [--seed n] [--redial <file> | --no-redial] [--epochs n]
  --out <dir>   where the model goes (default ${DEFAULT_OUT}; pass --out models to replace the shipped one)`;

export async function runTrainCli(args: string[]): Promise<void> {
  const { values, flags } = parseOptions(
    args,
    { values: ["--catalog", "--out", "--seed", "--redial", "--epochs"], flags: ["--no-redial"] },
    USAGE,
  );
  const catalogPath = values.get("--catalog") ?? DATA_PATHS.catalog;
  const outDir = values.get("--out") ?? DEFAULT_OUT;
  const seed = values.has("--seed") ? Number.parseInt(values.get("--seed")!, 10) : 42;
  const redialTrain = values.get("--redial");
  const useRedial = !flags.has("--no-redial");
  const epochs = values.has("--epochs") ? Number.parseInt(values.get("--epochs")!, 10) : undefined;
  if (!Number.isFinite(seed)) throw new Error("--seed must be an integer");
  const command = `npm run train -- ${args.join(" ")}`.trim();
  const report = await trainInterestModel({
    catalogPath,
    outDir,
    seed,
    useRedial,
    command,
    ...(redialTrain ? { redialTrain } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    log: (s) => console.log(s),
  });
  console.log(
    JSON.stringify(
      {
        onnx: report.onnxPath,
        sha256: report.sha256,
        labels: report.labels.length,
        dim: report.dim,
        vocab: report.vocabSize,
        seconds: Math.round(report.seconds * 10) / 10,
        metrics: report.metrics,
      },
      null,
      2,
    ),
  );
}
