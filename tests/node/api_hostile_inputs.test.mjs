// The JS API (web/webcnn.js) against hostile or mistaken arguments (issue 18): {worker: true} in Node,
// inputs checked before anything is converted, no copy kept of a model that failed to load, TF.js shard
// paths that decode to an escape from model.json's directory.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';

const webcnnUrl = new URL('../../web/webcnn.js', import.meta.url).href;
const webcnn = await import(webcnnUrl);

const invalid = (code, pattern) => (e) => {
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

const ESCAPES = ['%2e%2e/%2e%2e/outside.bin', '%2E%2E/outside.bin', '.%2e/outside.bin', 'a/%2e%2e/%2e%2e/outside.bin',
  '..%2foutside.bin', '..%5Coutside.bin', '%252e%252e/outside.bin', '%2foutside.bin', '..\\outside.bin', 'C:/outside.bin',
  '%zz.bin', 'a%00.bin'];

const manifest = (path) => JSON.stringify({
  format: 'graph-model',
  modelTopology: { node: [] },
  weightsManifest: [{ paths: [path], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }],
});

test('TF.js shard paths that decode to an escape are refused (INVALID_MODEL, naming the path) before any is fetched', async () => {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const match = /^\/m(\d+)\/d\/model\.json$/.exec(path);
    if (match) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(manifest(ESCAPES[Number(match[1])]));
    } else {
      res.writeHead(200);
      res.end(Buffer.alloc(4));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    for (const [i, path] of ESCAPES.entries()) {
      const shown = new RegExp(`shard path '${path.replace(/[\\.*+?^${}()|[\]]/g, '\\$&')}' must be relative to model.json`);
      await assert.rejects(webcnn.load(`${base}/m${i}/d/model.json`), invalid('INVALID_MODEL', shown), path);
      await assert.rejects(webcnn.load({ modelJson: manifest(path), weights: { [path]: new Uint8Array(4), 'outside.bin': new Uint8Array(4) } }),
        invalid('INVALID_MODEL', shown), path);
    }
    assert.deepEqual(requests, ESCAPES.map((_, i) => `/m${i}/d/model.json`), 'only the model.json files were fetched');
  } finally {
    server.close();
  }
  // A path that stays beside model.json, with an escape in it, is still read from there.
  await assert.rejects(webcnn.load({ modelJson: manifest('a%20b.bin'), weights: {} }), invalid('INVALID_ARGUMENT', /'a%20b.bin' named by modelJson is missing/));
});
