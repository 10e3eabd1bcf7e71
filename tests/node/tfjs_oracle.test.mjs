// Whole TF.js graph models, webcnn vs TensorFlow.js: each human-models model (models/models.json) runs in
// TF.js's CPU backend, through the native `webcnn run`, and through the wasm module in Node
// (web/webcnn.js: webcnn.load('models/human/<name>.json'), which reads model.json and its shards), all
// on the same input tensor, made here from a real photo (a BMP from tests/data/photos, decoded
// and resized in JS so every engine gets identical bytes). Tolerance on every output:
// max|a−b| ≤ 1e-3·max(1, max|b|) (float32 through up to ~100 layers; the engines sum in different
// orders, and some models end in exp/sigmoid). One exception, measured rather than assumed: an output that
// TF.js itself cannot reproduce that closely, i.e. one that moves by more than that when TF.js runs the input
// nudged by one float32 rounding step (blazepose-full's segmentation mask: a 256×256 head whose logits reach
// the hundreds; TF.js's own mask moves by 1.9e-3 on grace_hopper.bmp), may differ from TF.js by as much as
// TF.js differs from itself; the report shows both numbers. Every other output meets 1e-3·max(1, max|b|).
// (Against a float64 evaluation of that model, webcnn's mask is off by 2.5e-4 and TF.js's by 1.3e-3: most of
// the difference is TF.js's own rounding.)
// Models come from node models/fetch-models.mjs (npm, pinned); the test fetches them when missing.
// Env: WEBCNN_CLI (default build/webcnn), WEBCNN_TFJS_MODELS (comma-separated subset of model names).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

import { decodeBmp } from './support/bmp.mjs';
import { compare, repoRoot, runCli, sanitize, scratchDir, testImages } from './support/cli.mjs';
import { readNpy, writeNpy } from './support/npy.mjs';
import { fileHandler } from './support/tfjs_files.mjs';

const webcnn = await import('../../web/webcnn.js');

const manifest = JSON.parse(readFileSync(join(repoRoot, 'models', 'models.json'), 'utf8'));
const work = scratchDir('webcnn-tfjs-oracle-');
let modelsReady = false;

