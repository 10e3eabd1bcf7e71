// nsfwjs's MobileNetV2 and InceptionV3, TF.js layers-models (Keras topology), native engine vs
// TensorFlow.js: each model that models/fetch-models.mjs unwraps into models/nsfwjs/ runs in tfjs-layers
// on the CPU backend and through `webcnn run`, on the same input tensor made from a real photo (from
// tests/data/photos) the way nsfwjs prepares it (dist/cjs/core.js: pixels / 255, then
// tf.image.resizeBilinear to the model's size, 224² or 299², with alignCorners = true; done here with
// TF.js, so both engines get identical bytes). The MobileNetV2 comparison also runs in the wasm module
// through web/webcnn.js (webcnn.load(model.json)).
// Tolerance: max|a−b| ≤ 1e-3·max(1, max|b|) (float32 through 60–100 layers, uint8-quantized weights
// dequantized the same way by both, sums in different orders), and the same top class as TF.js. The
// benign photos must come out Neutral or Drawing; pets.jpg (two dogs on grass, Neutral and Sexy both well
// above 0.1 in TF.js) is compared for its spread probabilities, but its class is not asserted.
// Env: WEBCNN_CLI (default build/webcnn).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadLayersModel } from '@tensorflow/tfjs-layers';

import { compare, repoRoot, runCli, sanitize, scratchDir } from './support/cli.mjs';
import { readNpy, writeNpy } from './support/npy.mjs';
import { decodePhoto } from './support/photos.mjs';
import { fileHandler } from './support/tfjs_files.mjs';

const manifest = JSON.parse(readFileSync(join(repoRoot, 'models', 'models.json'), 'utf8'));
// The models and the photos each runs on. InceptionV3 takes ~6 GMACs a photo in TF.js' plain-JS CPU
// backend (~50 s here): one photo, the one whose probabilities are spread over several classes, where a
// numeric difference would show (on the other photos the softmax saturates near 1).
const models = [
  { key: 'nsfwjs-mobilenet-v2', title: 'MobileNetV2', photos: ['grace_hopper.bmp', 'bird.bmp', 'pets.jpg'] },
  { key: 'nsfwjs-inception-v3', title: 'InceptionV3', photos: ['pets.jpg'] },
].map((m) => {
  const entry = manifest.layersModels[m.key];
  return { ...m, entry, jsonPath: join(repoRoot, 'models', entry.dir || manifest.packages[entry.package].dir, entry.file) };
});
const work = scratchDir('webcnn-nsfwjs-oracle-');
let modelsReady = false;
const tfjsModels = new Map();  // key → tfjs-layers LayersModel, loaded on first use

