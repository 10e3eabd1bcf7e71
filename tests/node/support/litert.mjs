// LiteRT.js (@litertjs/core, Google's TFLite runtime for the web) as an oracle and a benchmark peer: headless
// Chromium (playwright-core, the browser tests' flags) on a page of a 127.0.0.1-only server that serves the
// package's wasm files from node_modules, runs a .tflite on LiteRT.js's wasm CPU backend (XNNPACK, one
// thread) and hands the outputs back as typed arrays in the model's own dtypes (support/litert_page.js).
//
//   const lr = await startLiteRt();                   // {build: 'relaxed-simd' (default) | 'simd' | 'auto'}
//   const m = await lr.open('models/tflite/x.tflite');  // or the bytes; m.inputs/m.outputs: name, dtype, shape
//   const [y] = await m.run([{ data: Uint8Array, shape }]);   // y: {name, dtype, shape, data}
//   const ms = await m.time({ warmup: 100, runs: 40 });       // per-run times, taken on the page's clock
//   await m.dispose(); await lr.close();
//
// Builds: LiteRT.js 2.5.3 ships litert_wasm_internal (SIMD128 + relaxed SIMD: relaxed_dot_i8x16_i7x16_add,
// relaxed_madd), litert_wasm_compat_internal (SIMD128 only, what loadLiteRt picks when the browser lacks
// relaxed SIMD), and threaded / JSPI variants of the relaxed one, unused here. Threads: the non-threaded
// builds run one thread whatever cpuOptions.numThreads says; we pass numThreads: 1 and check
// getThreadCount() === 1.
//
// In Node: `import '@litertjs/core'` works, but loadLiteRt() injects a <script> (or calls importScripts in a
// worker) and throws "document is not defined". With globalThis.self, importScripts (vm.runInThisContext
// of the Emscripten glue), require and __dirname shimmed, the wasm starts and runs the models in Node 20
// (WebGPU device creation fails and is skipped), but Node 20's V8 has relaxed SIMD only behind
// --experimental-wasm-relaxed-simd, so by default it loads the "compat" build. The oracle and the bench use
// Chromium: the browser LiteRT.js is made for, unshimmed, and the one the numbers come from.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import { launchChromium, noChromium, root, serveRepository } from './browser.mjs';

const corePackage = join(root, 'node_modules', '@litertjs', 'core', 'package.json');
export const litertVersion = existsSync(corePackage) ? JSON.parse(readFileSync(corePackage, 'utf8')).version : null;
/** A node:test `skip` reason when LiteRT.js cannot run here, else false. */
export const noLiteRt = noChromium || (!litertVersion && 'no @litertjs/core in node_modules (npm ci)');

const BUILDS = { 'relaxed-simd': 'litert_wasm_internal.js', simd: 'litert_wasm_compat_internal.js', auto: '' };

// The page imports @litertjs/core from node_modules; its one bare import goes through an import map.
const PAGE = `<!doctype html><title>LiteRT.js</title>
<script type="importmap">{"imports": {"@litertjs/wasm-utils": "/node_modules/@litertjs/wasm-utils/dist/index.js"}}</script>`;

const TYPED = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array, int64: BigInt64Array,
  int16: Int16Array, uint16: Uint16Array, float16: Uint16Array, bool: Uint8Array, float64: Float64Array, uint32: Uint32Array };

function typedView(dtype, bytes) {
  const T = TYPED[dtype];
  if (!T) throw new Error(`LiteRT.js output of dtype ${dtype}: no typed array for it`);
  const copy = new Uint8Array(bytes); // aligned
  return new T(copy.buffer, 0, copy.byteLength / T.BYTES_PER_ELEMENT);
}

