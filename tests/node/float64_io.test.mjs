// A model that declares double inputs and outputs (ONNX DOUBLE; issue 18 point 10: it was reported as
// float32): in the wasm module, model.inputs/outputs say float64, run() takes a Float64Array (or a
// Float32Array) and returns a Float64Array, computed in float32 inside. Oracle: onnxruntime-node running
// the same file in double precision, and the same arithmetic done here in float32 (Math.fround).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import ort from 'onnxruntime-node';

const webcnn = await import('../../web/webcnn.js');

// y = Relu(x) * 3 + x, x: double [2, 4] with a free batch, y: double.
const MAKE_MODEL = `
import sys, onnx
from onnx import helper, TensorProto as T
g = helper.make_graph(
    [helper.make_node('Relu', ['x'], ['r']), helper.make_node('Mul', ['r', 'three'], ['m']),
     helper.make_node('Add', ['m', 'x'], ['y'])],
    'double_io', [helper.make_tensor_value_info('x', T.DOUBLE, ['n', 4])],
    [helper.make_tensor_value_info('y', T.DOUBLE, ['n', 4])],
    [helper.make_tensor('three', T.DOUBLE, [], [3.0])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
onnx.checker.check_model(m)
sys.stdout.buffer.write(m.SerializeToString())
`;

function doubleModel() {
  const r = spawnSync('/usr/bin/python3', ['-c', MAKE_MODEL], { maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return new Uint8Array(r.stdout);
}

test('a model declaring double inputs and outputs: float64 in the specs, Float64Array in and out, ORT agrees', async () => {
  const bytes = doubleModel();
  const model = await webcnn.load(bytes);
  try {
    assert.equal(model.inputs[0].dtype, 'float64');
    assert.equal(model.outputs[0].dtype, 'float64');
    assert.deepEqual(model.inputs[0].shape, [-1, 4]);
    const x = new Float64Array([-1.5, 0.1, 2.25, 1e-3, -0.25, 1 / 3, 7.75, -1e6]);
    const f = Math.fround;
    const want32 = Array.from(x, (v) => f(f(Math.max(f(v), 0) * 3) + f(v)));

    const out = await model.run({ x: { data: x, shape: [2, 4] } });
    assert.ok(out.y.data instanceof Float64Array, `output data is ${out.y.data.constructor.name}`);
    assert.deepEqual(out.y.shape, [2, 4]);
    assert.equal(out.y.dtype, 'float64');
    assert.deepEqual(Array.from(out.y.data), want32);

    // Float32Array data is taken too (converted), with the same result.
    const out32 = await model.run({ x: { data: Float32Array.from(x), shape: [2, 4] } });
    assert.deepEqual(Array.from(out32.y.data), want32);

    // ONNX Runtime computes in double: webcnn's float32 result is within float32 rounding of it.
    const session = await ort.InferenceSession.create(bytes);
    const ref = (await session.run({ x: new ort.Tensor('float64', x, [2, 4]) })).y.data;
    for (let i = 0; i < x.length; ++i)
      assert.ok(Math.abs(out.y.data[i] - ref[i]) <= 2 ** -22 * Math.max(1, Math.abs(ref[i])), `element ${i}: ${out.y.data[i]} vs ORT ${ref[i]}`);
  } finally {
    await model.dispose();
  }
});
