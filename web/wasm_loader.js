// Finds and instantiates the wasm module for this environment: which build (today the single-threaded
// SIMD128 one), where its files are (web/dist/, built by scripts/build-wasm.sh), and how to load them in
// Node (CommonJS loader + bytes read from disk) versus a page or worker (ES loader + fetch).
// web/webcnn.js imports it; `features` says what was chosen and why.

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined';

// The smallest module using a SIMD128 instruction: (func (result v128) i32.const 0 i32x4.splat).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11,
]);

/** What this environment and build offer. wasmBytes is filled once the module has been loaded. */
export const features = {
  simd: typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE),
  threads: false, // the build is single-threaded: it needs neither SharedArrayBuffer nor COOP/COEP
  wasmBytes: null,
};

export const SIMD_REQUIRED =
  'webcnn needs WebAssembly SIMD (128-bit), which this JavaScript engine lacks or has disabled ' +
  '(Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+ have it)';

// ---------------------------------------------------------------------------------------------------
// The wasm module

const distUrl = (file) => new URL(`./dist/${file}`, import.meta.url);
const BUILD_HINT = 'web/dist/ holds no wasm build: run scripts/build-wasm.sh';

export async function instantiateModule() {
  if (!features.simd) throw new Error(SIMD_REQUIRED);
  let factory, wasmBinary;
  if (isNode) {
    // Emscripten's plain -sMODULARIZE loader is CommonJS; it would fetch() the .wasm path under Node 20,
    // so we read the bytes and hand them over.
    const { createRequire } = await import('node:module');
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    try {
      factory = createRequire(import.meta.url)(fileURLToPath(distUrl('webcnn_wasm.js')));
      wasmBinary = await readFile(distUrl('webcnn_wasm.wasm'));
    } catch (e) {
      throw new Error(`${BUILD_HINT} (${e.message})`);
    }
  } else {
    try {
      factory = (await import(distUrl('webcnn_wasm.mjs').href)).default;
    } catch (e) {
      throw new Error(`${BUILD_HINT} (${e.message})`);
    }
    const response = await fetch(distUrl('webcnn_wasm.wasm'));
    if (!response.ok) throw new Error(`${BUILD_HINT} (webcnn_wasm.wasm: HTTP ${response.status})`);
    wasmBinary = new Uint8Array(await response.arrayBuffer());
  }
  const module = await factory({ wasmBinary });
  return { module, wasmBytes: wasmBinary.byteLength };
}

