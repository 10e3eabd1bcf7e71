// Whole models on the wasm build against two oracles: the native build of the same engine (`build/webcnn
// run` with WEBCNN_ISA=sse2: the SSE2 kernel table, not the default avx2 one) and ONNX Runtime (onnxruntime-node, an independent implementation).
//
// Tolerances, as max |wasm − oracle| / max |oracle| over each output:
//   native: 1e-5. Same C++, same op order, mul and add kept separate on both (-ffp-contract=off); only
//           libm (exp, tanh, ...) may differ in the last bits.
//   ONNX Runtime: 1e-4. Different algorithms and summation orders, FMA on x86.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';

import { relativeError } from './support/wasm_compare.mjs';
import { mobileNetV2File, scratch, smallCnnFile } from './support/wasm_models.mjs';
import { readNpy, writeNpy } from './support/wasm_npy.mjs';
import { randomFloats } from './support/wasm_onnx.mjs';

const webcnn = await import('../../web/webcnn.js');
// The native CLI of the README's build; WEBCNN_NATIVE_CLI points elsewhere.
const nativeCli = process.env.WEBCNN_NATIVE_CLI ?? fileURLToPath(new URL('../../build/webcnn', import.meta.url));
const NATIVE_RTOL = 1e-5;
const ORT_RTOL = 1e-4;

async function wasmOutputs(path, name, input) {
  const model = await webcnn.load(path);
  try {
    return await model.run({ [name]: input });
  } finally {
    await model.dispose();
  }
}

async function ortOutputs(path, name, input) {
  const session = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'disabled' });
  const r = await session.run({ [name]: new ort.Tensor('float32', input.data, input.shape) });
  return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, { data: t.data, shape: Array.from(t.dims, Number) }]));
}

let runCount = 0;
function nativeOutputs(path, name, input) {
  const dir = join(scratch, `native_${runCount++}`);
  mkdirSync(dir, { recursive: true });
  const x = join(dir, 'input.npy');
  writeNpy(x, 'float32', input.shape, input.data);
  // The SSE2 table: the same arithmetic as wasm128 (the default avx2 table fuses multiply-adds).
  const r = spawnSync(nativeCli, ['run', path, '--input', `${name}=${x}`, '--output', join(dir, 'out')],
    { encoding: 'utf8', env: { ...process.env, WEBCNN_ISA: 'sse2' } });
  assert.equal(r.status, 0, `webcnn run failed: ${r.stderr}`);
  return Object.fromEntries(readdirSync(join(dir, 'out')).map((f) => [f.replace(/\.npy$/, ''), readNpy(join(dir, 'out', f))]));
}

function compare(label, actual, expected, rtol) {
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    assert.ok(a, `${label}: output '${name}' missing`);
    assert.deepEqual(a.shape, e.shape, `${label}: '${name}' shape`);
    const err = relativeError(a.data, e.data);
    console.log(`${label} '${name}': max|Δ| ${err.maxAbs.toExponential(2)}, max|ref| ${err.maxRef.toExponential(2)}, relative ${err.rel.toExponential(2)}`);
    assert.ok(err.rel <= rtol, `${label} '${name}': relative error ${err.rel} > ${rtol}`);
  }
}

const smallConfigs = [
  { channels: 8, size: 16, withLogits: true },
  { channels: 12, size: 15, classes: 7, seed: 5, withLogits: true },
  { channels: 20, size: 33, classes: 13, seed: 9, withLogits: true },
];

for (const config of smallConfigs) {
  const input = { data: randomFloats(3 * config.size * config.size, 100 + config.size), shape: [1, 3, config.size, config.size] };
  test(`small CNN ${JSON.stringify(config)}: wasm agrees with ONNX Runtime`, async () => {
    const path = smallCnnFile(config);
    compare('wasm vs onnxruntime', await wasmOutputs(path, 'image', input), await ortOutputs(path, 'image', input), ORT_RTOL);
  });
  test(`small CNN ${JSON.stringify(config)}: wasm agrees with the native build`, { skip: !process.env.CI && !existsSync(nativeCli) && 'build/webcnn not built' }, async () => {
    const path = smallCnnFile(config);
    compare('wasm vs native', await wasmOutputs(path, 'image', input), nativeOutputs(path, 'image', input), NATIVE_RTOL);
  });
}

const mobilenet = mobileNetV2File();
const mobilenetInput = { data: randomFloats(3 * 224 * 224, 2024, -2, 2), shape: [1, 3, 224, 224] };

test('MobileNetV2 224: wasm agrees with ONNX Runtime', { skip: mobilenet.skip, timeout: 600_000 }, async () => {
  const model = await webcnn.load(mobilenet.path);
  const name = model.inputs[0].name;
  await model.dispose();
  compare('MobileNetV2 wasm vs onnxruntime', await wasmOutputs(mobilenet.path, name, mobilenetInput),
    await ortOutputs(mobilenet.path, name, mobilenetInput), ORT_RTOL);
});

test('MobileNetV2 224: wasm agrees with the native build', { skip: mobilenet.skip || (!process.env.CI && !existsSync(nativeCli) && 'build/webcnn not built'), timeout: 600_000 }, async () => {
  const model = await webcnn.load(mobilenet.path);
  const name = model.inputs[0].name;
  await model.dispose();
  compare('MobileNetV2 wasm vs native', await wasmOutputs(mobilenet.path, name, mobilenetInput),
    nativeOutputs(mobilenet.path, name, mobilenetInput), NATIVE_RTOL);
});
