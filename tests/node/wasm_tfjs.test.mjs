// TF.js graph models through the public JavaScript API (web/webcnn.js) on the wasm build, in Node: every
// way of handing over model.json and its weight shards gives the same model as loading it by path, errors
// name the file at fault, progress spans all files, and ONNX loading is unchanged. Numerical agreement
// with TF.js itself is tfjs_oracle.test.mjs's job; here the reference is the same model loaded by path,
// so outputs must be bit-identical.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { repoRoot } from './support/cli.mjs';
import { scratch, smallCnnFile } from './support/wasm_models.mjs';
import { randomFloats } from './support/wasm_onnx.mjs';

const webcnn = await import('../../web/webcnn.js');

const human = join(repoRoot, 'models', 'human');
const blazeface = join(human, 'blazeface.json');
// Locally the models may not have been fetched yet (node models/fetch-models.mjs); in CI they must be.
const skip = !process.env.CI && !existsSync(blazeface) && 'models/human not fetched (node models/fetch-models.mjs)';

const input = { data: randomFloats(256 * 256 * 3, 5), shape: [1, 256, 256, 3] };
const feeds = (model) => ({ [model.inputs[0].name]: input });

/**
 * blazeface with its single shard cut into three, under weights/ (manifest paths
 * 'weights/group1-shard<i>of3.bin'), in a directory of its own: the multi-shard layout tfjs-converter
 * writes for larger models.
 */
function splitBlazeface(dir) {
  const json = JSON.parse(readFileSync(blazeface, 'utf8'));
  const bin = readFileSync(join(human, 'blazeface.bin'));
  mkdirSync(join(dir, 'weights'), { recursive: true });
  const cuts = [0, Math.floor(bin.length / 3), Math.floor((2 * bin.length) / 3), bin.length];
  const names = [1, 2, 3].map((i) => `group1-shard${i}of3.bin`);
  const shards = names.map((n, i) => bin.subarray(cuts[i], cuts[i + 1]));
  names.forEach((n, i) => writeFileSync(join(dir, 'weights', n), shards[i]));
  json.weightsManifest[0].paths = names.map((n) => `weights/${n}`);
  const text = JSON.stringify(json);
  writeFileSync(join(dir, 'model.json'), text);
  return { jsonPath: join(dir, 'model.json'), text, names, shards, bin };
}

let reference; // blazeface's outputs, loaded by path
let split;
let server;
let baseUrl;

