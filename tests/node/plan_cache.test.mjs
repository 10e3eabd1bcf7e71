// A model with free input dimensions in the wasm build: model.outputs says -1 where an output follows a
// free input dimension, a run's tensors carry the concrete shapes, and alternating between input sizes
// (each served by its own cached plan) gives what a fresh model gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { node, onnxModel, randomFloats, tensor, valueInfo } from './support/wasm_onnx.mjs';

const webcnn = await import('../../web/webcnn.js');

// x [1, 2, h, w] → Conv 3×3 (pad 1, 2 → 3 channels) → Relu → y
function freeSizeConv() {
  return onnxModel({
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }),
      node('Relu', ['c'], ['y']),
    ],
    inputs: [valueInfo('x', 'float32', [1, 2, 'h', 'w'])],
    outputs: [valueInfo('y', 'float32', [1, 3, 'h', 'w'])],
    initializers: [tensor('w', 'float32', [3, 2, 3, 3], randomFloats(54, 3)), tensor('b', 'float32', [3], randomFloats(3, 4))],
  });
}

test('free dims: outputs report -1, runs alternate between sizes and match a fresh model', async () => {
  const bytes = freeSizeConv();
  const model = await webcnn.load(bytes);
  assert.deepEqual(model.outputs, [{ name: 'y', shape: [1, 3, -1, -1], dtype: 'float32' }]);
  const sizes = [[5, 7], [8, 4], [6, 9]];
  for (let round = 0; round < 3; ++round)
    for (const [h, w] of sizes) {
      const x = { data: randomFloats(2 * h * w, 10 * h + w), shape: [1, 2, h, w] };
      const got = (await model.run({ x })).y;
      assert.deepEqual(got.shape, [1, 3, h, w]);
      const fresh = await webcnn.load(bytes);
      const want = (await fresh.run({ x })).y;
      await fresh.dispose();
      assert.deepEqual(got.data, want.data, `round ${round}, ${h}x${w}`);
    }
  await model.dispose();
});
