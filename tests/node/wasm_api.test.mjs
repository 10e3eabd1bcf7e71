// The public JavaScript API (web/webcnn.js) on the wasm build, in Node: loading from every kind of
// source, describing and running a model, errors as Error objects with the engine's message, and
// preprocessing checked against values worked out by hand.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { scratch, smallCnnFile } from './support/wasm_models.mjs';
import { node, onnxModel, randomFloats, tensor, valueInfo } from './support/wasm_onnx.mjs';

const webcnn = await import('../../web/webcnn.js');

const image16 = () => ({ data: randomFloats(3 * 16 * 16, 7), shape: [1, 3, 16, 16] });

test('features: SIMD detected, the build chosen with its reason, wasm size known after loading', async () => {
  assert.equal(webcnn.features.simd, true);
  await webcnn.memory();
  // web/wasm_loader.js: {enabled, count, reason}; the single-threaded build has one thread.
  const { enabled, count, reason } = webcnn.features.threads;
  assert.equal(typeof enabled, 'boolean');
  assert.ok(Number.isInteger(count) && count >= 1 && (enabled || count === 1), `threads ${count}`);
  assert.equal(typeof reason, 'string');
  assert.ok(webcnn.features.wasmBytes > 100_000, `wasmBytes ${webcnn.features.wasmBytes}`);
  assert.equal(typeof webcnn.features.relaxedSimd, 'boolean'); // which build: wasm_relaxed_simd.test.mjs
});

test('load by path: inputs and outputs described, run gives a softmax over 10 classes', async () => {
  const model = await webcnn.load(smallCnnFile());
  assert.deepEqual(model.inputs, [{ name: 'image', shape: [1, 3, 16, 16], dtype: 'float32' }]);
  assert.deepEqual(model.outputs, [{ name: 'probs', shape: [1, 10], dtype: 'float32' }]);
  const out = await model.run({ image: image16() });
  assert.deepEqual(Object.keys(out), ['probs']);
  assert.deepEqual(out.probs.shape, [1, 10]);
  assert.equal(out.probs.dtype, 'float32');
  assert.ok(out.probs.data instanceof Float32Array);
  const sum = out.probs.data.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum - 1) < 1e-5, `softmax sums to ${sum}`);
  // A bare typed array takes the declared shape.
  const again = await model.run({ image: image16().data });
  assert.deepEqual(again.probs.data, out.probs.data);
  await model.dispose();
});

test('load from Uint8Array, ArrayBuffer and file: URL give the same model; progress reaches the total', async () => {
  const path = smallCnnFile();
  const bytes = new Uint8Array(readFileSync(path));
  const progress = [];
  const fromPath = await webcnn.load(path, { onProgress: (p) => progress.push(p) });
  assert.ok(progress.length >= 1);
  assert.deepEqual(progress.at(-1), { loaded: bytes.byteLength, total: bytes.byteLength });
  const expected = (await fromPath.run({ image: image16() })).probs.data;
  const sources = [bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), new URL(`file://${path}`)];
  for (const source of sources) {
    const m = await webcnn.load(source);
    assert.deepEqual((await m.run({ image: image16() })).probs.data, expected);
    await m.dispose();
  }
  await fromPath.dispose();
});

