// web/server.mjs under load, in a child process whose memory is measured (support/demo_server_child.mjs):
// clients that never read must not make it hold the files they asked for, and 500 parallel requests (cold
// compressed wasm, 4 MiB shards, the page) are all answered with a bounded peak RSS.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const MiB = 1 << 20;
const dir = mkdtempSync(join(tmpdir(), 'webcnn-demo-server-load-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic bytes: dense (shards) or drawn from 16 values (compressible, like a wasm module). */
function bytes(size, seed, alphabet = 256) {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x % alphabet;
  }
  return out;
}

const big = bytes(32 * MiB, 1);
const shard = bytes(4 * MiB, 2);
const wasm = bytes(2 * MiB, 3, 16);
const page = '<!doctype html><title>t</title>' + 'x'.repeat(20000);
writeFileSync(join(dir, 'big.bin'), big);
writeFileSync(join(dir, 'shard.bin'), shard);
writeFileSync(join(dir, 'app.wasm'), wasm);
writeFileSync(join(dir, 'index.html'), page);

/** A fresh server child: {port, memory(): Promise<{rss, peakRss}>, stop()}. */
async function startServer() {
  const child = fork(fileURLToPath(new URL('./support/demo_server_child.mjs', import.meta.url)), [dir], { stdio: 'inherit' });
  const [{ port }] = await once(child, 'message');
  return {
    port,
    async memory() {
      child.send('memory');
      return (await once(child, 'message'))[0];
    },
    stop() { child.kill(); },
  };
}

let server;
before(async () => { server = await startServer(); });
after(() => server.stop());

test('clients that never read do not make the server hold the file', async () => {
  const clients = 16;
  const { rss: before } = await server.memory();
  // Each client sends its request and stops reading at the first bytes of the response.
  const sockets = await Promise.all(Array.from({ length: clients }, () => new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write('GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    socket.once('data', () => { socket.pause(); resolve(socket); });
    socket.on('error', reject);
  })));
  const { rss } = await server.memory();
  for (const socket of sockets) socket.destroy();
  // Holding the file per client would be 16 x 32 MiB = 512 MiB; streaming holds a few chunks each.
  assert.ok(rss - before < 64 * MiB, `server RSS grew ${((rss - before) / MiB).toFixed(0)} MiB for ${clients} paused clients`);
});

test('500 parallel requests are all answered, the server peaking under 200 MB', async () => {
  const fetchOne = (path, headers) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
  const kinds = [['/app.wasm', { 'accept-encoding': 'br' }], ['/shard.bin', {}], ['/', { 'accept-encoding': 'gzip' }]];
  const results = await Promise.all(Array.from({ length: 500 }, (_, i) => fetchOne(...kinds[i % 3]).then((r) => {
    // Check each body here and keep only its status: this process holds no 500 bodies at once either.
    const body = r.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(r.body)
      : r.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(r.body) : r.body;
    const expected = [wasm, shard, Buffer.from(page)][i % 3];
    return r.status === 200 && body.equals(expected) ? 'ok' : `${kinds[i % 3][0]}: ${r.status}, ${body.length} bytes`;
  }, (e) => `${kinds[i % 3][0]}: ${e.message}`)));
  assert.deepEqual(results.filter((r) => r !== 'ok'), []);
  const { peakRss } = await server.memory();
  assert.ok(peakRss < 200 * MiB, `server peak RSS ${(peakRss / MiB).toFixed(0)} MiB`);
});