before(async () => {
  await tf.setBackend('cpu');
  const fetch = spawnSync(process.execPath, [join(repoRoot, 'models', 'fetch-models.mjs')], { encoding: 'utf8' });
  modelsReady = fetch.status === 0;
  await webcnn.memory(); // instantiates the wasm module, so that load times below are the models' own
  if (!modelsReady) console.error(`models/fetch-models.mjs failed; TF.js oracle tests skipped:\n${fetch.stderr}`);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Bilinear resize (half-pixel centres) of an RGB image, then the model's channels/range/dtype. */
function modelInput(image, { size: [h, w], channels, range: [lo, hi], dtype }) {
  const data = dtype === 'int32' ? new Int32Array(h * w * channels) : new Float32Array(h * w * channels);
  const px = (x, y, c) => image.rgb[(y * image.width + x) * 3 + c];
  for (let y = 0; y < h; ++y) {
    const sy = Math.min(Math.max(((y + 0.5) * image.height) / h - 0.5, 0), image.height - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, image.height - 1), fy = sy - y0;
    for (let x = 0; x < w; ++x) {
      const sx = Math.min(Math.max(((x + 0.5) * image.width) / w - 0.5, 0), image.width - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, image.width - 1), fx = sx - x0;
      const rgb = [0, 1, 2].map((c) => (px(x0, y0, c) * (1 - fx) + px(x1, y0, c) * fx) * (1 - fy) +
                                      (px(x0, y1, c) * (1 - fx) + px(x1, y1, c) * fx) * fy);
      const values = channels === 1 ? [0.2989 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]] : rgb;
      values.forEach((v, c) => {
        const scaled = lo + (v / 255) * (hi - lo);
        data[(y * w + x) * channels + c] = dtype === 'int32' ? Math.round(scaled) : scaled;
      });
    }
  }
  return { dtype, shape: [1, h, w, channels], data };
}

/** Graph input/output names as webcnn reports them (`webcnn info`). */
function webcnnSignature(jsonPath) {
  const r = runCli(['info', jsonPath]);
  assert.equal(r.status, 0, r.stderr);
  const section = (title) => {
    const lines = r.stdout.split('\n');
    const start = lines.indexOf(`${title}:`);
    const names = [];
    for (let i = start + 1; i < lines.length && lines[i].startsWith('  '); ++i) names.push(lines[i].trim().split(/\s+/)[0]);
    return names;
  };
  return { inputs: section('inputs'), outputs: section('outputs') };
}

// A person for every model but the object detector (grace_hopper.bmp, head and shoulders: the pose, hand and
// segmentation models are compared numerically, which needs a person in the frame, not a full body).
const photoFor = (name) => join(testImages, /centernet/.test(name) ? 'bird.bmp' : 'grace_hopper.bmp');
const selected = process.env.WEBCNN_TFJS_MODELS ? process.env.WEBCNN_TFJS_MODELS.split(',') : Object.keys(manifest.models);

/** The input with every float moved by one float32 rounding step, up and down alternately (int inputs: none). */
function nudged(input) {
  if (input.dtype !== 'float32') return null;
  return { ...input, data: input.data.map((v, i) => Math.fround(v * (1 + (i % 2 ? 2 ** -23 : -(2 ** -23))))) };
}

/**
 * Asserts max|a−b| ≤ 1e-3·max(1, max|b|) for output `index`, or, past that, ≤ TF.js's own change on the
 * nudged input (`selfChange()`: per output, computed once per model when first needed); reports the numbers.
 */
async function assertClose(t, label, got, want, index, selfChange) {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  const { maxAbs, maxRef } = compare(Array.from(got.data, Number), want.data);
  let tol = 1e-3 * Math.max(1, maxRef);
  let note = '';
  if (maxAbs > tol) {
    const self = (await selfChange())?.[index] ?? 0;
    note = `; TF.js vs TF.js on the input nudged by 1 ulp: ${self.toExponential(2)}`;
    tol = Math.max(tol, self);
  }
  t.diagnostic(`${label} [${want.shape}]: max|a-b| = ${maxAbs.toExponential(2)}, max|b| = ${maxRef.toExponential(2)}${note}`);
  assert.ok(maxAbs <= tol, `${label}: max|a-b| = ${maxAbs} > ${tol}${note}`);
}

for (const name of selected) {
  const entry = manifest.models[name];
  test(`TF.js model ${name}: native CLI and wasm module match TF.js CPU within 1e-3·max(1, max|b|)`, async (t) => {
    // Locally a machine without the npm registry may skip; in CI (CI=true) a failed fetch is a failure.
    if (!modelsReady) {
      if (process.env.CI) assert.fail('models/fetch-models.mjs failed in CI');
      return t.skip('models not fetched');
    }
    const jsonPath = join(repoRoot, 'models', manifest.packages[entry.package].dir, entry.file.split('/').pop());
    assert.ok(existsSync(jsonPath), jsonPath);
    const input = modelInput(decodeBmp(photoFor(name)), entry.input);

    // The wasm module's view of the model names the input and outputs for all three engines.
    const started = performance.now();
    const model = await webcnn.load(jsonPath);
    const loadMs = performance.now() - started;
    const inputs = model.inputs.map((s) => s.name);
    const outputs = model.outputs.map((s) => s.name);
    assert.equal(model.format, 'tfjs');
    assert.equal(inputs.length, 1, `one input expected, webcnn reports ${inputs}`);

    const reference = await loadGraphModel(fileHandler(jsonPath));
    const runReference = async (tensor) => {
      const x = tf.tensor(tensor.data, tensor.shape, tensor.dtype);
      let expected = reference.execute({ [inputs[0]]: x }, outputs);
      if (!Array.isArray(expected)) expected = [expected];
      const values = await Promise.all(expected.map(async (e) => ({ data: await e.data(), shape: e.shape })));
      tf.dispose([x, ...expected]);
      return values;
    };
    const want = await runReference(input);
    let selfChanges = null;
    const selfChange = () => (selfChanges ??= (async () => {
      const other = nudged(input);
      if (!other) return null;
      return (await runReference(other)).map((o, i) => compare(Array.from(o.data), want[i].data).maxAbs);
    })());
    t.after(() => reference.dispose());

    await t.test('wasm: webcnn.load(model.json) in Node', async (st) => {
      try {
        const result = await model.run({ [inputs[0]]: { data: input.data, shape: input.shape } });
        st.diagnostic(`wasm load ${loadMs.toFixed(0)} ms for ${model.bytes} bytes`);
        for (const [i, o] of outputs.entries()) await assertClose(st, `wasm ${o}`, result[o], want[i], i, selfChange);
      } finally {
        await model.dispose();
      }
    });

    await t.test('native: webcnn run', async (st) => {
      assert.deepEqual(webcnnSignature(jsonPath), { inputs, outputs }, 'the CLI and the wasm module see the same signature');
      const inputFile = join(work, `${name}_input.npy`);
      writeNpy(inputFile, input);
      const outDir = join(work, `${name}_out`);
      const run = runCli(['run', jsonPath, '--input', `${inputs[0]}=${inputFile}`, '--output', outDir]);
      assert.equal(run.status, 0, `webcnn run failed: ${run.stderr}`);
      for (const [i, o] of outputs.entries()) {
        await assertClose(st, `native ${o}`, readNpy(join(outDir, sanitize(o))), want[i], i, selfChange);
      }
    });
  });
}