test('malformed models reject with the engine\'s message, and the next load works', async () => {
  const good = readFileSync(smallCnnFile());
  const cases = [
    { name: 'random bytes', bytes: Uint8Array.from(randomFloats(256, 3), (x) => (x + 1) * 127), match: /ModelProto|field|wire|truncated/i },
    { name: 'truncated file', bytes: good.subarray(0, good.byteLength >> 1), match: /truncated|length|exceeds|end/i },
    { name: 'empty file', bytes: new Uint8Array(0), match: /graph|empty|ModelProto/i },
    {
      name: 'unknown op',
      bytes: onnxModel({
        inputs: [valueInfo('x', 'float32', [1, 4])], outputs: [valueInfo('y', 'float32', [1, 4])],
        nodes: [node('NoSuchOp', ['x'], ['y'], {}, 'mystery')],
      }),
      match: /unsupported ops: NoSuchOp \(1 node: 'mystery'\)/,
    },
    {
      name: 'conv weight with the wrong channel count',
      bytes: onnxModel({
        inputs: [valueInfo('x', 'float32', [1, 3, 8, 8])], outputs: [valueInfo('y', 'float32', [1, 2, 8, 8])],
        initializers: [tensor('w', 'float32', [2, 4, 1, 1], new Float32Array(8))],
        nodes: [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [1, 1] }, 'stem')],
      }),
      match: /stem/,
    },
  ];
  for (const c of cases) {
    await assert.rejects(webcnn.load(c.bytes), (e) => {
      assert.ok(e instanceof Error, `${c.name}: not an Error`);
      assert.match(e.message, c.match, `${c.name}: ${e.message}`);
      return true;
    });
    const next = await webcnn.load(good);
    assert.equal((await next.run({ image: image16() })).probs.shape[1], 10, `load after ${c.name}`);
    await next.dispose();
  }
  await assert.rejects(webcnn.load(join(scratch, 'missing.onnx')), /cannot open model file .*missing\.onnx: no such file/);
  await assert.rejects(webcnn.load(42), TypeError);
});

test('run rejects bad inputs with messages naming the input, and the model keeps working', async () => {
  const model = await webcnn.load(smallCnnFile());
  await assert.rejects(model.run({ picture: image16() }), /no input named 'picture' \(inputs: 'image'\)/);
  await assert.rejects(model.run({}), /input 'image' is missing/);
  await assert.rejects(model.run({ image: { data: new Float32Array(5), shape: [1, 3, 16, 16] } }),
    /input 'image'.*has 20 bytes, the shape needs 3072/);
  await assert.rejects(model.run({ image: { data: new Float32Array(3 * 8 * 8), shape: [1, 3, 8, 8] } }),
    /input 'image' must have shape \[1,3,16,16\], got \[1,3,8,8\]/);
  await assert.rejects(model.run({ image: { data: new Float32Array(3), shape: [1, -3] } }), /input 'image': shape entry 1/);
  const ok = await model.run({ image: image16() });
  assert.equal(ok.probs.data.length, 10);
  await model.dispose();
  await assert.rejects(model.run({ image: image16() }), /disposed/);
});

test('integer inputs: int64 and int32 data are converted to the declared dtype', async () => {
  const bytes = onnxModel({
    inputs: [valueInfo('a', 'int64', [3]), valueInfo('b', 'int64', [3])],
    outputs: [valueInfo('sum', 'int64', [3])],
    nodes: [node('Add', ['a', 'b'], ['sum'])],
  });
  const model = await webcnn.load(bytes);
  const out = await model.run({ a: { data: new BigInt64Array([1n, 2n, -3n]), shape: [3] }, b: { data: [10, 20, 30], shape: [3] } });
  assert.deepEqual(out.sum, { data: new BigInt64Array([11n, 22n, 27n]), shape: [3], dtype: 'int64' });
  await model.dispose();
});

// 2×1 RGBA image, pixel 0 = (0, 100, 200), pixel 1 = (255, 50, 10); alpha ignored.
const tiny = { data: new Uint8Array([0, 100, 200, 255, 255, 50, 10, 128]), width: 2, height: 1 };

