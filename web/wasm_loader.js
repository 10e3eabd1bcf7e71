// Finds and instantiates the wasm module for this environment: which build, where its files are
// (web/dist/, built by scripts/build-wasm.sh), and how to load them in Node (CommonJS loader + bytes read
// from disk) versus a page or worker (ES loader + fetch). web/webcnn.js imports it; `features` says what
// was chosen and why.
//
// Two builds, both SIMD128:
//   webcnn_wasm     single-threaded; needs nothing special.
//   webcnn_wasm_mt  pthreads on a SharedArrayBuffer memory: convolutions and matrix products split over
//                   several cores. Browsers give SharedArrayBuffer only to cross-origin isolated pages
//                   (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy:
//                   require-corp, as web/server.mjs does); Node always has it.
// The threaded build is chosen when SharedArrayBuffer exists and there is more than one core; otherwise
// the single-threaded one, with the reason in features.threads.reason. Both give bit-identical results.
// In Node, WEBCNN_THREADS=<n> in the environment sets the count (1 = the single-threaded build).
//
// Each build also comes as <name>_relaxed: the same engine whose GEMM and depthwise convolutions multiply-add
// with relaxed SIMD's f32x4.relaxed_madd (fused where the CPU has FMA: faster, and different in the last
// bits). A module holding a relaxed opcode does not even compile on an engine without relaxed SIMD, so it
// is chosen only where WebAssembly.validate accepts a tiny module using that opcode (Chrome/Edge 114+;
// Node 20 only with --experimental-wasm-relaxed-simd), and the SIMD128 build is the fallback, also when
// the relaxed one fails to load. features.relaxedSimd says which runs. configure({relaxedSimd: false}),
// or WEBCNN_RELAXED_SIMD=0 in Node's environment, keeps the SIMD128 build (for tests and comparisons,
// or to step around a bug).
//
// Bundlers: every file of dist/ a page may need is named once, literally, as new URL('./dist/...',
// import.meta.url) in distUrl() below: Vite and webpack 5 see that pattern, copy the file into their
// output and rewrite the URL. Bundlers that leave it alone (esbuild, plain Rollup), and pages that
// host the files elsewhere, set webcnn.configure({assetBase}) (setAssetBase below). No top-level await
// and no static node: import here, so the module bundles for browsers as it is.

import { isNode, nodeBuiltin } from './webcnn/environment.js';

// The smallest module using a SIMD128 instruction: (func (result v128) i32.const 0 i32x4.splat).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11,
]);

// The smallest module using a relaxed SIMD instruction: (func (result v128) three (i32x4.splat (i32.const 0))
// then f32x4.relaxed_madd).
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 19, 1, 17, 0,
  65, 0, 253, 17, 65, 0, 253, 17, 65, 0, 253, 17, 253, 133, 2, 11,
]);

// More threads than this rarely pay off for one inference (the layers get too small to split), and each
// one is a worker with its own stack.
const MAX_DEFAULT_THREADS = 4;

function coreCount() {
  // process.getBuiltinModule (Node 20.16+) is synchronous: features.threads is known on import.
  const os = isNode && process.getBuiltinModule ? process.getBuiltinModule('node:os') : null;
  if (os) return os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  return (globalThis.navigator && navigator.hardwareConcurrency) || 1;
}
const cores = coreCount();

// {enabled, count, reason}: whether the threaded build will be used, with how many threads, and why not.
function chooseThreads() {
  const single = (reason) => ({ enabled: false, count: 1, reason });
  if (typeof SharedArrayBuffer === 'undefined' || (!isNode && globalThis.crossOriginIsolated !== true)) {
    return single(!isNode && globalThis.crossOriginIsolated !== true
      ? 'page is not cross-origin isolated (COOP/COEP headers missing), so there is no SharedArrayBuffer'
      : 'this JavaScript engine has no SharedArrayBuffer');
  }
  const requested = isNode && process.env.WEBCNN_THREADS ? Number.parseInt(process.env.WEBCNN_THREADS, 10) : NaN;
  if (Number.isInteger(requested) && requested >= 1) {
    return requested === 1 ? single('WEBCNN_THREADS=1 in the environment') : { enabled: true, count: requested, reason: 'WEBCNN_THREADS' };
  }
  if (cores <= 1) return single('only one CPU core is available');
  const count = Math.min(cores, MAX_DEFAULT_THREADS);
  return { enabled: true, count, reason: `${isNode ? 'Node' : 'cross-origin isolated page'}, ${cores} cores` };
}

const simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
const relaxedSimdAvailable = simd && WebAssembly.validate(RELAXED_SIMD_PROBE);
let relaxedSimdAllowed = !(isNode && process.env.WEBCNN_RELAXED_SIMD === '0'); // configure({relaxedSimd})

/**
 * What this environment and build offer. wasmBytes is filled once the module has been loaded; threads and
 * relaxedSimd say which build is (or will be) loaded.
 */
