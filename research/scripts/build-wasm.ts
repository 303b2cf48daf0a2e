// `npm run build:wasm`: assembles src/util/kernels.wat into the shipped src/util/kernels.wasm (a test checks
// that the two agree, so the binary is always the text's).
import { readFileSync, writeFileSync } from "node:fs";
import { assembleKernels, KERNELS_WASM, KERNELS_WAT } from "./assemble-wasm.ts";

const bytes = await assembleKernels(readFileSync(KERNELS_WAT, "utf8"));
writeFileSync(KERNELS_WASM, bytes);
console.log(`wrote ${KERNELS_WASM.pathname} (${bytes.length} bytes)`);