before(async () => {
  if (skip) return;
  const model = await webcnn.load(blazeface);
  reference = await model.run(feeds(model));
  await model.dispose();
  split = splitBlazeface(join(scratch, 'split'));
  // Serves the scratch directory; '/nolength/...' answers without Content-Length (chunked).
  server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const chunked = url.pathname.startsWith('/nolength/');
    const file = join(scratch, decodeURIComponent(url.pathname.replace(/^\/nolength/, '')));
    if (!file.startsWith(scratch) || !existsSync(file)) {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    const body = readFileSync(file);
    if (chunked) {
      res.writeHead(200);
      res.write(body.subarray(0, body.length >> 1));
      res.end(body.subarray(body.length >> 1));
    } else {
      res.writeHead(200, { 'content-length': body.length }).end(body);
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${server.address().port}`;
});
after(() => server?.close());

async function assertSameAsReference(model, what) {
  assert.equal(model.format, 'tfjs', what);
  const out = await model.run(feeds(model));
  assert.deepEqual(Object.keys(out), Object.keys(reference), what);
  for (const name of Object.keys(reference)) assert.deepEqual(out[name], reference[name], `${what}: output ${name}`);
  await model.dispose();
}

test('TF.js by path, by file: URL and over HTTP: same outputs, format and bytes reported', { skip }, async () => {
  const bytes = readFileSync(blazeface).length + readFileSync(join(human, 'blazeface.bin')).length;
  const byPath = await webcnn.load(blazeface);
  assert.equal(byPath.bytes, bytes);
  await assertSameAsReference(byPath, 'path');
  await assertSameAsReference(await webcnn.load(new URL(`file://${split.jsonPath}`)), 'file: URL, 3 shards');
  const overHttp = await webcnn.load(`${baseUrl}/split/model.json`);
  assert.equal(overHttp.bytes, split.text.length + split.bin.length);
  await assertSameAsReference(overHttp, 'http, 3 shards');
  // A model.json under another name is recognised by its first byte.
  copyFileSync(split.jsonPath, join(scratch, 'split', 'model.txt'));
  await assertSameAsReference(await webcnn.load(join(scratch, 'split', 'model.txt')), 'model.json named model.txt');
});

test('TF.js from {modelJson, weights}: text, object or Blob; shards by manifest path or by file name', { skip }, async () => {
  const json = JSON.parse(split.text);
  const byPath = Object.fromEntries(split.names.map((n, i) => [`weights/${n}`, split.shards[i]]));
  const byName = Object.fromEntries(split.names.map((n, i) => [n, new Blob([split.shards[i]])]));
  const asBuffers = Object.fromEntries(split.names.map((n, i) => [n, Uint8Array.from(split.shards[i]).buffer]));
  await assertSameAsReference(await webcnn.load({ modelJson: split.text, weights: byPath }), 'text + Uint8Arrays by path');
  await assertSameAsReference(await webcnn.load({ modelJson: json, weights: byName }), 'object + Blobs by name');
  await assertSameAsReference(await webcnn.load({ modelJson: new Blob([split.text]), weights: asBuffers }), 'Blob + ArrayBuffers');
  // The caller's object is not modified.
  assert.deepEqual(json, JSON.parse(split.text));
});

test('TF.js from a file list (as <input type=file multiple> gives): shards matched by name, any order', { skip }, async () => {
  const files = [
    new File([split.shards[2]], split.names[2]),
    new File([split.text], 'model.json'),
    new File([split.shards[0]], split.names[0]),
    new File([split.shards[1]], split.names[1]),
  ];
  const progress = [];
  const model = await webcnn.load(files, { onProgress: (p) => progress.push(p) });
  assert.equal(model.bytes, split.text.length + split.bin.length);
  assert.deepEqual(progress.at(-1), { loaded: model.bytes, total: model.bytes });
  await assertSameAsReference(model, 'file list');
  // One .onnx file in a list, or alone as a Blob, is an ONNX model.
  const onnx = readFileSync(smallCnnFile());
  for (const source of [[new File([onnx], 'small.onnx')], new File([onnx], 'small.onnx'), new Blob([onnx])]) {
    const m = await webcnn.load(source);
    assert.equal(m.format, 'onnx');
    assert.equal(m.bytes, onnx.length);
    await m.dispose();
  }
  await assert.rejects(webcnn.load([new File([split.text], 'a.json'), new File([split.text], 'b.json')]),
    /several \.json files were given \('a\.json', 'b\.json'\)/);
  await assert.rejects(webcnn.load([]), /no files were given/);
});

test('a missing weight shard rejects with an Error naming it, wherever the files come from', { skip }, async () => {
  await assert.rejects(webcnn.load(`${baseUrl}/split/weights-missing.json`), /cannot load model .*weights-missing\.json: HTTP 404/);
  // model.json pointing at a shard that is not there.
  const json = JSON.parse(split.text);
  json.weightsManifest[0].paths[1] = 'weights/group1-shard2of3-gone.bin';
  writeFileSync(join(scratch, 'split', 'gone.json'), JSON.stringify(json));
  await assert.rejects(webcnn.load(`${baseUrl}/split/gone.json`),
    new RegExp(`cannot load weights shard 'weights/group1-shard2of3-gone\\.bin' beside ${baseUrl}/split/gone\\.json: HTTP 404 Not Found`));
  await assert.rejects(webcnn.load(join(scratch, 'split', 'gone.json')),
    /cannot load weights shard 'weights\/group1-shard2of3-gone\.bin' beside .*gone\.json: no such file/);
  const parts = { modelJson: split.text, weights: { [split.names[0]]: split.shards[0], [split.names[2]]: split.shards[2] } };
  await assert.rejects(webcnn.load(parts), /weights shard 'weights\/group1-shard2of3\.bin' named by modelJson is missing from weights \(given: 'group1-shard1of3\.bin', 'group1-shard3of3\.bin'\)/);
  const files = [new File([split.text], 'model.json'), new File([split.shards[0]], split.names[0])];
  await assert.rejects(webcnn.load(files), /weights shard 'weights\/group1-shard2of3\.bin' named by model\.json is not among the given files \('model\.json', 'group1-shard1of3\.bin'\)/);
  // model.json alone, as bytes: the shards it needs are named.
  await assert.rejects(webcnn.load(new TextEncoder().encode(split.text)),
    /model\.json \(given as bytes\) is a TF\.js model\.json; its weight shards \('weights\/group1-shard1of3\.bin', .*\) are needed too/);
  // Shard paths must stay beside model.json: no reading of other files.
  json.weightsManifest[0].paths[1] = '../../etc/passwd';
  await assert.rejects(webcnn.load({ modelJson: json, weights: {} }), /shard path '\.\.\/\.\.\/etc\/passwd' must be relative to model\.json, without '\.\.'/);
  // Still usable afterwards.
  await assertSameAsReference(await webcnn.load(split.jsonPath), 'load after errors');
});

test('a weight shard shorter or longer than the manifest says rejects with the engine\'s message naming it', { skip }, async () => {
  const short = { modelJson: split.text, weights: { [split.names[0]]: split.shards[0], [split.names[1]]: split.shards[1], [split.names[2]]: split.shards[2].subarray(0, 100) } };
  await assert.rejects(webcnn.load(short), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /shard 'weights\/group1-shard3of3\.bin' shorter than the manifest says/);
    return true;
  });
  const long = { ...short, weights: { ...short.weights, [split.names[2]]: new Uint8Array(split.shards[2].length + 4) } };
  await assert.rejects(webcnn.load(long), /shard 'weights\/group1-shard3of3\.bin' makes .* \(shard longer than the manifest says\)/);
  await assert.rejects(webcnn.load({ modelJson: '{"modelTopology": ', weights: {} }), /modelJson is not valid JSON/);
  await assert.rejects(webcnn.load({ modelJson: { format: 'layers-model?' }, weights: {} }), Error);
  await assertSameAsReference(await webcnn.load(split.jsonPath), 'load after errors');
});