test('preprocess: same-size stretch is exact per-pixel normalisation, NCHW and NHWC', async () => {
  const nchw = await webcnn.preprocess(tiny, { width: 2, height: 1, fit: 'stretch', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  assert.deepEqual(nchw.shape, [1, 3, 1, 2]);
  assert.deepEqual(Array.from(nchw.data), [0, 255, 100, 50, 200, 10]);
  const nhwc = await webcnn.preprocess(tiny, { width: 2, height: 1, fit: 'stretch', layout: 'NHWC', preset: 'raw255' });
  assert.deepEqual(nhwc.shape, [1, 1, 2, 3]);
  assert.deepEqual(Array.from(nhwc.data), [0, 100, 200, 255, 50, 10]);
  // (v / 255 − mean) / std with mean 0.5, std 0.5: 0 → −1, 255 → 1.
  const norm = await webcnn.preprocess(tiny, { width: 2, height: 1, fit: 'stretch', scale: 1 / 255, mean: 0.5, std: 0.5 });
  assert.ok(Math.abs(norm.data[0] - -1) < 1e-6 && Math.abs(norm.data[1] - 1) < 1e-6, `${norm.data}`);
  // Enlarging 2×1 → 4×1 bilinear on half-pixel centres: 0, 0.25·255, 0.75·255, 255 for red.
  const wide = await webcnn.preprocess(tiny, { width: 4, height: 1, fit: 'stretch', preset: 'raw255' });
  assert.deepEqual(Array.from(wide.data.subarray(0, 4)), [0, 63.75, 191.25, 255]);
  await assert.rejects(webcnn.preprocess(tiny, { widht: 4 }), /unknown preprocess option 'widht'/);
  await assert.rejects(webcnn.preprocess(tiny, { fit: 'cover' }), /'fit' is 'cover'/);
  await assert.rejects(webcnn.preprocess({ data: new Uint8Array(3), width: 2, height: 1 }, {}), /has 3 bytes, the shape needs 8/);
});

test('classify: top-K of the model run on the preprocessed image, labels attached', async () => {
  const model = await webcnn.load(smallCnnFile());
  const pixels = Uint8Array.from(randomFloats(32 * 24 * 4, 11), (x) => Math.round((x + 1) * 127));
  const image = { data: pixels, width: 32, height: 24 };
  const input = await webcnn.preprocess(image, { width: 16, height: 16 });
  const probs = (await model.run({ image: input })).probs.data;
  const labels = Array.from({ length: 10 }, (_, i) => `class ${i}`);
  const top = await model.classify(image, { topK: 3, labels });
  const expected = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]).slice(0, 3);
  assert.deepEqual(top.map((t) => t.index), expected);
  assert.deepEqual(top.map((t) => t.label), expected.map((i) => `class ${i}`));
  for (const t of top) assert.equal(t.score, probs[t.index]); // already a softmax: scores pass through
  const raw = await model.runImage(image);
  assert.deepEqual(raw.probs.data, probs);
  await assert.rejects(model.classify({ width: 2 }), /image|RGBA/);
  await model.dispose();
});

test('a model file written to disk loads through a plain path string', async () => {
  const path = join(scratch, 'relu.onnx');
  writeFileSync(path, onnxModel({
    inputs: [valueInfo('x', 'float32', [2, 3])], outputs: [valueInfo('y', 'float32', [2, 3])],
    nodes: [node('Relu', ['x'], ['y'])],
  }));
  const model = await webcnn.load(path);
  const y = await model.run({ x: { data: new Float32Array([-1, 2, -3, 4, -0.5, 0]), shape: [2, 3] } });
  assert.deepEqual(Array.from(y.y.data), [0, 2, 0, 4, 0, 0]);
  await model.dispose();
});

/** Naive NCHW convolution (stride 1, symmetric padding), the independent oracle for captured layers. */
function referenceConv(x, [n, c, h, w], weights, [o, ig, kh, kw], bias, group, pad) {
  const oh = h + 2 * pad - kh + 1;
  const ow = w + 2 * pad - kw + 1;
  const y = new Float32Array(n * o * oh * ow);
  const og = o / group;
  for (let b = 0; b < n; ++b)
    for (let oc = 0; oc < o; ++oc)
      for (let oy = 0; oy < oh; ++oy)
        for (let ox = 0; ox < ow; ++ox) {
          let s = bias[oc];
          const g = Math.floor(oc / og);
          for (let ic = 0; ic < ig; ++ic)
            for (let ky = 0; ky < kh; ++ky)
              for (let kx = 0; kx < kw; ++kx) {
                const iy = oy + ky - pad, ix = ox + kx - pad;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += x[((b * c + g * ig + ic) * h + iy) * w + ix] * weights[((oc * ig + ic) * kh + ky) * kw + kx];
              }
          y[((b * o + oc) * oh + oy) * ow + ox] = s;
        }
  return y;
}

