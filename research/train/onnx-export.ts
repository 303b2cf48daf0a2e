// Writes the text-in interest model as ONNX with onnx-proto (a devDependency: only `npm run train` and the
// tests import this file; the runtime loader uses onnxruntime-node alone).
//
// Graph (opset 17 + ai.onnx.ml 2 + com.microsoft 1):
//   text [N] string
//   -> StringNormalizer(LOWER, locale C.UTF-8)
//   -> com.microsoft Tokenizer(tokenexp "[a-z0-9]+", mark 0, pad_value "", mincharnum 1)   [N, T] (padded)
//   -> ai.onnx.ml LabelEncoder string->int64 (unknown and padding -> 0)                      [N, T]
//   -> Gather(E), Gather(tw): word vectors and fixed IDF token weights; tw[0] = 0 and E[0] = 0, so padding
//      and unknown tokens are masked out                                                     [N, T, d], [N, T]
//   -> sum_t tw*E / max(sum_t tw, 1e-6) = masked weighted mean (empty text -> zero vector)   [N, d]
//   -> Gemm(W, b) -> Softmax(axis 1)                                          = interests    [N, L]
//   -> MatMul(P) -> x / max(||x||, 1e-12)                                     = embedding    [N, D]
import onnxProto from "onnx-proto";
import { TOKEN_PATTERN } from "./tokenize.ts";
import { POOL_EPS, NORM_EPS } from "./model.ts";

const { onnx } = onnxProto;
type INode = InstanceType<typeof onnx.NodeProto>;
type ITensor = InstanceType<typeof onnx.TensorProto>;
type IAttr = InstanceType<typeof onnx.AttributeProto>;

export interface ExportWeights {
  vocab: readonly string[]; // token of id i+1 (id 0 = padding / unknown)
  wordDim: number; // d
  embDim: number; // D
  labels: readonly string[];
  tokenWeight: Float32Array; // [V+1], [0] = 0 (padding / unknown)
  E: Float32Array; // [(V+1), d], row 0 zeros
  W: Float32Array; // [d, L]
  b: Float32Array; // [L]
  P: Float32Array; // [d, D]
}

const enc = new TextEncoder();
const AT = onnx.AttributeProto.AttributeType;
const DT = onnx.TensorProto.DataType;

function attr(
  name: string,
  value: number | string | string[] | number[],
  kind?: "int" | "float" | "ints" | "floats",
): IAttr {
  if (typeof value === "string")
    return onnx.AttributeProto.create({ name, type: AT.STRING, s: enc.encode(value) });
  if (Array.isArray(value) && (value.length === 0 || typeof value[0] === "string")) {
    return onnx.AttributeProto.create({
      name,
      type: AT.STRINGS,
      strings: (value as string[]).map((s) => enc.encode(s)),
    });
  }
  if (Array.isArray(value)) {
    return kind === "floats"
      ? onnx.AttributeProto.create({ name, type: AT.FLOATS, floats: value as number[] })
      : onnx.AttributeProto.create({ name, type: AT.INTS, ints: value as number[] });
  }
  return kind === "float"
    ? onnx.AttributeProto.create({ name, type: AT.FLOAT, f: value })
    : onnx.AttributeProto.create({ name, type: AT.INT, i: value });
}

function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: IAttr[] = [],
  domain = "",
): INode {
  return onnx.NodeProto.create({
    opType,
    input: inputs,
    output: outputs,
    attribute: attrs,
    domain,
    name: outputs[0] ?? opType,
  });
}

function floatTensor(name: string, dims: number[], data: Float32Array): ITensor {
  const copy = new Float32Array(data); // own buffer, little-endian on every platform we ship to
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: DT.FLOAT,
    rawData: new Uint8Array(copy.buffer),
  });
}

function int64Tensor(name: string, dims: number[], data: number[]): ITensor {
  return onnx.TensorProto.create({ name, dims, dataType: DT.INT64, int64Data: data });
}

