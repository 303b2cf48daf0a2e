// `chatrec train --catalog <file> --out <dir> [--seed n] [--redial <file> | --no-redial] [--epochs n]`
import { trainInterestModel } from "./train.ts";
import { DATA_PATHS } from "./data-paths.ts";

export async function runTrainCli(args: string[]): Promise<void> {
  let catalogPath: string = DATA_PATHS.catalog;
  let outDir = "models";
  let seed = 42;
  let redialTrain: string | undefined;
  let useRedial = true;
  let epochs: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--catalog") catalogPath = next();
    else if (a === "--out") outDir = next();
    else if (a === "--seed") seed = Number.parseInt(next(), 10);
    else if (a === "--redial") redialTrain = next();
    else if (a === "--no-redial") useRedial = false;
    else if (a === "--epochs") epochs = Number.parseInt(next(), 10);
    else
      throw new Error(
        `train: unknown argument ${a} (usage: train --catalog <file> --out <dir> [--seed n] [--redial <file> | --no-redial] [--epochs n])`,
      );
  }
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
