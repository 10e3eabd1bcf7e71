// The JS API (web/webcnn.js) against hostile or mistaken arguments (issue 18): {worker: true} in Node,
// inputs checked before anything is converted, no copy kept of a model that failed to load, TF.js shard
// paths that decode to an escape from model.json's directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';

import { scratch, smallCnnFile } from './support/wasm_models.mjs';

const webcnnUrl = new URL('../../web/webcnn.js', import.meta.url).href;
const webcnn = await import(webcnnUrl);
const { backend } = await import('../../web/webcnn/backends.js');

const invalid = (code, pattern) => (e) => {
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

test('{worker: true} in Node, after an in-process load: refused with INVALID_ARGUMENT, the process lives on', () => {
  // In a child process: before the fix the worker thread died of "self is not defined" and took the process with it.
  const script = `
    const webcnn = await import(${JSON.stringify(webcnnUrl)});
    const path = ${JSON.stringify(smallCnnFile())};
    const model = await webcnn.load(path);
    const outcome = async (p) => p.then(() => 'resolved', (e) => ({ code: e.code, message: e.message }));
    const results = {
      load: await outcome(webcnn.load(path, { worker: true })),
      preprocess: await outcome(webcnn.preprocess({ data: new Uint8Array(4), width: 1, height: 1 }, 'unit', { worker: true })),
      memory: await outcome(webcnn.memory({ worker: true })),
    };
    await new Promise((resolve) => setTimeout(resolve, 500)); // an error event from a thread would end us here
    results.inProcessStillWorks = (await model.run({ image: new Float32Array(3 * 16 * 16) })).probs.data.length;
    console.log(JSON.stringify(results));
  `;
  const file = join(scratch, 'worker_in_node.mjs');
  writeFileSync(file, script);
  const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, `exit ${child.status}: ${child.stderr}`);
  const results = JSON.parse(child.stdout.trim().split('\n').at(-1));
  for (const call of ['load', 'preprocess', 'memory']) {
    assert.equal(results[call].code, 'INVALID_ARGUMENT', `${call}: ${JSON.stringify(results[call])}`);
    assert.match(results[call].message, /browser feature.*\{worker: false\}/);
  }
  assert.equal(results.inProcessStillWorks, 10);
});

test('a load that fails keeps no copy of the bytes; a model that loads keeps one until dispose()', async () => {
  const engine = await backend(false);
  const live = engine.live.size;
  // Count the Blobs webcnn makes (its copies for restarts are Blobs).
  const RealBlob = globalThis.Blob;
  let copies = 0;
  globalThis.Blob = class CountingBlob extends RealBlob {
    constructor(...args) {
      super(...args);
      ++copies;
    }
  };
  try {
    const notAModel = new Uint8Array(1 << 20).fill(0xab);
    for (let i = 0; i < 20; ++i) await assert.rejects(webcnn.load(notAModel), invalid('INVALID_MODEL'));
    assert.equal(copies, 0, 'copies made for failed loads');
    assert.equal(engine.live.size, live);
    const model = await webcnn.load(readFileSync(smallCnnFile()));
    assert.equal(copies, 1);
    assert.equal(engine.live.size, live + 1);
    await model.dispose();
    assert.equal(engine.live.size, live);
  } finally {
    globalThis.Blob = RealBlob;
  }
});

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