before(async () => {
  await tf.setBackend('cpu');
  const fetch = spawnSync(process.execPath, [join(repoRoot, 'models', 'fetch-models.mjs')], { encoding: 'utf8' });
  modelsReady = fetch.status === 0 && models.every((m) => existsSync(m.jsonPath));
  if (!modelsReady) console.error(`models/fetch-models.mjs failed; nsfwjs oracle tests skipped:\n${fetch.stderr}`);
});
after(() => {
  for (const m of tfjsModels.values()) m.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function tfjsModel(m) {
  if (!tfjsModels.has(m.key)) tfjsModels.set(m.key, await loadLayersModel(fileHandler(m.jsonPath)));
  return tfjsModels.get(m.key);
}

// The input tensor and TF.js' probabilities for a model and photo, computed once (the wasm leg reuses them).
const cases = new Map();
async function oracleCase(m, photo) {
  const key = `${m.key}/${photo}`;
  if (!cases.has(key)) {
    const x = nsfwjsInput(decodePhoto(photo), m.entry.input.size);
    const y = (await tfjsModel(m)).predict(x);
    cases.set(key, { shape: x.shape, data: await x.data(), wantShape: y.shape, want: Array.from(await y.data()) });
    tf.dispose([x, y]);
  }
  return cases.get(key);
}

/** nsfwjs' preprocessing (NSFWJS.prototype.infer): float pixels / 255, bilinear resize with align corners. */
function nsfwjsInput(image, [h, w]) {
  return tf.tidy(() => {
    const pixels = tf.tensor3d(image.rgb, [image.height, image.width, 3], 'int32');
    const normalized = tf.div(tf.cast(pixels, 'float32'), tf.scalar(255));
    return tf.reshape(tf.image.resizeBilinear(normalized, [h, w], true), [1, h, w, 3]);
  });
}

const labels = models[0].entry.labels;
const topClass = (probs) => labels[probs.indexOf(Math.max(...probs))];
const benign = new Set(['Neutral', 'Drawing']);
const fmt = (p) => p.map((v, i) => `${labels[i]} ${v.toFixed(4)}`).join(', ');

function skipUnlessFetched(t) {
  if (modelsReady) return false;
  if (process.env.CI) assert.fail('models/fetch-models.mjs failed in CI');
  t.skip('nsfwjs models not fetched');
  return true;
}

for (const m of models) {
  for (const photo of m.photos) {
    test(`nsfwjs ${m.title} on ${photo}: webcnn run matches TF.js (tfjs-layers, CPU) within 1e-3·max(1, max|b|)`, async (t) => {
      if (skipUnlessFetched(t)) return;
      const c = await oracleCase(m, photo);
      const inputFile = join(work, `${m.key}_${photo}.npy`);
      writeNpy(inputFile, { dtype: 'float32', shape: c.shape, data: c.data });

      const outDir = join(work, `${m.key}_${photo}_out`);
      const run = runCli(['run', m.jsonPath, '--input', `input_1=${inputFile}`, '--output', outDir]);
      assert.equal(run.status, 0, `webcnn run failed: ${run.stderr}`);
      const got = readNpy(join(outDir, sanitize('dense_3')));
      assert.deepEqual(got.shape, c.wantShape);
      checkAgainstTfjs(t, 'webcnn run', photo, Array.from(got.data, Number), c.want);
    });
  }
}

/** The tolerance, the same top class as TF.js, and a benign top class for the benign photos. */
function checkAgainstTfjs(t, who, photo, got, want) {
  const { maxAbs, maxRef } = compare(got, want);
  const tol = 1e-3 * Math.max(1, maxRef);
  t.diagnostic(`${who}: ${fmt(got)}; TF.js: ${fmt(want)}; max|a-b| = ${maxAbs.toExponential(2)}`);
  assert.ok(maxAbs <= tol, `max|a-b| = ${maxAbs} > ${tol}`);
  assert.equal(topClass(got), topClass(want));
  // pets.jpg is there for its spread probabilities: its class is the model's call, not a fact.
  if (photo !== 'pets.jpg') assert.ok(benign.has(topClass(got)), `top class ${topClass(got)} for a benign photo`);
}

test('nsfwjs MobileNetV2 in the wasm module (web/webcnn.js load(model.json)) matches TF.js on the same photos', async (t) => {
  if (skipUnlessFetched(t)) return;
  const m = models[0];
  const webcnn = await import('../../web/webcnn.js');
  let model;
  try {
    model = await webcnn.load(m.jsonPath);
  } catch (e) {
    // A module built before the importer learnt layers-models says so; anything else is a failure.
    if (/webcnn loads graph models/.test(e.message)) return t.skip('web/dist predates layers-model support: run scripts/build-wasm.sh');
    throw e;
  }
  try {
    assert.deepEqual(model.inputs.map((s) => s.name), ['input_1']);
    assert.deepEqual(model.outputs.map((s) => s.name), ['dense_3']);
    for (const photo of m.photos) {
      const c = await oracleCase(m, photo);
      const out = await model.run({ input_1: { data: c.data, shape: c.shape } });
      assert.deepEqual(out.dense_3.shape, c.wantShape);
      checkAgainstTfjs(t, `wasm ${photo}`, photo, Array.from(out.dense_3.data, Number), c.want);
    }
  } finally {
    await model.dispose();
  }
});