export function buildInterestOnnx(w: ExportWeights): Uint8Array {
  const V = w.vocab.length + 1;
  const d = w.wordDim;
  const L = w.labels.length;
  const D = w.embDim;
  if (
    w.E.length !== V * d ||
    w.tokenWeight.length !== V ||
    w.W.length !== d * L ||
    w.b.length !== L ||
    w.P.length !== d * D
  ) {
    throw new Error("buildInterestOnnx: weight shapes do not match vocab/dims/labels");
  }
  const nodes: INode[] = [
    node(
      "StringNormalizer",
      ["text"],
      ["lower"],
      [
        attr("case_change_action", "LOWER"),
        attr("is_case_sensitive", 1),
        attr("locale", "C.UTF-8"),
      ],
    ),
    node(
      "Tokenizer",
      ["lower"],
      ["tokens"],
      [
        attr("mark", 0),
        attr("pad_value", ""),
        attr("mincharnum", 1),
        attr("tokenexp", TOKEN_PATTERN),
      ],
      "com.microsoft",
    ),
    node(
      "LabelEncoder",
      ["tokens"],
      ["ids"],
      [
        attr("keys_strings", [...w.vocab]),
        attr(
          "values_int64s",
          w.vocab.map((_, i) => i + 1),
          "ints",
        ),
        attr("default_int64", 0),
      ],
      "ai.onnx.ml",
    ),
    node("Gather", ["E", "ids"], ["vecs"], [attr("axis", 0)]),
    node("Gather", ["tw", "ids"], ["wts"], [attr("axis", 0)]),
    node("Unsqueeze", ["wts", "axis2"], ["wts3"]),
    node("Mul", ["vecs", "wts3"], ["wvecs"]),
    node("ReduceSum", ["wvecs", "axis1"], ["sum"], [attr("keepdims", 0)]),
    node("ReduceSum", ["wts", "axis1"], ["wsum"], [attr("keepdims", 1)]),
    node("Max", ["wsum", "pool_eps"], ["wsum1"]),
    node("Div", ["sum", "wsum1"], ["mean"]),
    node("Gemm", ["mean", "W", "b"], ["logits"]),
    node("Softmax", ["logits"], ["interests"], [attr("axis", 1)]),
    node("MatMul", ["mean", "P"], ["proj"]),
    node("Mul", ["proj", "proj"], ["sq"]),
    node("ReduceSum", ["sq", "axis1"], ["sqsum"], [attr("keepdims", 1)]),
    node("Sqrt", ["sqsum"], ["norm"]),
    node("Max", ["norm", "eps_f"], ["norm1"]),
    node("Div", ["proj", "norm1"], ["embedding"]),
  ];
  const initializer: ITensor[] = [
    floatTensor("E", [V, d], w.E),
    floatTensor("W", [d, L], w.W),
    floatTensor("b", [L], w.b),
    floatTensor("P", [d, D], w.P),
    int64Tensor("axis1", [1], [1]),
    floatTensor("tw", [V], w.tokenWeight),
    int64Tensor("axis2", [1], [2]),
    floatTensor("pool_eps", [], new Float32Array([POOL_EPS])),
    floatTensor("eps_f", [], new Float32Array([NORM_EPS])),
  ];
  const tensorType = (elemType: number, dims: Array<number | string>) =>
    onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((v) =>
            typeof v === "number"
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: v })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: v }),
          ),
        }),
      }),
    });
  const graph = onnx.GraphProto.create({
    name: "chatrec_interest",
    node: nodes,
    initializer,
    input: [onnx.ValueInfoProto.create({ name: "text", type: tensorType(DT.STRING, ["N"]) })],
    output: [
      onnx.ValueInfoProto.create({ name: "interests", type: tensorType(DT.FLOAT, ["N", L]) }),
      onnx.ValueInfoProto.create({ name: "embedding", type: tensorType(DT.FLOAT, ["N", D]) }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "chatrec-train",
    producerVersion: "1",
    graph,
    opsetImport: [
      onnx.OperatorSetIdProto.create({ domain: "", version: 17 }),
      onnx.OperatorSetIdProto.create({ domain: "ai.onnx.ml", version: 2 }),
      onnx.OperatorSetIdProto.create({ domain: "com.microsoft", version: 1 }),
    ],
  });
  return onnx.ModelProto.encode(model).finish();
}
