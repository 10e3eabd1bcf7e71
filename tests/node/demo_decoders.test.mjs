// The demo's decoders (web/app/decode/*): geometry, NMS, BlazeFace, CenterNet, face attributes and the
// labels parser, first on hand-made tensors with hand-computed answers, then on the real models run by
// the native CLI, checked against what TF.js gives for the same photos (CenterNet: pets.jpg two dogs at
// 0.77 and 0.60, cat_720p.jpg a cat at 0.39) and against what the photos show (one face, several faces).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { cliPath, repoRoot, runCli, sanitize, scratchDir } from './support/cli.mjs';
import { readNpy } from './support/npy.mjs';
import { photoPath } from './support/photos.mjs';
import { BLAZEFACE_PREPROCESS, decodeBlazeFace } from '../../web/app/decode/blazeface.js';
import { CENTERNET_OUTPUT, CENTERNET_PREPROCESS, decodeCenterNet } from '../../web/app/decode/centernet.js';
import { cosineSimilarity, decodeEmotion, decodeFaceRes, emotionInput } from '../../web/app/decode/face_attributes.js';
import { inputToImage, squareAround } from '../../web/app/decode/geometry.js';
import { iou, nonMaxSuppression } from '../../web/app/decode/nms.js';
import { parseLabels } from '../../web/app/labels.js';

