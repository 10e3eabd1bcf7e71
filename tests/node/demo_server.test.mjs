// web/server.mjs, the demo's static server: MIME types, brotli/gzip that decode to the file's bytes,
// revalidation (ETag → 304), COOP/COEP/CSP on every response, models served from models/human/ (and, by
// default, the repository's committed TFLite models from models/tflite/, sent as they are), and
// refusals (paths escaping the roots, writes), compression once per file version however many requests
// ask at once, byte ranges, and If-None-Match lists with weak entity tags.
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import { createDemoServer } from '../../web/server.mjs';
import { root } from './support/browser.mjs';

const dir = mkdtempSync(join(tmpdir(), 'webcnn-demo-server-'));
const web = join(dir, 'web');
const models = join(dir, 'models');
const outside = join(dir, 'secret.txt');
mkdirSync(join(web, 'dist'), { recursive: true });
mkdirSync(models);
const page = '<!doctype html><title>t</title>' + 'x'.repeat(2000);
const wasm = Buffer.from([0, 97, 115, 109, 1, 0, 0, 0, ...Array(3000).fill(0)]);
const weights = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) & 255));
writeFileSync(join(web, 'index.html'), page);
writeFileSync(join(web, 'dist', 'm.wasm'), wasm);
writeFileSync(join(web, 'app.js'), 'export const a = 1;\n');
writeFileSync(join(models, 'm.json'), '{"modelTopology": {}}');
writeFileSync(join(models, 'm.bin'), weights);
writeFileSync(outside, 'not for the web');
symlinkSync(outside, join(web, 'link.txt'));
// Compressible but not trivially: lines of pseudo-random words.
const words = ['conv', 'relu', 'pool', 'tensor', 'shape', 'kernel', 'stride', 'pad', 'bias', 'scale'];
const bigScript = Array.from({ length: 40000 }, (_, i) => `const v${i} = '${words[(i * 7919) % 10]}${(i * 104729) % 997}';`).join('\n');
writeFileSync(join(web, 'big.js'), bigScript);

const compressions = []; // [file, encoding] for each compression the server does

