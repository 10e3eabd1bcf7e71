// onnxruntime-node (native CPU EP) with one intra-op and one inter-op thread: the native peer of
// `webcnn bench`.
import ort from 'onnxruntime-node';

import { smallCnn } from '../../tests/node/support/wasm_onnx.mjs';

export const id = 'ort-node';
export const label = 'onnxruntime-node (CPU EP, 1 thread)';
export const native = true;

/** Starts the runtime on a two-layer CNN (as ort_web.mjs does), so a model's load excludes its start. */
export async function start() {
  const session = await ort.InferenceSession.create(smallCnn(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const image = new ort.Tensor('float32', new Float32Array(3 * 16 * 16), [1, 3, 16, 16]);
  for (let i = 0; i < 5; ++i) await session.run({ image });
  await session.release();
}

export function supports(model) {
  return !!model.onnx;
}

export async function open(model, input) {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model.onnx, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const feed = { [session.inputNames[0]]: new ort.Tensor('float32', input.nchw.data, input.nchw.shape) };
  const run = () => session.run(feed);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  await run();
  const firstRunMs = performance.now() - t1;
  return {
    loadMs,
    firstRunMs,
    runOnce: run,
    async outputs() {
      const out = await run();
      return new Map(session.outputNames.map((name) => [name, out[name].data]));
    },
    close: () => session.release(),
  };
}
