// webcnn's wasm module through web/webcnn.js in the same Chromium page as LiteRT.js ({worker: false}: the
// page's main thread, like LiteRT.js there; the page is not cross-origin isolated, so webcnn.js takes its
// single-threaded build). Each run is timed on the page's clock (timeOnce), as litert.mjs does. Only on
// models that have a .tflite, the ones LiteRT.js runs: same browser, same V8, ratios without a Node/Chromium
// difference in them. Reads the .tflite when webcnn can (TFLite importer), else the model's ONNX file.
import { chromiumPage, stopChromium } from './chromium.mjs';
import { repoRoot } from '../models.mjs';

export const id = 'webcnn-chromium';
export const label = 'webcnn wasm (web/webcnn.js, SIMD128, 1 thread, same Chromium page)';
export const counterpart = 'webcnn-chromium';

export function supports(model) {
  return !!model.tflite;
}

const urlOf = (path) => {
  if (!path.startsWith(repoRoot)) throw new Error(`${path} is outside the repository the page serves`);
  return `/${path.slice(repoRoot.length)}`;
};

export async function open(model, input) {
  const lr = await chromiumPage();
  // A float model with an ONNX twin runs from the ONNX file until webcnn reads .tflite.
  const candidates = [model.tflite, model.onnx].filter(Boolean);
  const inputs = { nhwc: lr.serve(input.nhwc.data), nchw: input.nchw ? lr.serve(input.nchw.data) : null };
  let info;
  try {
    info = await lr.page.evaluate(async ({ urls, inputs, shapes }) => {
      const webcnn = await import('/web/webcnn.js');
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
        return { id, url, threaded: !!(threads && threads.enabled), errors };
      }
      throw new Error(errors.join('; '));
    }, { urls: candidates.map(urlOf), inputs, shapes: { nhwc: input.nhwc.shape, nchw: input.nchw?.shape } });
  } finally {
    for (const p of Object.values(inputs)) if (p) lr.unserve(p);
  }
  if (info.threaded) throw new Error('webcnn loaded its threaded build in the page');
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

export const stop = stopChromium;