test('progress spans model.json and every shard: loaded monotone, never above total, total known from the manifest', { skip }, async () => {
  // selfie stores float16-quantized weights: the manifest's byte count must account for them.
  for (const [what, source, size] of [
    ['3 shards over HTTP', `${baseUrl}/split/model.json`, split.text.length + split.bin.length],
    ['3 shards over HTTP without Content-Length', `${baseUrl}/nolength/split/model.json`, split.text.length + split.bin.length],
    ['3 shards from disk', split.jsonPath, split.text.length + split.bin.length],
    ['selfie (float16 weights) from disk', join(human, 'selfie.json'),
      readFileSync(join(human, 'selfie.json')).length + readFileSync(join(human, 'selfie.bin')).length],
  ]) {
    const progress = [];
    const model = await webcnn.load(source, { onProgress: (p) => progress.push(p) });
    assert.equal(model.bytes, size, what);
    assert.deepEqual(progress.at(-1), { loaded: size, total: size }, what);
    for (let i = 0; i < progress.length; ++i) {
      const { loaded, total } = progress[i];
      if (total !== null) assert.ok(loaded <= total, `${what}: report ${i}: loaded ${loaded} > total ${total}`);
      if (i > 0) {
        assert.ok(loaded >= progress[i - 1].loaded, `${what}: loaded went back at report ${i}`);
        if (progress[i - 1].total !== null) assert.ok(total >= progress[i - 1].total, `${what}: total went back at report ${i}`);
      }
    }
    // Once model.json has arrived (the first report with more than its bytes), the total is final.
    const jsonBytes = readFileSync(typeof source === 'string' && !source.startsWith('http') ? source : split.jsonPath).length;
    const afterJson = progress.filter((p) => p.loaded > jsonBytes);
    assert.ok(afterJson.length >= 1, `${what}: shard progress reported`);
    for (const p of afterJson) assert.equal(p.total, size, `${what}: total after model.json`);
    await model.dispose();
  }
});

test('ONNX still loads as before, with format and bytes', async () => {
  const path = smallCnnFile();
  const size = readFileSync(path).length;
  const progress = [];
  const model = await webcnn.load(path, { onProgress: (p) => progress.push(p) });
  assert.equal(model.format, 'onnx');
  assert.equal(model.bytes, size);
  assert.deepEqual(progress.at(-1), { loaded: size, total: size });
  const out = await model.run({ image: { data: randomFloats(3 * 16 * 16, 7), shape: [1, 3, 16, 16] } });
  assert.equal(out.probs.data.length, 10);
  await model.dispose();
});

test('look inside a TF.js model: layers, their filters, and a layer captured during runImage', { skip }, async () => {
  const model = await webcnn.load(blazeface);
  const layers = await model.layers();
  assert.ok(layers.length >= 10, `${layers.length} convolutions`);
  for (const l of layers) {
    assert.equal(l.weights.length, 4, l.name);
    assert.ok(l.group >= 1 && l.weights[0] % l.group === 0, `${l.name}: group ${l.group}`);
  }
  const first = layers[0];
  const f = await model.filters(first.name);
  assert.deepEqual(f.shape, first.weights);
  assert.equal(f.data.length, first.weights.reduce((a, b) => a * b, 1));
  assert.ok(f.data.some((v) => v !== 0));
  const image = { data: Uint8Array.from(randomFloats(64 * 48 * 4, 9), (v) => Math.round((v + 1) * 127)), width: 64, height: 48 };
  const preprocess = { preset: 'minus1to1', fit: 'stretch' };
  const plain = await model.runImage(image, { preprocess });
  const last = layers.at(-1).name;
  const out = await model.runImage(image, { preprocess, capture: [first.name, last] });
  for (const name of Object.keys(plain)) assert.deepEqual(out[name], plain[name], `output ${name} unchanged by capture`);
  const c = out.captured[first.name];
  assert.equal(c.shape.length, 4);
  assert.equal(c.shape[0], 1);
  assert.equal(c.shape[3], first.weights[0], 'NHWC with one channel per filter');
  assert.equal(c.data.length, c.shape.reduce((a, b) => a * b, 1));
  assert.equal(out.captured[last].shape[3], layers.at(-1).weights[0]);
  await model.dispose();
});