const nchwToNhwc = (x, [n, c, h, w]) => {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; ++b)
    for (let ch = 0; ch < c; ++ch)
      for (let p = 0; p < h * w; ++p) y[(b * h * w + p) * c + ch] = x[(b * c + ch) * h * w + p];
  return y;
};

function assertAllClose(actual, expected, tol, what) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < expected.length; ++i) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= tol, `${what}: max|a-b| = ${worst} > ${tol}`);
}

test('profile(): each node of the run with its kind and multiply-adds; activations and the residual Add fused away', async () => {
  const model = await webcnn.load(smallCnnFile());
  const p = await model.profile({ image: image16() }, { warmup: 1, runs: 3 });
  // smallCnn (8 channels, 16×16 input): stem 3×3 s2 → 8×8×8 outputs of 3·3·3 taps, depthwise 3×3 → 8·8·8·9,
  // pointwise 8·8·8·8, classifier 10·8 — worked out from the architecture, not read from the engine.
  const macsOf = (kind) => p.nodes.filter((n) => n.kind === kind).map((n) => n.macs);
  assert.deepEqual(macsOf('Conv 3x3 s2'), [8 * 8 * 8 * 27]);
  assert.deepEqual(macsOf('Conv 3x3 dw'), [8 * 8 * 8 * 9]);
  assert.deepEqual(macsOf('Conv 1x1'), [8 * 8 * 8 * 8]);
  assert.deepEqual(macsOf('Gemm'), [10 * 8]);
  for (const fused of ['Clip', 'Relu', 'Add']) assert.equal(macsOf(fused).length, 0, `${fused} should be fused into its Conv`);
  assert.ok(p.nodes.every((n) => n.ms >= 0 && Array.isArray(n.outputShape)));
  assert.deepEqual(p.nodes.find((n) => n.kind === 'Conv 1x1').outputShape, [1, 8, 8, 8]);
  assert.ok(p.wholeRunMs > 0);
  await assert.rejects(model.profile({ image: image16() }, { runs: 0 }), /runs an integer ≥ 1/);
  await assert.rejects(model.profile({ nope: image16() }), /no input named 'nope'/);
  await model.dispose();
});

test('look inside: layers() lists the convolutions, filters() their weights, {capture} their NHWC outputs', async () => {
  // conv 'first' 3→4 (3×3, pad 1) + ReLU, then depthwise conv 'second' (group 4).
  const w1 = randomFloats(4 * 3 * 3 * 3, 21), b1 = randomFloats(4, 22), w2 = randomFloats(4 * 1 * 3 * 3, 23), b2 = randomFloats(4, 24);
  const bytes = onnxModel({
    inputs: [valueInfo('x', 'float32', [1, 3, 6, 5])], outputs: [valueInfo('y', 'float32', [1, 4, 6, 5])],
    initializers: [tensor('w1', 'float32', [4, 3, 3, 3], w1), tensor('b1', 'float32', [4], b1),
      tensor('w2', 'float32', [4, 1, 3, 3], w2), tensor('b2', 'float32', [4], b2)],
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 'first'),
      node('Relu', ['c1'], ['r1'], {}, 'relu'),
      node('Conv', ['r1', 'w2', 'b2'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 4 }, 'second'),
    ],
  });
  const model = await webcnn.load(bytes);
  assert.deepEqual(await model.layers(), [
    { name: 'first', weights: [4, 3, 3, 3], group: 1 },
    { name: 'second', weights: [4, 1, 3, 3], group: 4 },
  ]);
  const f1 = await model.filters('first');
  assert.deepEqual(f1.shape, [4, 3, 3, 3]);
  assert.deepEqual(f1.data, w1);
  assert.deepEqual((await model.filters('second')).data, w2);
  await assert.rejects(model.filters('relu'), /no convolution layer named 'relu'/);

  const x = randomFloats(3 * 6 * 5, 25);
  const plain = await model.run({ x });
  assert.equal(plain.captured, undefined);
  const out = await model.run({ x }, { capture: ['second', 'first'] });
  assert.deepEqual(Object.keys(out.captured).sort(), ['first', 'second']);
  // 'first' includes the ReLU fused into it; the oracle is a naive convolution in JS.
  const first = referenceConv(x, [1, 3, 6, 5], w1, [4, 3, 3, 3], b1, 1, 1).map((v) => Math.max(v, 0));
  assert.deepEqual(out.captured.first.shape, [1, 6, 5, 4]);
  assertAllClose(out.captured.first.data, nchwToNhwc(first, [1, 4, 6, 5]), 1e-5, 'captured first');
  const second = referenceConv(first, [1, 4, 6, 5], w2, [4, 1, 3, 3], b2, 4, 1);
  assertAllClose(out.y.data, second, 1e-5, 'output y');
  assert.deepEqual(out.captured.second.shape, [1, 6, 5, 4]);
  assertAllClose(out.captured.second.data, nchwToNhwc(out.y.data, [1, 4, 6, 5]), 0, 'captured second = output y');
  // Capturing changes nothing in the outputs.
  assert.deepEqual(out.y.data, plain.y.data);
  await assert.rejects(model.run({ x }, { capture: ['third'] }), /no convolution layer named 'third'/);
  await assert.rejects(model.run({ x }, { capture: 'first' }), TypeError);
  assert.deepEqual((await model.run({ x })).y.data, plain.y.data);
  await model.dispose();
});