export const features = {
  simd,
  threads: chooseThreads(),
  relaxedSimd: relaxedSimdAvailable && relaxedSimdAllowed,
  wasmBytes: null,
};

/** webcnn.configure({relaxedSimd}): false keeps the SIMD128 build; true (the default) uses relaxed SIMD where there is. */
export function setRelaxedSimd(allowed) {
  if (typeof allowed !== 'boolean') throw new TypeError('webcnn.configure: relaxedSimd must be true or false');
  relaxedSimdAllowed = allowed;
  features.relaxedSimd = relaxedSimdAvailable && relaxedSimdAllowed;
}

/** What configure() reports for relaxedSimd: whether relaxed SIMD may be used. */
export const relaxedSimdSetting = () => relaxedSimdAllowed;

/** The settings a page's inference worker needs to choose the same way (worker.js applies them). */
export const workerLoaderSettings = () => ({ relaxedSimd: relaxedSimdAllowed });
export function applyWorkerLoaderSettings({ relaxedSimd } = {}) {
  if (typeof relaxedSimd === 'boolean') setRelaxedSimd(relaxedSimd);
}

export const SIMD_REQUIRED =
  'webcnn needs WebAssembly SIMD (128-bit), which this JavaScript engine lacks or has disabled ' +
  '(Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+ have it)';

// ---------------------------------------------------------------------------------------------------
// The wasm module

let assetBase = null; // URL of a directory holding worker.js, webcnn/ and dist/ as the package has them

/**
 * webcnn.configure({assetBase}): where pages find webcnn's own files instead of next to this module.
 * A string is resolved against the page's base URL; a missing trailing '/' is added. null restores
 * the default. Node always reads the package's own files.
 */
export function setAssetBase(base) {
  if (base === null || base === undefined) {
    assetBase = null;
    return null;
  }
  if (typeof base !== 'string' && !(base instanceof URL)) {
    throw new TypeError('webcnn.configure: assetBase must be a URL or a string (the directory holding worker.js and dist/)');
  }
  if (isNode) {
    // Kept as given and not used: code shared with pages (e.g. server rendering) may configure it.
    assetBase = String(base);
    return assetBase;
  }
  const pageBase = globalThis.document?.baseURI ?? globalThis.location?.href;
  const url = new URL(String(base), pageBase);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  assetBase = url;
  return url;
}

/** What configure() reports: the asset directory as a string, or null. */
export const assetBaseSetting = () => (assetBase === null ? null : String(assetBase));

/** The configured asset directory (a URL) in a page or worker, else null. */
export const configuredAssetBase = () => (isNode ? null : assetBase);

// The URL of a dist/ file: one literal new URL(...) per file, so that bundlers find each of them.
function distUrl(file) {
  const base = configuredAssetBase();
  if (base) return new URL(`dist/${file}`, base);
  switch (file) {
    case 'webcnn_wasm.wasm': return new URL('./dist/webcnn_wasm.wasm', import.meta.url);
    case 'webcnn_wasm.mjs': return new URL('./dist/webcnn_wasm.mjs', import.meta.url);
    case 'webcnn_wasm_mt.wasm': return new URL('./dist/webcnn_wasm_mt.wasm', import.meta.url);
    case 'webcnn_wasm_mt.mjs': return new URL('./dist/webcnn_wasm_mt.mjs', import.meta.url);
    case 'webcnn_wasm_mt.js': return new URL('./dist/webcnn_wasm_mt.js', import.meta.url);
    case 'webcnn_wasm_mt.worker.js': return new URL('./dist/webcnn_wasm_mt.worker.js', import.meta.url);
    case 'webcnn_wasm_relaxed.wasm': return new URL('./dist/webcnn_wasm_relaxed.wasm', import.meta.url);
    case 'webcnn_wasm_relaxed.mjs': return new URL('./dist/webcnn_wasm_relaxed.mjs', import.meta.url);
    case 'webcnn_wasm_mt_relaxed.wasm': return new URL('./dist/webcnn_wasm_mt_relaxed.wasm', import.meta.url);
    case 'webcnn_wasm_mt_relaxed.mjs': return new URL('./dist/webcnn_wasm_mt_relaxed.mjs', import.meta.url);
    case 'webcnn_wasm_mt_relaxed.js': return new URL('./dist/webcnn_wasm_mt_relaxed.js', import.meta.url);
    default: throw new Error(`webcnn: no such file in dist/: ${file}`);
  }
}
const BUILD_HINT = 'web/dist/ holds no wasm build: run scripts/build-wasm.sh';

