// Checks, before any timing, that the engines compute the same function:
//  - a generated network's TF.js graph-model (models/make_tfjs_graph_model.py) run by TF.js's CPU backend
//    agrees with onnxruntime-node on the ONNX file it was made from: max|a−b| ≤ 1e-3·max|b|;
//  - every timed engine's outputs agree with a reference engine's on the bench input (run.mjs):
//    max|a−b| ≤ 1e-3·max(1, max|b|); 8-bit outputs (quantized .tflite): within 1 unit on ≥ 99 %.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import ort from 'onnxruntime-node';

import { compare } from './stats.mjs';
import { fileHandler } from '../tests/node/support/tfjs_files.mjs';

/** {ok, text} for TF.js CPU on model.tfjs vs onnxruntime-node on model.onnx (first output). */
export async function verifyGraphModelTwin(model, input) {
  const previous = tf.getBackend();
  await tf.setBackend('cpu');
  const m = await loadGraphModel(fileHandler(model.tfjs));
  const x = tf.tensor(input.nhwc.data, input.nhwc.shape, 'float32');
  const y = m.execute({ [m.inputs[0].name]: x }, m.outputs[0].name);
  const got = y.dataSync();
  tf.dispose([x, y]);
  m.dispose();
  if (previous && previous !== 'cpu') await tf.setBackend(previous);

  const session = await ort.InferenceSession.create(model.onnx, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input.nchw.data, input.nchw.shape) });
  const want = out[session.outputNames[0]].data;
  await session.release();
  const { maxAbs, maxRef } = compare(got, want);
  const ok = maxAbs <= 1e-3 * maxRef;
  return { ok, text: `TF.js CPU (graph-model) vs onnxruntime-node (ONNX): max|a-b| ${maxAbs.toExponential(2)} on max|b| ${maxRef.toFixed(3)} (${ok ? 'ok' : 'OVER 1e-3 relative'})` };
}

/** Compares two engines' output maps: by name where names match, else in order. */
export function compareOutputs(got, want) {
  const pairs = [];
  const shared = [...want.keys()].filter((k) => got.has(k));
  if (shared.length) for (const k of shared) pairs.push([k, got.get(k), want.get(k)]);
  else {
    const g = [...got.values()];
    [...want.entries()].forEach(([k, w], i) => g[i] && pairs.push([k, g[i], w]));
  }
  let worst = { ratio: 0, text: 'no outputs to compare' };
  for (const [name, a, b] of pairs) {
    if (b instanceof Uint8Array || b instanceof Int8Array) {
      const bad = Array.from(b).filter((v, i) => Math.abs(Number(a[i]) - v) > 1).length;
      const ratio = bad / Math.max(1, Math.floor(0.01 * b.length)); // ok while bad ≤ 1 % of the elements
      if (ratio >= worst.ratio) worst = { ratio, text: `${name}: ${bad}/${b.length} 8-bit values differ by more than 1 unit (tolerance 1 %)` };
      continue;
    }
    const { maxAbs, maxRef } = compare(Array.from(a, Number), Array.from(b, Number));
    const tol = 1e-3 * Math.max(1, maxRef);
    const ratio = maxAbs / tol;
    if (ratio >= worst.ratio) worst = { ratio, text: `${name}: max|a-b| ${maxAbs.toExponential(2)} (tolerance ${tol.toExponential(1)})` };
  }
  return { ok: worst.ratio <= 1 && pairs.length > 0, text: worst.text };
}
