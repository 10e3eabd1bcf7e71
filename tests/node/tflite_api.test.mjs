// TFLite models through the JS API (web/webcnn.js, wasm, in Node): load by path, bytes or File; the
// model's own 8-bit dtypes and quantisation parameters in model.inputs/outputs; run() takes and returns
// raw 8-bit tensors; classify() quantises pixels and dequantises scores; damaged files are refused with
// INVALID_MODEL. Exact agreement with LiteRT.js is tflite_oracle.test.mjs; here the oracle is what the
// photos show.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { decodePhoto } from './support/photos.mjs';
import { tfliteGraph } from './support/tflite_tensors.mjs';

const webcnn = await import('../../web/webcnn.js');
const modelPath = (name) => fileURLToPath(new URL(`../../models/tflite/${name}`, import.meta.url));
const labels = readFileSync(modelPath('imagenet_labels.txt'), 'utf8').split('\n'); // 1001: line 0 is background

const rgba = ({ width, height, rgb }) => {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; ++i) data.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  return { data, width, height };
};

const invalid = (code, pattern) => (e) => {
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

test('uint8 MobileNetV2 (TF1 QAT): dtypes and quantisation parameters as the file declares them', async () => {
  const model = await webcnn.load(modelPath('mobilenet_v2_1.0_224_quant.tflite'));
  try {
    assert.equal(model.format, 'tflite');
    assert.equal(model.inputs.length, 1);
    const [input] = model.inputs;
    assert.equal(input.dtype, 'uint8');
    assert.deepEqual(input.shape, [1, 224, 224, 3]);
    // MobileNet's -1..1 input as 8 bits: real = (q - 128) / 128.
    assert.deepEqual(input.quant, { scale: 0.0078125, zeroPoint: 128 });
    const [output] = model.outputs;
    assert.equal(output.dtype, 'uint8');
    assert.deepEqual(output.shape, [1, 1001]);
    assert.ok(output.quant.scale > 0 && output.quant.scale < 0.01, JSON.stringify(output.quant));

    // Raw 8-bit in and out.
    const out = await model.run({ [input.name]: new Uint8Array(224 * 224 * 3).fill(128) });
    assert.ok(out[output.name].data instanceof Uint8Array);
    assert.deepEqual(out[output.name].shape, [1, 1001]);
    await assert.rejects(model.run({ [input.name]: new Uint8Array(224 * 224) }), invalid('INVALID_ARGUMENT', /uint8/));
  } finally {
    await model.dispose();
  }
});

test('classify() on quantised classifiers names what the photos show (whole photo, as LiteRT.js is fed)', async () => {
  const cases = [
    ['grace_hopper.bmp', /military uniform/],
    ['bird.bmp', /chickadee/],
    ['parrot.jpg', /macaw/],
  ];
  for (const file of ['mobilenet_v2_1.0_224_quant.tflite', 'tf2_mobilenet_v2_1.0_224_ptq.tflite']) {
    const model = await webcnn.load(modelPath(file));
    try {
      for (const [photo, expected] of cases) {
        const top = await model.classify(rgba(decodePhoto(photo)), { topK: 5, preprocess: { fit: 'stretch' } });
        const names = top.map((t) => labels[t.index]);
        assert.match(names[0], expected, `${file} on ${photo}: ${names.join(', ')}`);
        assert.ok(top[0].score > 0.3 && top[0].score <= 1, `${file} on ${photo}: top-1 score ${top[0].score}`);
        for (let i = 1; i < top.length; ++i) assert.ok(top[i].score <= top[i - 1].score);
      }
    } finally {
      await model.dispose();
    }
  }
});

test('a .tflite is known by its identifier whatever its name; damaged ones are refused with INVALID_MODEL', async () => {
  const bytes = new Uint8Array(readFileSync(modelPath('mobilenet_v1_0.25_128_quant.tflite')));
  const fromBytes = await webcnn.load(bytes);
  assert.equal(fromBytes.format, 'tflite');
  const fromFile = await webcnn.load([new File([bytes], 'model.bin')]);
  assert.equal(fromFile.format, 'tflite');
  const feeds = { [fromBytes.inputs[0].name]: new Uint8Array(128 * 128 * 3).fill(77) };
  const [a, b] = [await fromBytes.run(feeds), await fromFile.run(feeds)];
  assert.deepEqual(a, b);
  await fromBytes.dispose();
  await fromFile.dispose();

  await assert.rejects(webcnn.load(bytes.slice(0, 1000)), invalid('INVALID_MODEL'));
  const wrongOffset = bytes.slice();
  new DataView(wrongOffset.buffer).setUint32(0, 0x7ffffff0, true); // root table far past the end
  await assert.rejects(webcnn.load(wrongOffset), invalid('INVALID_MODEL'));
});

// Look inside an 8-bit network (model.layers/filters/run with capture): the oracle is the file itself, read
// by the test's own FlatBuffers reader (support/tflite_tensors.mjs), and a naive quantized convolution
// written here: every CONV_2D and DEPTHWISE_CONV_2D is a layer with its weight shape; the first two layers'
// filters are the file's weights dequantized exactly; the first layer's captured maps are that layer
// computed from the file's weights, bias and scales (within one output unit: ties may round either way).
test('8-bit layers can be looked inside: listed as the file has them, filters and feature maps dequantized', async () => {
  const file = modelPath('mobilenet_v2_1.0_224_quant.tflite');
  const { tensors, ops } = tfliteGraph(file);
  const CONV_2D = 3, DEPTHWISE_CONV_2D = 4;
  const convs = ops.filter((op) => op.code === CONV_2D || op.code === DEPTHWISE_CONV_2D);
  const model = await webcnn.load(file);
  try {
    const layers = await model.layers();
    assert.equal(layers.length, convs.length, `${layers.length} layers, the file has ${convs.length} convolutions`);
    convs.forEach((op, i) => {
      const [a, kh, kw, b] = tensors[op.inputs[1]].shape; // CONV_2D OHWI, DEPTHWISE_CONV_2D [1, kH, kW, O]
      const want = op.code === CONV_2D ? [a, b, kh, kw] : [b, 1, kh, kw];
      assert.deepEqual(layers[i].weights, want, `layer ${i} (${layers[i].name})`);
    });

    for (const [i, op] of convs.slice(0, 2).entries()) {
      const w = tensors[op.inputs[1]];
      const [d0, kh, kw, d3] = w.shape;
      const { data, shape } = await model.filters(layers[i].name);
      assert.ok(data instanceof Float32Array);
      assert.deepEqual(shape, layers[i].weights);
      const [o, cin] = shape;
      let worst = 0;
      for (let oc = 0; oc < o; ++oc)
        for (let c = 0; c < cin; ++c)
          for (let y = 0; y < kh; ++y)
            for (let x = 0; x < kw; ++x) {
              const at = op.code === CONV_2D ? ((oc * kh + y) * kw + x) * d3 + c : (y * kw + x) * d3 + oc;
              const ch = w.scale.length > 1 ? oc : 0;
              const want = Math.fround(w.scale[ch] * (w.data[at] - w.zeroPoint[ch]));
              worst = Math.max(worst, Math.abs(data[((oc * cin + c) * kh + y) * kw + x] - want));
            }
      assert.equal(worst, 0, `layer ${i} filters: the file's weights dequantized (worst difference ${worst}, ${d0} filters)`);
    }

    // The first layer, captured on a pseudo-random picture, against the naive convolution.
    const first = convs[0];
    const [xT, wT, bT] = first.inputs.map((k) => tensors[k]);
    const yT = tensors[first.outputs[0]];
    const [, inH, inW, inC] = xT.shape, [outC, kh, kw] = wT.shape, [, outH, outW] = yT.shape;
    const strideW = first.options.i32(1, 1), strideH = first.options.i32(2, 1), act = first.options.u8(3);
    assert.equal(first.options.u8(0), 0, 'SAME padding (the only kind this check computes)');
    const padTop = Math.floor(Math.max((outH - 1) * strideH + kh - inH, 0) / 2);
    const padLeft = Math.floor(Math.max((outW - 1) * strideW + kw - inW, 0) / 2);
    const x = new Uint8Array(inH * inW * inC).map((_, i) => (i * 2654435761) >>> 24);
    const out = await model.run({ [model.inputs[0].name]: x }, { capture: [layers[0].name] });
    const maps = out.captured[layers[0].name];
    assert.deepEqual(maps.shape, [1, outH, outW, outC]);
    const [xs, ys] = [xT.scale[0], yT.scale[0]], [xz, yz] = [xT.zeroPoint[0], yT.zeroPoint[0]];
    let worst = 0;
    for (let oy = 0; oy < outH; ++oy)
      for (let ox = 0; ox < outW; ++ox)
        for (let o = 0; o < outC; ++o) {
          const ch = wT.scale.length > 1 ? o : 0;
          let acc = bT ? bT.data[o] : 0;
          for (let ky = 0; ky < kh; ++ky)
            for (let kx = 0; kx < kw; ++kx) {
              const iy = oy * strideH + ky - padTop, ix = ox * strideW + kx - padLeft;
              if (iy < 0 || ix < 0 || iy >= inH || ix >= inW) continue;
              for (let c = 0; c < inC; ++c)
                acc += (x[(iy * inW + ix) * inC + c] - xz) * (wT.data[((o * kh + ky) * kw + kx) * inC + c] - wT.zeroPoint[ch]);
            }
          let real = acc * xs * wT.scale[ch];
          if (act === 1 || act === 3) real = Math.max(0, real); // RELU, RELU6
          if (act === 3) real = Math.min(6, real);
          const q = Math.min(255, Math.max(0, Math.round(real / ys) + yz));
          worst = Math.max(worst, Math.abs(maps.data[(oy * outW + ox) * outC + o] - ys * (q - yz)) / ys);
        }
    assert.ok(worst <= 1.0001, `first layer's maps within one output unit of the naive convolution (worst ${worst} units)`);
  } finally {
    await model.dispose();
  }
});