const close = (a, b, tol, what) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (±${tol})`);

test('letterbox and stretch map input pixels back to the picture', () => {
  // 512×600 into 256×256: scale 256/600, placed 218×256 (round(512·256/600) = 218), offset x = 19.
  const lb = inputToImage({ fit: 'letterbox', inputWidth: 256, inputHeight: 256, imageWidth: 512, imageHeight: 600 });
  assert.deepEqual(lb(19, 0), [0, 0]);
  assert.deepEqual(lb(19 + 218, 256), [512, 600]);
  const st = inputToImage({ fit: 'stretch', inputWidth: 512, inputHeight: 512, imageWidth: 1280, imageHeight: 720 });
  assert.deepEqual(st(256, 256), [640, 360]);
  assert.deepEqual(squareAround({ x1: 10, y1: 20, x2: 30, y2: 60 }, 1.5), { x1: -10, y1: 10, x2: 50, y2: 70 });
});

test('NMS keeps the best of overlapping boxes', () => {
  const a = { x1: 0, y1: 0, x2: 10, y2: 10, score: 0.9 };
  const b = { x1: 1, y1: 0, x2: 11, y2: 10, score: 0.8 }; // IoU 90/110
  const c = { x1: 20, y1: 20, x2: 30, y2: 30, score: 0.7 };
  close(iou(a, b), 90 / 110, 1e-12, 'iou');
  assert.equal(iou(a, c), 0);
  assert.deepEqual(nonMaxSuppression([c, b, a], { iouThreshold: 0.5 }), [a, c]);
  assert.deepEqual(nonMaxSuppression([c, b, a], { iouThreshold: 0.95 }), [a, b, c]);
  assert.deepEqual(nonMaxSuppression([c, b, a], { iouThreshold: 0.5, maxBoxes: 1 }), [a]);
});

test('BlazeFace: anchors, offsets, sizes and landmarks on a hand-made output', () => {
  const scores512 = new Float32Array(512).fill(-10), scores384 = new Float32Array(384).fill(-10);
  const reg512 = new Float32Array(512 * 16), reg384 = new Float32Array(384 * 16);
  // Anchor 33 = cell (x 0, y 1) of the 16×16 grid, second anchor: centre (8, 24).
  scores512[33] = 3;
  reg512.set([2, -4, 40, 20, 1, 1], 33 * 16);
  // Anchor 512 + 6·9 = cell (x 1, y 1) of the 8×8 grid (stride 32): centre (48, 48).
  scores384[54] = 0;
  reg384.set([0, 0, 64, 64], 54 * 16);
  const outputs = {
    a: { data: scores512, shape: [1, 512, 1] }, b: { data: reg512, shape: [1, 512, 16] },
    c: { data: reg384, shape: [1, 384, 16] }, d: { data: scores384, shape: [1, 384, 1] },
  };
  const faces = decodeBlazeFace(outputs, { imageWidth: 256, imageHeight: 256, threshold: 0.4 });
  assert.equal(faces.length, 2);
  close(faces[0].score, 1 / (1 + Math.exp(-3)), 1e-9, 'score');
  assert.deepEqual([faces[0].x1, faces[0].y1, faces[0].x2, faces[0].y2], [-10, 10, 30, 30]);
  assert.deepEqual(faces[0].landmarks[0], [9, 25]);
  assert.deepEqual([faces[1].x1, faces[1].y1, faces[1].x2, faces[1].y2], [16, 16, 80, 80]);
  close(faces[1].score, 0.5, 1e-12, 'sigmoid(0)');
  // Same output, picture twice as large: boxes scale with it.
  const big = decodeBlazeFace(outputs, { imageWidth: 512, imageHeight: 512, threshold: 0.4 });
  assert.deepEqual([big[1].x1, big[1].y1, big[1].x2, big[1].y2], [32, 32, 160, 160]);
  assert.throws(() => decodeBlazeFace({ a: outputs.a }, { imageWidth: 1, imageHeight: 1 }), /lack/);
});

test('CenterNet: threshold, class names and scaling to the picture', () => {
  const data = new Float32Array([
    100, 50, 200, 150, 0.8, 16, // dog
    10, 10, 20, 20, 0.1, 15, // below the threshold
    300, 300, 400, 500, 0.5, 15, // cat
    0, 0, 10, 10, 0.9, 80, // class out of range: dropped
  ]);
  const boxes = decodeCenterNet({ data, shape: [1, 4, 6] }, { imageWidth: 1024, imageHeight: 256, threshold: 0.3 });
  assert.deepEqual(boxes.map((b) => [b.label, b.x1, b.y1, b.x2, b.y2]), [['dog', 200, 25, 400, 75], ['cat', 600, 150, 800, 250]]);
  assert.equal(CENTERNET_PREPROCESS.width, 512);
});

test('face attributes: grayscale input, expression order, age/gender/descriptor', () => {
  const rgba = new Uint8Array(4 * 4).fill(0);
  rgba.set([255, 255, 255, 255], 0); // white
  rgba.set([255, 0, 0, 255], 4); // red
  const x = emotionInput(rgba, 2, 2);
  assert.deepEqual(x.shape, [1, 2, 2, 1]);
  close(x.data[0], (0.9999 - 0.5) * 2, 1e-6, 'white');
  close(x.data[1], (0.2989 - 0.5) * 2, 1e-6, 'red');
  close(x.data[2], -1, 1e-7, 'black');
  const e = decodeEmotion({ data: new Float32Array([0.1, 0, 0, 0.6, 0.2, 0, 0.1]) });
  assert.deepEqual(e.slice(0, 2).map((r) => r.emotion), ['happy', 'sad']);
  const age = new Float32Array(100);
  age[29] = 0.1; age[30] = 0.6; age[31] = 0.3;
  const descriptor = new Float32Array(1024).fill(0.5);
  const r = decodeFaceRes({ g: { data: new Float32Array([0.2]) }, a: { data: age }, d: { data: descriptor } });
  assert.equal(r.age, 33); // bin 30, nudged towards bin 31 by 10 × 0.3
  assert.equal(r.gender, 'female');
  close(r.genderScore, 0.6, 1e-6, 'gender confidence');
  assert.equal(r.descriptor.length, 1024);
  close(cosineSimilarity([1, 0], [0, 1]), 0, 1e-12, 'orthogonal');
  close(cosineSimilarity([1, 2], [2, 4]), 1, 1e-12, 'parallel');
  close(cosineSimilarity([1, 1], [1, 0]), Math.SQRT1_2, 1e-12, '45°');
});

test('labels files: lines, JSON arrays and {index: name} objects', () => {
  assert.deepEqual(parseLabels('cat\r\ndog\n'), ['cat', 'dog']);
  assert.deepEqual(parseLabels('["a", "b"]', 'l.json'), ['a', 'b']);
  assert.deepEqual(parseLabels('{"0": ["n01", "tench"], "1": "goldfish"}'), ['tench', 'goldfish']);
  assert.throws(() => parseLabels('{oops', 'x.json'), /not valid JSON/);
});

// ---- the real models, run by the native CLI (the same engine; preprocessing by the same C++) ----

const human = join(repoRoot, 'models', 'human');
const skipModels = !(existsSync(cliPath) && existsSync(join(human, 'centernet.bin'))) &&
  'needs the native CLI (build/webcnn or $WEBCNN_CLI) and models/human';

function cliArgs(p) {
  const triple = (v) => (Array.isArray(v) ? v : [v, v, v]).join(',');
  return ['--size', `${p.width}x${p.height}`, '--crop', p.fit === 'center-crop' ? 'center' : p.fit, '--scale', String(p.scale),
    '--mean', triple(p.mean), '--std', triple(p.std), '--layout', p.layout.toLowerCase()];
}

function runModel(model, image, preprocess, inputName) {
  const dir = scratchDir('webcnn-demo-');
  const input = join(dir, 'input.npy');
  let r = runCli(['preprocess', image, '--output', input, ...cliArgs(preprocess)]);
  assert.equal(r.status, 0, r.stderr);
  r = runCli(['run', join(human, `${model}.json`), '--input', `${inputName}=${input}`, '--output', dir]);
  assert.equal(r.status, 0, r.stderr);
  return (name) => {
    const t = readNpy(join(dir, sanitize(name)));
    return { data: t.data, shape: t.shape };
  };
}

test('CenterNet on pets.jpg and cat_720p.jpg, as TF.js sees them', { skip: skipModels }, () => {
  const pets = decodeCenterNet(runModel('centernet', photoPath('pets.jpg'), CENTERNET_PREPROCESS, 'tower_0/images')(CENTERNET_OUTPUT),
    { imageWidth: 512, imageHeight: 430, threshold: 0.3 });
  assert.deepEqual(pets.map((b) => b.label), ['dog', 'dog']);
  close(pets[0].score, 0.77, 0.03, 'first dog');
  close(pets[1].score, 0.60, 0.03, 'second dog');
  const cat = decodeCenterNet(runModel('centernet', photoPath('cat_720p.jpg'), CENTERNET_PREPROCESS, 'tower_0/images')(CENTERNET_OUTPUT),
    { imageWidth: 1280, imageHeight: 720, threshold: 0.3 });
  assert.deepEqual(cat.map((b) => b.label), ['cat']);
  close(cat[0].score, 0.39, 0.03, 'cat');
});

test('BlazeFace finds the one face in grace_hopper.bmp and several in face.jpg', { skip: skipModels }, () => {
  const names = ['Identity', 'Identity_1', 'Identity_2', 'Identity_3'];
  const outputsOf = (get) => Object.fromEntries(names.map((n) => [n, get(n)]));
  const grace = decodeBlazeFace(outputsOf(runModel('blazeface', photoPath('grace_hopper.bmp'), BLAZEFACE_PREPROCESS, 'input')),
    { imageWidth: 512, imageHeight: 600, threshold: 0.6 });
  assert.equal(grace.length, 1);
  // Her face is in the upper middle of the portrait.
  const [cx, cy] = [(grace[0].x1 + grace[0].x2) / 2, (grace[0].y1 + grace[0].y2) / 2];
  assert.ok(cx > 150 && cx < 360 && cy > 120 && cy < 350, `face centre (${cx}, ${cy})`);
  const group = decodeBlazeFace(outputsOf(runModel('blazeface', photoPath('face.jpg'), BLAZEFACE_PREPROCESS, 'input')),
    { imageWidth: 512, imageHeight: 355, threshold: 0.6 });
  assert.ok(group.length >= 2, `${group.length} faces in face.jpg`);
});
