// The WebAssembly text assembler behind `npm run build:wasm` and the test that the shipped binary is the text's.
import wabt from "wabt";

export const KERNELS_WAT = new URL("../../src/util/kernels.wat", import.meta.url);
export const KERNELS_WASM = new URL("../../src/util/kernels.wasm", import.meta.url);

export async function assembleKernels(text: string): Promise<Uint8Array> {
  const tools = await wabt();
  // SIMD instructions, and a shared memory (threads) that turn workers read too.
  const features = { simd: true, threads: true };
  const module = tools.parseWat("kernels.wat", text, features);
  try {
    // wabt's typings leave out validate's features argument.
    (module.validate as (f: typeof features) => void)(features);
    return Uint8Array.from(module.toBinary({ write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}
