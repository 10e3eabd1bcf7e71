// @tensorflow/tfjs-backend-wasm on a TF.js graph model: one thread (setThreadsCount(1) before the backend
// starts), the SIMD build Node picks, wasm files from node_modules. For our generated networks the graph
// is the fused form tfjs-converter writes (models/make_tfjs_graph_model.py), never a layers-model.
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

import { fileHandler } from '../../tests/node/support/tfjs_files.mjs';

export const id = 'tfjs';
export const label = `TF.js ${tf.version_core} wasm backend (1 thread)`;

let ready = null;
async function wasmBackend() {
  ready ??= (async () => {
    setWasmPaths(fileURLToPath(new URL('../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url)));
    setThreadsCount(1);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm did not start');
    await tf.ready();
    if (getThreadsCount() !== 1) throw new Error(`tfjs-backend-wasm runs ${getThreadsCount()} threads, not 1`);
    if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) throw new Error('tfjs-backend-wasm without SIMD');
  })();
  return ready;
}

/** Starts the wasm backend (bench/memory.mjs measures a model's cost apart from the engine's start). */
export const start = wasmBackend;

export function supports(model) {
  return !!model.tfjs;
}

export async function open(model, input) {
  await wasmBackend();
  const t0 = performance.now();
  const m = await loadGraphModel(fileHandler(model.tfjs));
  const loadMs = performance.now() - t0;
  const x = tf.tensor(input.nhwc.data, input.nhwc.shape, 'float32');
  const feed = { [m.inputs[0].name]: x };
  const names = m.outputs.map((o) => o.name);
  const execute = () => {
    const y = m.execute(feed, names);
    return Array.isArray(y) ? y : [y];
  };
  const run = async () => {
    const ys = execute();
    for (const y of ys) y.dataSync(); // results out of the backend, as the other engines hand them back
    tf.dispose(ys);
  };
  const t1 = performance.now();
  await run();
  const firstRunMs = performance.now() - t1;
  return {
    loadMs,
    firstRunMs,
    runOnce: run,
    wasmMemoryBytes: () => tf.backend().wasm.HEAPU8.byteLength,
    async outputs() {
      const ys = execute();
      const out = new Map(names.map((name, i) => [name.replace(/:0$/, ''), ys[i].dataSync()]));
      tf.dispose(ys);
      return out;
    },
    close() {
      x.dispose();
      m.dispose();
    },
  };
}
