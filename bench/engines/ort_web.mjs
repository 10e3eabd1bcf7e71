// onnxruntime-web's WASM execution provider in Node: one thread, SIMD build, wasm files from node_modules.
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-web';

import { smallCnn } from '../../tests/node/support/wasm_onnx.mjs';

export const id = 'ort-web';
export const label = `onnxruntime-web ${ort.env.versions?.web ?? ''} (WASM EP, 1 thread)`.replace('  ', ' ');

ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmPaths = fileURLToPath(new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url));

/**
 * Starts the WASM EP: it is instantiated with the first session, so one is made of a two-layer CNN, run
 * and released (bench/memory.mjs measures a model's cost apart from the engine's start).
 */
export async function start() {
  const session = await ort.InferenceSession.create(smallCnn(), { executionProviders: ['wasm'] });
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
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const x = new ort.Tensor('float32', input.nchw.data, input.nchw.shape);
  const feed = { [session.inputNames[0]]: x };
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
