// webcnn's wasm module through its public API, web/webcnn.js, in this thread ({worker: false}): the path a
// page's worker takes, minus postMessage. The single-threaded build: run.mjs sets WEBCNN_THREADS=1 before
// this module is imported (web/wasm_loader.js reads it once). Generated networks run from their ONNX file,
// human-models from model.json (a web/dist build whose bindings lack TF.js loading reports an error here),
// quantized models from their .tflite (reported unavailable by a build without the TFLite importer).
// Env: WEBCNN_WEB=/path/to/web: another build's web/ directory (an older dist to compare with).
import { smallCnn } from '../../tests/node/support/wasm_onnx.mjs';

const webcnn = await import(process.env.WEBCNN_WEB ? `${process.env.WEBCNN_WEB}/webcnn.js` : '../../web/webcnn.js');

export const id = 'webcnn';
export const label = 'webcnn wasm (web/webcnn.js, SIMD128)';

/**
 * Starts the engine as ort_web.mjs's start() does: a two-layer CNN loaded, run (V8 compiles wasm functions
 * when first called) and disposed. bench/memory.mjs measures a model's cost apart from the engine's start.
 */
export async function start() {
  const m = await webcnn.load(smallCnn(), { worker: false });
  for (let i = 0; i < 5; ++i) await m.run({ image: { data: new Float32Array(3 * 16 * 16), shape: [1, 3, 16, 16] } });
  await m.dispose();
}

export function supports(model) {
  return !!(model.onnx || model.tfjs || model.tflite);
}

export async function open(model, input) {
  const before = (await webcnn.memory({ worker: false })).usedBytes;
  const t0 = performance.now();
  const m = await webcnn.load(model.onnx ?? model.tfjs ?? model.tflite, { worker: false });
  const loadMs = performance.now() - t0;
  const threads = webcnn.features.threads;
  if (threads && threads.enabled) throw new Error(`webcnn loaded its threaded build (${threads.count} threads)`);
  const x = model.onnx ? input.nchw : input.nhwc;
  const feed = { [m.inputs[0].name]: { data: x.data, shape: x.shape } };
  const run = () => m.run(feed);
  const t1 = performance.now();
  await run();
  const firstRunMs = performance.now() - t1;
  // What the model holds in the wasm heap once loaded and run: weights (packed), plan, arena.
  const heapBytes = (await webcnn.memory({ worker: false })).usedBytes - before;
  return {
    loadMs,
    firstRunMs,
    heapBytes,
    wasmMemoryBytes: async () => (await webcnn.memory({ worker: false })).heapBytes,
    runOnce: run,
    async outputs() {
      const out = await run();
      return new Map(Object.entries(out).filter(([, t]) => t && t.data).map(([name, t]) => [name, t.data]));
    },
    close: () => m.dispose(),
  };
}