let server, port;
before(async () => {
  server = createDemoServer({ webRoot: web, mounts: { '/models/human/': models },
    onCompress: (file, encoding) => compressions.push([file, encoding]) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});
after(() => server.close());

function get(path, { method = 'GET', headers = {}, at = port } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: at, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('MIME types and isolation headers', async () => {
  const cases = [['/', 'text/html; charset=utf-8'], ['/app.js', 'text/javascript; charset=utf-8'],
    ['/dist/m.wasm', 'application/wasm'], ['/models/human/m.json', 'application/json; charset=utf-8'],
    ['/models/human/m.bin', 'application/octet-stream']];
  for (const [path, type] of cases) {
    const r = await get(path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['content-type'], type, path);
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.match(r.headers['content-security-policy'], /connect-src 'self'/);
    assert.equal(r.headers['cache-control'], 'no-cache');
  }
  assert.deepEqual((await get('/models/human/m.bin')).body, weights);
});

test('brotli and gzip decode to the same bytes; weights are sent as they are', async () => {
  const br = await get('/dist/m.wasm', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.ok(br.body.length < wasm.length);
  assert.deepEqual(zlib.brotliDecompressSync(br.body), wasm);
  const gz = await get('/index.html', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(Number(gz.headers['content-length']), gz.body.length);
  assert.equal(zlib.gunzipSync(gz.body).toString(), page);
  const plain = await get('/index.html');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), page);
  const bin = await get('/models/human/m.bin', { headers: { 'accept-encoding': 'br, gzip' } });
  assert.equal(bin.headers['content-encoding'], undefined);
  assert.equal(Number(bin.headers['content-length']), weights.length);
});

test('revalidation: a matching ETag gets 304, a changed file a new ETag', async () => {
  const first = await get('/app.js');
  assert.ok(first.headers.etag);
  assert.equal((await get('/app.js', { headers: { 'if-none-match': first.headers.etag } })).status, 304);
  writeFileSync(join(web, 'app.js'), 'export const a = 2; // changed\n');
  const changed = await get('/app.js', { headers: { 'if-none-match': first.headers.etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, first.headers.etag);
  assert.match(changed.body.toString(), /changed/);
});

test('refuses escapes, missing files and writes', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/models/human/..%2f..%2fsecret.txt', '/link.txt', '/nope.js', '/dist/']) {
    const r = await get(path);
    assert.equal(r.status, 404, path);
    assert.ok(!r.body.toString().includes('not for the web'), path);
  }
  const post = await get('/index.html', { method: 'POST' });
  assert.equal(post.status, 405);
  const head = await get('/dist/m.wasm', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.ok(readFileSync(outside, 'utf8').length > 0);
});

test('concurrent cold requests for a file share one compression per encoding and file version', async () => {
  const count = (encoding) => compressions.filter(([file, e]) => file.endsWith('big.js') && e === encoding).length;
  const brs = await Promise.all(Array.from({ length: 50 }, () => get('/big.js', { headers: { 'accept-encoding': 'br' } })));
  const gzs = await Promise.all(Array.from({ length: 20 }, () => get('/big.js', { headers: { 'accept-encoding': 'gzip' } })));
  assert.equal(count('br'), 1);
  assert.equal(count('gzip'), 1);
  for (const r of brs) assert.equal(zlib.brotliDecompressSync(r.body).toString(), bigScript);
  for (const r of gzs) assert.equal(zlib.gunzipSync(r.body).toString(), bigScript);
  // A new version of the file is compressed again, once.
  writeFileSync(join(web, 'big.js'), bigScript + '\n// v2');
  const v2 = await Promise.all(Array.from({ length: 10 }, () => get('/big.js', { headers: { 'accept-encoding': 'br' } })));
  assert.equal(count('br'), 2);
  for (const r of v2) assert.match(zlib.brotliDecompressSync(r.body).toString(), /\/\/ v2$/);
});

test('Range: one range gets 206 with its bytes; bad or past-the-end ranges 416; encoded bodies ignore it', async () => {
  const cases = [['bytes=100-199', 100, 199], ['bytes=4000-', 4000, 4095], ['bytes=-10', 4086, 4095], ['bytes=0-0', 0, 0],
    ['bytes=4090-99999', 4090, 4095]];
  for (const [range, start, end] of cases) {
    const r = await get('/models/human/m.bin', { headers: { range } });
    assert.equal(r.status, 206, range);
    assert.equal(r.headers['content-range'], `bytes ${start}-${end}/4096`, range);
    assert.equal(Number(r.headers['content-length']), end - start + 1, range);
    assert.deepEqual(r.body, weights.subarray(start, end + 1), range);
  }
  for (const range of ['bytes=4096-', 'bytes=200-100', 'bytes=abc', 'bytes=-0', 'bytes=-', 'bytes=1-2-3']) {
    const r = await get('/models/human/m.bin', { headers: { range } });
    assert.equal(r.status, 416, range);
    assert.equal(r.headers['content-range'], 'bytes */4096', range);
  }
  const whole = await get('/models/human/m.bin', { headers: { range: 'bytes=0-1, 5-6' } }); // several: the whole file
  assert.equal(whole.status, 200);
  assert.deepEqual(whole.body, weights);
  assert.equal((await get('/models/human/m.bin')).headers['accept-ranges'], 'bytes');
  // The wasm asked for brotli: no range of a compressed body, the whole of it.
  const br = await get('/dist/m.wasm', { headers: { range: 'bytes=0-3', 'accept-encoding': 'br' } });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-range'], undefined);
  assert.deepEqual(zlib.brotliDecompressSync(br.body), wasm);
  const plain = await get('/dist/m.wasm', { headers: { range: 'bytes=0-3' } });
  assert.equal(plain.status, 206);
  assert.deepEqual(plain.body, wasm.subarray(0, 4));
  // If-Range with another ETag: the range is for a version the client no longer has, so the whole file.
  const stale = await get('/models/human/m.bin', { headers: { range: 'bytes=0-3', 'if-range': '"old"' } });
  assert.equal(stale.status, 200);
  assert.equal(stale.body.length, 4096);
});

test('If-None-Match: lists, weak tags and * match; other tags and other encodings do not', async () => {
  const br = await get('/index.html', { headers: { 'accept-encoding': 'br' } });
  const etag = br.headers.etag;
  const status = async (ifNoneMatch, encoding = 'br') =>
    (await get('/index.html', { headers: { 'if-none-match': ifNoneMatch, 'accept-encoding': encoding } })).status;
  assert.equal(await status(`"a", ${etag}, "b"`), 304);
  assert.equal(await status(`"a",${etag}`), 304);
  assert.equal(await status(`W/${etag}`), 304);
  assert.equal(await status(`"x", W/${etag}`), 304);
  assert.equal(await status('*'), 304);
  assert.equal(await status('"a", "b"'), 200);
  assert.equal(await status(`W/"${etag.slice(1, -1)}x"`), 200);
  assert.equal(await status(etag, 'gzip'), 200); // the brotli variant's tag does not name the gzip one
  const notModified = await get('/index.html', { headers: { 'if-none-match': etag, 'accept-encoding': 'br' } });
  assert.equal(notModified.headers.etag, etag);
  assert.equal(notModified.body.length, 0);
});

test('the default mounts serve the committed TFLite model and its labels (the Classify mode\'s)', async () => {
  const demo = createDemoServer();
  await new Promise((resolve) => demo.listen(0, '127.0.0.1', resolve));
  try {
    const at = demo.address().port;
    const file = readFileSync(join(root, 'models', 'tflite', 'mobilenet_v2_1.0_224_quant.tflite'));
    const model = await get('/models/tflite/mobilenet_v2_1.0_224_quant.tflite', { at, headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(model.status, 200);
    assert.equal(model.headers['content-type'], 'application/octet-stream');
    assert.equal(model.headers['content-encoding'], undefined);
    assert.equal(Number(model.headers['content-length']), file.length);
    assert.ok(model.body.equals(file));
    const labels = await get('/models/tflite/imagenet_labels.txt', { at });
    assert.equal(labels.status, 200);
    assert.equal(labels.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(labels.body.toString().trim().split('\n').length, 1001);
  } finally {
    demo.close();
  }
});