// The loader factory and .wasm bytes of one build ('webcnn_wasm', 'webcnn_wasm_mt', or either + '_relaxed').
async function fetchBuild(name) {
  if (isNode) {
    // Emscripten's plain -sMODULARIZE loader is CommonJS; it would fetch() the .wasm path under Node 20,
    // so we read the bytes and hand them over.
    // The CommonJS loader sits beside the ES one (.js for .mjs); it is not named literally above so that
    // bundlers do not copy a file only Node uses.
    const { createRequire } = await nodeBuiltin('module');
    const { readFile } = await nodeBuiltin('fs/promises');
    const { fileURLToPath } = await nodeBuiltin('url');
    const wasmBinary = await readFile(distUrl(`${name}.wasm`));
    const loaderPath = fileURLToPath(distUrl(`${name}.mjs`)).replace(/\.mjs$/, '.js');
    return { factory: createRequire(import.meta.url)(loaderPath), wasmBinary };
  }
  const factory = (await import(/* webpackIgnore: true */ /* @vite-ignore */ distUrl(`${name}.mjs`).href)).default;
  const response = await fetch(distUrl(`${name}.wasm`));
  if (!response.ok) throw new Error(`${name}.wasm: HTTP ${response.status}`);
  return { factory, wasmBinary: new Uint8Array(await response.arrayBuffer()) };
}

// A script a worker is started from or importScripts(): a blob: URL of this origin when the file is not
// of it. Browsers start workers only from their own origin; a bundler may inline a small file as a
// data: URL (Vite does below 4 KiB), and a worker started from one has an opaque origin that may not
// importScripts() the loader under COEP; an assetBase elsewhere (a CDN) is fetched with CORS.
// Made once per file: engines started again (restarts, releaseMemory) reuse them.
const blobUrls = new Map(); // url → Promise<blob: URL>
function sameOriginUrl(url) {
  if (url.protocol !== 'data:' && url.origin === self.location.origin) return url.href;
  if (!blobUrls.has(url.href)) {
    const made = fetch(url).then(async (response) => {
      if (!response.ok) throw new Error(`${url.href}: HTTP ${response.status}`);
      return URL.createObjectURL(new Blob([await response.blob()], { type: 'text/javascript' }));
    });
    made.catch(() => blobUrls.delete(url.href)); // a failure is tried again next time
    blobUrls.set(url.href, made);
  }
  return blobUrls.get(url.href);
}

async function instantiateThreaded(count, name) {
  const { factory, wasmBinary } = await fetchBuild(name);
  const settings = { wasmBinary, webcnnWorkers: count - 1 };
  if (!isNode) {
    // The pthread workers (dist/webcnn_wasm_mt.worker.js, the same script for both threaded builds)
    // importScripts() the loader: they need the classic-script form (.js, not our ES .mjs) and its
    // absolute URL, which an ES module cannot tell Emscripten; and every dist file is found next to the
    // loader, not next to the page.
    settings.mainScriptUrlOrBlob = await sameOriginUrl(distUrl(`${name}.js`));
    const pthreadWorker = await sameOriginUrl(distUrl('webcnn_wasm_mt.worker.js'));
    settings.locateFile = (file) => (file.endsWith('.worker.js') ? pthreadWorker : distUrl(file).href);
  } else {
    // Node starts the pthreads from the file beside the loader unless told: the one both builds share.
    const { fileURLToPath } = await nodeBuiltin('url');
    const pthreadWorker = fileURLToPath(distUrl('webcnn_wasm_mt.worker.js'));
    settings.locateFile = (file, prefix) => (file.endsWith('.worker.js') ? pthreadWorker : prefix + file);
  }
  const module = await factory(settings);
  const threads = module.setThreads(count);
  return { module, wasmBytes: wasmBinary.byteLength, threads };
}

async function instantiateSingle(name) {
  let build;
  try {
    build = await fetchBuild(name);
  } catch (e) {
    throw new Error(`${BUILD_HINT} (${e.message})`, { cause: e });
  }
  const module = await build.factory({ wasmBinary: build.wasmBinary });
  return { module, wasmBytes: build.wasmBinary.byteLength };
}

// The build of that kind, its relaxed-SIMD form first when features.relaxedSimd; a relaxed build that
// fails to load leaves the SIMD128 one (features.relaxedSimd then false).
async function instantiateKind(threaded) {
  const name = threaded ? 'webcnn_wasm_mt' : 'webcnn_wasm';
  const instantiate = threaded ? (n) => instantiateThreaded(features.threads.count, n) : instantiateSingle;
  if (features.relaxedSimd) {
    try {
      return await instantiate(`${name}_relaxed`);
    } catch {
      features.relaxedSimd = false;
    }
  }
  return instantiate(name);
}

export async function instantiateModule() {
  if (!features.simd) throw new Error(SIMD_REQUIRED);
  if (features.threads.enabled) {
    try {
      const { module, wasmBytes, threads } = await instantiateKind(true);
      features.threads.count = threads;
      return { module, wasmBytes };
    } catch (e) {
      features.threads = { enabled: false, count: 1, reason: `the multi-threaded build failed to load (${e.message})` };
    }
  }
  return instantiateKind(false);
}
