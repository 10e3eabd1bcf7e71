// webcnn's wasm module through web/webcnn.js in the same Chromium page as LiteRT.js ({worker: false}: the
// page's main thread, like LiteRT.js there; the page is not cross-origin isolated, so webcnn.js takes its
// single-threaded build). Each run is timed on the page's clock (timeOnce), as litert.mjs does. Only on
// models that have a .tflite, the ones LiteRT.js runs: same browser, same V8, ratios without a Node/Chromium
// difference in them. Reads the .tflite when webcnn can (TFLite importer), else the model's ONNX file.
// Two engines: `webcnn-chromium`, the build webcnn.js picks there (relaxed SIMD: Chromium has it), and
// `webcnn-chromium-simd128`, the SIMD128 build (configure({relaxedSimd: false})) in the LiteRT.js "simd"
// page (a page of its own, as a page's webcnn.js loads one build); its ratio is relaxed / SIMD128.
import { chromiumPage, stopChromium } from './chromium.mjs';
import { repoRoot } from '../models.mjs';

/** The engine module for one webcnn build: 'relaxed' (what webcnn.js picks in Chromium) or 'simd128'. */
export function webcnnChromiumEngine(build) {
  return {
    id: build === 'relaxed' ? 'webcnn-chromium' : 'webcnn-chromium-simd128',
    label: `webcnn wasm (web/webcnn.js, ${build === 'relaxed' ? 'relaxed SIMD' : 'SIMD128'}, 1 thread, Chromium)`,
    counterpart: 'webcnn-chromium',
    supports: (model) => !!model.tflite,
    open: (model, input) => open(model, input, build),
    stop: stopChromium,
  };
}

const urlOf = (path) => {
  if (!path.startsWith(repoRoot)) throw new Error(`${path} is outside the repository the page serves`);
  return `/${path.slice(repoRoot.length)}`;
};

async function open(model, input, build) {
  const lr = await chromiumPage(build === 'relaxed' ? 'relaxed-simd' : 'simd');
  // A float model with an ONNX twin runs from the ONNX file until webcnn reads .tflite.
  const candidates = [model.tflite, model.onnx].filter(Boolean);
  const inputs = { nhwc: lr.serve(input.nhwc.data), nchw: input.nchw ? lr.serve(input.nchw.data) : null };
  let info;
  try {
    info = await lr.page.evaluate(async ({ urls, inputs, shapes, relaxed }) => {
      const webcnn = await import('/web/webcnn.js');
      if (!relaxed) webcnn.configure({ relaxedSimd: false }); // before the page's first load
      const errors = [];
      for (const url of urls) {
        let m;
        try {
          m = await webcnn.load(url, { worker: false });
        } catch (e) {
          errors.push(`${url}: ${e.message}`);
          continue;
        }
        const layout = url.endsWith('.onnx') ? 'nchw' : 'nhwc';
        const bytes = await (await fetch(inputs[layout])).arrayBuffer();
        const spec = m.inputs[0];
        const data = spec.dtype === 'uint8' ? new Uint8Array(bytes) : spec.dtype === 'int8' ? new Int8Array(bytes) : new Float32Array(bytes);
        const feed = { [spec.name]: { data, shape: shapes[layout] } };
        await m.run(feed);
        window.webcnnBench ??= { next: 1, models: new Map() };
        const id = window.webcnnBench.next++;
        window.webcnnBench.models.set(id, { m, feed });
        const threads = webcnn.features.threads;
        return { id, url, threaded: !!(threads && threads.enabled), relaxedSimd: webcnn.features.relaxedSimd, errors };
      }
      throw new Error(errors.join('; '));
    }, { urls: candidates.map(urlOf), inputs, shapes: { nhwc: input.nhwc.shape, nchw: input.nchw?.shape }, relaxed: build === 'relaxed' });
  } finally {
    for (const p of Object.values(inputs)) if (p) lr.unserve(p);
  }
  if (info.threaded) throw new Error('webcnn loaded its threaded build in the page');
  if (info.relaxedSimd !== (build === 'relaxed')) throw new Error(`webcnn loaded the ${info.relaxedSimd ? 'relaxed' : 'SIMD128'} build, not ${build}`);
  if (info.errors.length) console.log(`webcnn-chromium: ${info.errors.join('; ')}; runs ${info.url}`);
  const timeOnce = () => lr.page.evaluate(async (id) => {
    const { m, feed } = window.webcnnBench.models.get(id);
    const t0 = performance.now();
    await m.run(feed);
    return performance.now() - t0;
  }, info.id);
  return {
    file: info.url,
    timeOnce,
    runOnce: timeOnce,
    async outputs() {
      const out = await lr.page.evaluate(async (id) => {
        const { m, feed } = window.webcnnBench.models.get(id);
        const y = await m.run(feed);
        return Object.fromEntries(Object.entries(y).filter(([, t]) => t && t.data).map(([k, t]) => [k, Array.from(t.data, Number)]));
      }, info.id);
      return new Map(Object.entries(out));
    },
    close: () => lr.page.evaluate(async (id) => {
      await window.webcnnBench.models.get(id).m.dispose();
      window.webcnnBench.models.delete(id);
    }, info.id),
  };
}

