// Resource limits in the wasm module, for long sessions: a model whose intermediates exceed the memory
// budget (the default, 1 GiB, ModelOptions::memory_budget) is refused at load with a message instead of
// growing the wasm heap until it dies, the heap is left as it was, and the next model loads; inputs whose
// shape differs from the last run re-plan (growing, shrinking, growing again), with exact outputs.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { node, onnxModel, tensor, valueInfo } from './support/wasm_onnx.mjs';

const webcnn = await import('../../web/webcnn.js');

// y = Expand(x [1], to rows × cols): rows × cols × 4 bytes of intermediates from a file of ~100 bytes.
const expandModel = (rows, cols) => onnxModel({
  inputs: [valueInfo('x', 'float32', [1])],
  outputs: [valueInfo('y', 'float32', [rows, cols])],
  initializers: [tensor('shape', 'int64', [2], new BigInt64Array([BigInt(rows), BigInt(cols)]))],
  nodes: [node('Expand', ['x', 'shape'], ['y'], {}, 'grow')],
});

test('wasm: a model needing more than the memory budget for intermediates is refused at load', async () => {
  // One load first: one-time allocations (kernel registry, Embind tables) are not the refusal's.
  await (await webcnn.load(expandModel(2, 3))).dispose();
  const before = await webcnn.memory();
  // 1.5 GiB: addressable in wasm32, over the default budget of 1 GiB.
  await assert.rejects(webcnn.load(expandModel(16384, 24576)),
    /needs 1536 MiB for intermediate tensors, over the memory budget of 1024 MiB/);
  // 4 GiB: a byte count that does not even fit in wasm32's size_t (it used to wrap and be overrun).
  await assert.rejects(webcnn.load(expandModel(32768, 32768)),
    /Expand 'grow': output 'y' \[32768,32768\] float32 would take 4096 MiB, more than the 2047 MiB this build can address/);
  const after = await webcnn.memory();
  assert.equal(after.heapBytes, before.heapBytes, 'refusing the models must not have grown the wasm heap');
  assert.equal(after.usedBytes, before.usedBytes, 'refusing the models must not have leaked');

  // The same graph at a sane size loads and runs: y = x broadcast to [2, 3].
  const model = await webcnn.load(expandModel(2, 3));
  const { y } = await model.run({ x: new Float32Array([4.5]) });
  assert.deepEqual(Array.from(y.data), [4.5, 4.5, 4.5, 4.5, 4.5, 4.5]);
  assert.deepEqual(Array.from(y.shape), [2, 3]);
  await model.dispose();
});

test('wasm: runs with a different input shape than the last re-plan with exact outputs', async () => {
  // y = Concat(Relu(x * c), x) on axis 0, x [N, 3] with N free: every intermediate's size follows N.
  const c = [1, -2, 0.5];
  const model = await webcnn.load(onnxModel({
    inputs: [valueInfo('x', 'float32', ['N', 3])],
    outputs: [valueInfo('y', 'float32', ['M', 3])],
    initializers: [tensor('c', 'float32', [3], new Float32Array(c))],
    nodes: [node('Mul', ['x', 'c'], ['a']), node('Relu', ['a'], ['b']), node('Concat', ['b', 'x'], ['y'], { axis: 0 })],
  }));
  for (const n of [2, 7, 1, 300, 7, 2]) {
    const x = Float32Array.from({ length: n * 3 }, (_, i) => ((i * 7) % 11) - 5);
    const { y } = await model.run({ x: { data: x, shape: [n, 3] } });
    assert.deepEqual(Array.from(y.shape), [2 * n, 3], `N = ${n}`);
    const want = [...Array.from(x, (v, i) => Math.max(0, v * c[i % 3])), ...x];
    assert.deepEqual(Array.from(y.data, (v) => v + 0), want, `N = ${n}`);  // + 0: Relu(-0) may be -0
  }
  await assert.rejects(model.run({ x: { data: new Float32Array(6), shape: [2, 3, 1] } }), /must have shape/);
  await model.dispose();
});
