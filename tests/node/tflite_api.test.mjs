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
