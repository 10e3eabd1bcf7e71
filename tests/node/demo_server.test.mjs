// web/server.mjs, the demo's static server: MIME types, brotli/gzip that decode to the file's bytes,
// revalidation (ETag → 304), COOP/COEP/CSP on every response, models served from models/human/, and
// refusals (paths escaping the roots, writes).
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import { createDemoServer } from '../../web/server.mjs';

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

let server, port;
before(async () => {
  server = createDemoServer({ webRoot: web, mounts: { '/models/human/': models } });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = server.address().port;
});
after(() => server.close());

function get(path, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
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