const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Starts Chromium with a page that has loaded LiteRT.js. `build` picks the wasm file: 'relaxed-simd'
 * (LiteRT.js's default in a browser with relaxed SIMD), 'simd' (the compat build: plain SIMD128) or 'auto'
 * (LiteRT.js decides). Resolves to {browser, page, script (the wasm .js file loaded), threads, open, close}.
 */
export async function startLiteRt({ build = 'relaxed-simd', chromiumFlags = [] } = {}) {
  if (!(build in BUILDS)) throw new Error(`unknown LiteRT.js build '${build}' (${Object.keys(BUILDS).join(', ')})`);
  const files = { '/litert.html': PAGE };
  const { server, origin } = await serveRepository({ files });
  let browser = null;
  try {
    browser = await launchChromium(chromiumFlags);
    const page = await browser.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(m.text()));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/litert.html`);
    await page.evaluate(() => { document.body ??= document.createElement('body'); });
    const loaded = await page.evaluate(async (file) => {
      window.litert = await import('/tests/node/support/litert_page.js');
      return window.litert.start(file);
    }, BUILDS[build]);
    if (loaded.threads !== 1) throw new Error(`LiteRT.js ${loaded.script} runs ${loaded.threads} threads, not 1`);
    let blobs = 0;
    const serve = (bytes) => {
      const path = `/litert-io/${++blobs}.bin`;
      files[path] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return path;
    };

    async function open(model) {
      const bytes = typeof model === 'string' ? readFileSync(isAbsolute(model) ? model : join(root, model)) : model;
      const modelPath = serve(bytes);
      let info;
      try {
        info = await page.evaluate(([url]) => window.litert.open(url, 1), [modelPath]);
      } finally {
        delete files[modelPath];
      }
      const { id, inputs, outputs } = info;
      let current = null; // the input tensors the page holds
      const setInputs = async (tensors) => {
        if (tensors === current) return;
        if (tensors.length !== inputs.length) throw new Error(`${tensors.length} inputs given, the model takes ${inputs.length}`);
        const paths = tensors.map((t, i) => {
          const spec = inputs[i];
          if (t.shape && !sameShape(t.shape, spec.shape)) throw new Error(`input ${spec.name}: shape [${t.shape}], the model takes [${spec.shape}]`);
          if (t.data.constructor !== TYPED[spec.dtype]) throw new Error(`input ${spec.name}: ${t.data.constructor.name}, the model takes ${spec.dtype}`);
          return serve(t.data);
        });
        try {
          await page.evaluate(([i, urls]) => window.litert.setInputs(i, urls), [id, paths]);
        } finally {
          for (const p of paths) delete files[p];
        }
        current = tensors;
      };
      return {
        inputs,
        outputs,
        fullyAccelerated: info.fullyAccelerated,
        /** Runs on `tensors` ([{data, shape}] in input order; data a typed array of the input's dtype). */
        async run(tensors) {
          await setInputs(tensors);
          const raw = await page.evaluate((i) => window.litert.run(i), id);
          return raw.map((b64, i) => ({ ...outputs[i], data: typedView(outputs[i].dtype, Buffer.from(b64, 'base64')) }));
        },
        /** Sets the inputs (if given), then `warmup` untimed runs and `runs` timed ones, timed in the page. */
        async time({ warmup = 100, runs = 40, inputs: tensors = current } = {}) {
          if (!tensors) throw new Error('time(): no inputs yet');
          await setInputs(tensors);
          return page.evaluate(([i, w, r]) => window.litert.time(i, w, r), [id, warmup, runs]);
        },
        dispose: () => page.evaluate((i) => window.litert.dispose(i), id),
      };
    }

    return {
      browser, page, origin, logs, script: loaded.script, threads: loaded.threads, version: litertVersion, open,
      /** Serves `bytes` from the page's origin until unserve(path); returns the URL path. */
      serve,
      unserve: (path) => delete files[path],
      async close() {
        await browser.close();
        server.close();
      },
    };
  } catch (e) {
    if (browser) await browser.close();
    server.close();
    throw e;
  }
}
