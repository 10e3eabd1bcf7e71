// onnxruntime-web's WASM execution provider in Node: one thread, SIMD build, wasm files from node_modules.
import { fileURLToPath } from 'node:url';

import * as ort from 'onnxruntime-web';

export const id = 'ort-web';
export const label = `onnxruntime-web ${ort.env.versions?.web ?? ''} (WASM EP, 1 thread)`.replace('  ', ' ');

ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
ort.env.wasm.proxy = false;
ort.env.wasm.wasmPaths = fileURLToPath(new URL('../../node_modules/onnxruntime-web/dist/', import.meta.url));

export function supports(model) {
  return !!model.onnx;
}

export async function open(model, input) {
  const session = await ort.InferenceSession.create(model.onnx, {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const x = new ort.Tensor('float32', input.nchw.data, input.nchw.shape);
  const feed = { [session.inputNames[0]]: x };
  const run = () => session.run(feed);
  return {
    runOnce: run,
    async outputs() {
      const out = await run();
      return new Map(session.outputNames.map((name) => [name, out[name].data]));
    },
    close: () => session.release(),
  };
}