test('a restart that cannot load a model again: Model.lost names why, its calls reject with it, loading it anew works', async () => {
  // Given as bytes (the caller's): webcnn keeps a Blob copy of them (of a file it read itself, Node keeps
  // the bytes as read), and that copy cannot be read back (as when a browser has evicted it).
  const model = await webcnn.load(readFileSync(smallCnnFile()));
  const expected = (await model.run({ image: image16() })).probs.data;
  assert.equal(model.lost, null);
  const readBytes = Blob.prototype.arrayBuffer;
  Blob.prototype.arrayBuffer = () => Promise.reject(new Error('bytes unreadable for a test'));
  const restarted = new Promise((resolve) => webcnn.events.addEventListener('workerrestart', (e) => resolve(e.detail), { once: true }));
  try {
    await assert.rejects(webcnn.__testOnlyTrapEngine(), (e) => e.code === 'WORKER_RESTARTED');
    const detail = await restarted;
    assert.ok(detail.failed >= 1, `failed ${detail.failed}`);
  } finally {
    Blob.prototype.arrayBuffer = readBytes;
  }
  assert.ok(model.lost instanceof Error);
  assert.match(model.lost.message, /could not be loaded again after the wasm engine restarted: bytes unreadable for a test/);
  await assert.rejects(model.run({ image: image16() }), (e) => e === model.lost);
  await model.dispose(); // nothing of it is left in the new engine: resolves all the same
  const again = await webcnn.load(smallCnnFile());
  assert.equal(again.lost, null);
  assert.deepEqual((await again.run({ image: image16() })).probs.data, expected);
  await again.dispose();
});

test('a trap in the wasm engine: the call rejects with code WORKER_RESTARTED, an event fires, models work again', async () => {
  const model = await webcnn.load(smallCnnFile());
  const expected = (await model.run({ image: image16() })).probs.data;
  const restarts = [];
  const onRestart = (e) => restarts.push(e.detail);
  webcnn.events.addEventListener('workerrestart', onRestart);
  try {
    await assert.rejects(webcnn.__testOnlyTrapEngine(), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.code, 'WORKER_RESTARTED');
      assert.match(e.message, /unreachable/);
      return true;
    });
    // The same Model object runs on the new engine, with the same numbers.
    assert.deepEqual((await model.run({ image: image16() })).probs.data, expected);
    assert.equal(restarts.length, 1);
    assert.match(restarts[0].reason, /RuntimeError: unreachable/);
    assert.ok(restarts[0].restored >= 1, `restored ${restarts[0].restored}`);
    assert.equal(restarts[0].failed, 0);
    // New loads, and a disposed model stays disposed.
    const other = await webcnn.load(smallCnnFile());
    assert.deepEqual((await other.run({ image: image16() })).probs.data, expected);
    await other.dispose();
    await assert.rejects(other.run({ image: image16() }), /disposed/);
  } finally {
    webcnn.events.removeEventListener('workerrestart', onRestart);
    await model.dispose();
  }
});
