// Whole models, native engine vs ONNX Runtime: the generated MobileNetV2s run through `webcnn run`
// (and `webcnn classify`) must match onnxruntime-node on the same input tensors.
// Tolerance on every output: max|a−b| ≤ 1e-4·max|b| + 1e-6 (float32 through ~50 layers, summation
// order differs between engines).
// Env: WEBCNN_CLI (default build/webcnn).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import ort from 'onnxruntime-node';

import { compare, makeModel, runCli, sanitize, scratchDir, testImages } from './support/cli.mjs';
import { readNpy, writeNpy } from './support/npy.mjs';

const work = scratchDir('webcnn-ort-oracle-');
const small = join(work, 'mobilenetv2_0.35_96.onnx');
const full = join(work, 'mobilenetv2_1.0_224.onnx');
const resnet = join(work, 'resnet18_64.onnx');
const half = join(work, 'mobilenetv2_0.35_96_fp16.onnx');
const halfInFloat32 = join(work, 'mobilenetv2_0.35_96_fp16_in_fp32.onnx');

before(() => {
  // Small: plain Flatten, symbolic batch. Full: torch's Shape→Gather→Unsqueeze→Concat→Reshape flatten.
  makeModel('mobilenetv2', small, ['--width', '0.35', '--size', '96', '--flatten', '--dynamic-batch', '--seed', '1']);
  makeModel('mobilenetv2', full, ['--seed', '2']);
  makeModel('resnet', resnet, ['--depth', '18', '--size', '64', '--seed', '3']);
  const halfArgs = ['--width', '0.35', '--size', '96', '--flatten', '--seed', '4', '--float16'];
  makeModel('mobilenetv2', half, [...halfArgs, 'float16']);
  makeModel('mobilenetv2', halfInFloat32, [...halfArgs, 'float32']);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Deterministic values in [-2, 2) (mulberry32). */
function pseudoRandom(count, seed) {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 4 - 2;
  }
  return out;
}

async function ortOutputs(modelPath, feeds) {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const ortFeeds = {};
  for (const [name, { shape, data }] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', data, shape);
  const results = await session.run(ortFeeds);
  return session.outputNames.map((name) => ({ name, dims: results[name].dims, data: results[name].data }));
}

/** Runs `webcnn run` on the .npy inputs and checks every output against ONNX Runtime's. */
async function checkAgainstOrt(t, modelPath, inputFiles, oraclePath = modelPath) {
  const feeds = {};
  const args = ['run', modelPath];
  for (const [name, file] of Object.entries(inputFiles)) {
    feeds[name] = readNpy(file);
    args.push('--input', `${name}=${file}`);
  }
  const outDir = join(work, `out_${Math.random().toString(36).slice(2)}`);
  args.push('--output', outDir);
  const expected = await ortOutputs(oraclePath, feeds);
  const r = runCli(args);
  assert.equal(r.status, 0, `webcnn run failed:\n${r.stderr}`);
  for (const { name, dims, data } of expected) {
    const got = readNpy(join(outDir, sanitize(name)));
    assert.deepEqual(got.shape, [...dims], `output '${name}' shape`);
    const { maxAbs, maxRef } = compare(got.data, data);
    t.diagnostic(`${name}: max|a-b| = ${maxAbs.toExponential(3)}, max|b| = ${maxRef.toFixed(3)}`);
    assert.ok(maxAbs <= 1e-4 * maxRef + 1e-6, `output '${name}': max|a-b| ${maxAbs} > 1e-4·${maxRef} + 1e-6`);
  }
  return expected;
}

test('MobileNetV2-0.35-96 (Flatten, batch 2 on a symbolic batch) matches ONNX Runtime on pseudo-random input', async (t) => {
  const input = join(work, 'random_2x3x96x96.npy');
  writeNpy(input, { shape: [2, 3, 96, 96], data: pseudoRandom(2 * 3 * 96 * 96, 7) });
  await checkAgainstOrt(t, small, { input });
});

test('MobileNetV2-1.0-224 (torch view flatten) matches ONNX Runtime on a real photo', async (t) => {
  // grace_hopper.bmp through `webcnn preprocess` (centre crop 224, ImageNet mean/std, NCHW): both
  // engines then read the very same tensor.
  const input = join(work, 'grace_hopper_224.npy');
  const p = runCli(['preprocess', join(testImages, 'grace_hopper.bmp'), '--output', input]);
  assert.equal(p.status, 0, p.stderr);
  await checkAgainstOrt(t, full, { input });
});

test('a float16 MobileNetV2 (onnxconverter-style: float16 weights and activations, Cast at the edges) matches ONNX Runtime', async (t) => {
  // webcnn holds float16 tensors as float32: it computes what the model computes with its float16 weights
  // and input but without rounding between layers. The oracle for that is ONNX Runtime on the same model
  // written in float32 (weights rounded to float16, input cast to float16 and back): float32 tolerance.
  const input = join(work, 'random_1x3x96x96.npy');
  writeNpy(input, { shape: [1, 3, 96, 96], data: pseudoRandom(3 * 96 * 96, 11) });
  const [fromFloat32] = await checkAgainstOrt(t, half, { input }, halfInFloat32);
  // ONNX Runtime computing in float16 itself: within float16 arithmetic's error of the above.
  const [inHalf] = await ortOutputs(half, { input: readNpy(input) });
  const { maxAbs, maxRef } = compare(inHalf.data, fromFloat32.data);
  t.diagnostic(`ONNX Runtime float16 vs float32 arithmetic: max|a-b| = ${maxAbs.toExponential(3)}, max|b| = ${maxRef.toFixed(3)}`);
  assert.ok(maxAbs <= 5e-2 * maxRef, `float16 arithmetic strays ${maxAbs} from ${maxRef}`);
});

test('ResNet-18 at 64x64 (7x7 stem, MaxPool, projection shortcuts) matches ONNX Runtime on a real photo', async (t) => {
  const input = join(work, 'owl_64.npy');
  const p = runCli(['preprocess', join(testImages, 'owl.jpg'), '--output', input, '--size', '64x64']);
  assert.equal(p.status, 0, p.stderr);
  await checkAgainstOrt(t, resnet, { input });
});

test('webcnn classify ranks the same top-5 classes with the same probabilities as ONNX Runtime', async () => {
  const input = join(work, 'pets_224.npy');
  const photo = join(testImages, 'pets.jpg');
  const p = runCli(['preprocess', photo, '--output', input]);
  assert.equal(p.status, 0, p.stderr);
  const [logits] = await ortOutputs(full, { input: readNpy(input) });
  const peak = Math.max(...logits.data);
  const exp = Array.from(logits.data, (v) => Math.exp(v - peak));
  const total = exp.reduce((a, b) => a + b, 0);
  const expected = exp.map((v, i) => ({ i, p: v / total })).sort((a, b) => b.p - a.p).slice(0, 5);

  const labels = join(work, 'labels.txt');
  writeFileSync(labels, Array.from({ length: 1000 }, (_, i) => `class ${i}`).join('\n') + '\n');
  const r = runCli(['classify', full, photo, '--labels', labels, '--top', '5']);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 5);
  lines.forEach((line, k) => {
    const m = /^(\d+) class (\d+) ([\d.]+)$/.exec(line);
    assert.ok(m, `unexpected line '${line}'`);
    assert.equal(Number(m[1]), k + 1);
    assert.equal(Number(m[2]), expected[k].i, `rank ${k + 1}`);
    assert.ok(Math.abs(Number(m[3]) - expected[k].p) <= 1e-4 * expected[0].p + 1e-6, `rank ${k + 1} probability`);
  });
});

test('webcnn run on a malformed model exits non-zero with a message on stderr', () => {
  const input = join(work, 'one.npy');
  writeNpy(input, { shape: [1, 3, 96, 96], data: new Float32Array(3 * 96 * 96) });
  const junk = join(work, 'junk.onnx');
  writeFileSync(junk, Buffer.from('\x08\x07\x12\xff\xff\xff\xff\x0fnot really a model', 'latin1'));
  // A real model cut in half: valid protobuf framing up to a length that runs past the end.
  const cut = join(work, 'cut.onnx');
  const whole = readFileSync(small);
  writeFileSync(cut, whole.subarray(0, whole.length >> 1));
  for (const model of [junk, cut, join(work, 'missing.onnx')]) {
    const r = runCli(['run', model, '--input', `input=${input}`, '--output', join(work, 'never')]);
    assert.notEqual(r.status, 0, `${model} was accepted`);
    assert.match(r.stderr, /^webcnn: .+/, `${model}: no message on stderr`);
  }
});
