// Runtime wrapper of the interest model: onnxruntime-node only (no training code, no onnx-proto).
import { ChatrecError } from "../errors.ts";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import * as ort from "onnxruntime-node";

export interface InterestPrediction {
  interests: Float32Array;
  embedding: Float32Array;
}

/** A model file that is missing or does not fit the code (code MODEL; `problem` says which). */
export class InterestModelError extends ChatrecError {
  override name = "InterestModelError";
  constructor(
    readonly problem: "missing" | "invalid_config" | "mismatch",
    message: string,
  ) {
    super("MODEL", message);
  }
}

interface InterestJson {
  labels: string[];
  dim: number;
  activation: string;
  sha256: string;
  onnx?: string;
}

export class InterestModel {
  private closed = false;
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly labels: readonly string[],
    readonly dim: number,
    readonly sha256: string,
  ) {}

  /** Reads `interest.onnx` and `interest.json` from `modelDir`; checks the sha256 and the output shapes. */
  static async load(modelDir: string): Promise<InterestModel> {
    const jsonPath = join(modelDir, "interest.json");
    let meta: InterestJson;
    try {
      meta = JSON.parse(await readFile(jsonPath, "utf8")) as InterestJson;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "invalid_config";
      throw new InterestModelError(
        code,
        `interest model: cannot read ${jsonPath} (${(e as Error).message}); run \`chatrec train\``,
      );
    }
    if (
      !Array.isArray(meta.labels) ||
      meta.labels.length === 0 ||
      !Number.isInteger(meta.dim) ||
      meta.dim <= 0 ||
      typeof meta.sha256 !== "string"
    ) {
      throw new InterestModelError(
        "invalid_config",
        `interest model: ${jsonPath} lacks labels, dim or sha256`,
      );
    }
    if (meta.activation !== "softmax")
      throw new InterestModelError(
        "invalid_config",
        `interest model: unsupported activation ${meta.activation}`,
      );
    const onnxPath = join(modelDir, meta.onnx ?? "interest.onnx");
    let bytes: Buffer;
    try {
      bytes = await readFile(onnxPath);
    } catch (e) {
      throw new InterestModelError(
        "missing",
        `interest model: cannot read ${onnxPath} (${(e as Error).message}); run \`chatrec train\``,
      );
    }
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== meta.sha256) {
      throw new InterestModelError(
        "mismatch",
        `interest model: ${onnxPath} has sha256 ${sha256} but ${jsonPath} says ${meta.sha256}; retrain or restore both files together`,
      );
    }
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      executionMode: "sequential",
    });
    const model = new InterestModel(session, Object.freeze([...meta.labels]), meta.dim, sha256);
    const probe = await session
      .run({ text: new ort.Tensor("string", ["probe", ""], [2]) })
      .catch(() => undefined);
    const dimsOk = (name: string, cols: number) => {
      const d = probe?.[name]?.dims;
      return d !== undefined && d.length === 2 && d[0] === 2 && d[1] === cols;
    };
    if (!dimsOk("interests", meta.labels.length) || !dimsOk("embedding", meta.dim)) {
      await model.close();
      throw new InterestModelError(
        "mismatch",
        `interest model: ${onnxPath} outputs do not match ${jsonPath} (${meta.labels.length} labels, dim ${meta.dim})`,
      );
    }
    return model;
  }

  /** Interests (softmax over `labels`) and unit embeddings (zero for text without known words), one per text. */
  async predict(texts: string[]): Promise<InterestPrediction[]> {
    if (this.closed)
      throw new InterestModelError("invalid_config", "interest model: predict() after close()");
    if (texts.length === 0) return [];
    const input = new ort.Tensor(
      "string",
      texts.map((t) => (typeof t === "string" ? t : String(t ?? ""))),
      [texts.length],
    );
    const out = await this.session.run({ text: input });
    const interests = out.interests?.data as Float32Array | undefined;
    const embedding = out.embedding?.data as Float32Array | undefined;
    if (!interests || !embedding)
      throw new InterestModelError("mismatch", "interest model: missing outputs");
    const L = this.labels.length,
      D = this.dim;
    const res: InterestPrediction[] = [];
    for (let i = 0; i < texts.length; i++) {
      res.push({
        interests: interests.slice(i * L, (i + 1) * L),
        embedding: embedding.slice(i * D, (i + 1) * D),
      });
    }
    return res;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
