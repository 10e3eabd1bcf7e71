// The demo server (web/server.mjs) under load: starts it in a child process on 127.0.0.1 (serving web/
// at / and temporary 4 MiB weight shards at /models/bench/), fires N parallel requests, a third each of
// cold brotli wasm (web/dist/*.wasm, never requested before), shards and the page, then reports how many
// were answered correctly, the server's peak RSS (VmHWM in /proc/<pid>/status) and latency p50/p99.
//
//   node bench/server_load.mjs [--requests 500] [--server path/to/server.mjs]   (--server: compare another version)
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const total = Number(arg('--requests', 500));
const serverModule = arg('--server');

const web = join(root, 'web');
const wasmFiles = existsSync(join(web, 'dist')) ? readdirSync(join(web, 'dist')).filter((f) => f.endsWith('.wasm')) : [];
if (!wasmFiles.length) throw new Error('web/dist has no .wasm: copy or build the wasm module first (scripts/build-wasm.sh)');

// Dense pseudo-random shards, like weights: served as they are.
const shardDir = mkdtempSync(join(tmpdir(), 'webcnn-server-load-'));
const shards = Array.from({ length: 4 }, (_, s) => {
  const bytes = Buffer.alloc(4 << 20);
  let x = s + 1;
  for (let i = 0; i < bytes.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0; bytes[i] = x & 255; }
  writeFileSync(join(shardDir, `group${s}-shard1of1.bin`), bytes);
  return bytes;
});

const child = fork(join(root, 'tests', 'node', 'support', 'demo_server_child.mjs'), [web, JSON.stringify({ '/models/bench/': shardDir })],
  { env: { ...process.env, ...(serverModule && { WEBCNN_DEMO_SERVER: resolve(serverModule) }) }, stdio: 'inherit' });
const [{ port }] = await once(child, 'message');
const peakRssMiB = () => Number(readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1]) / 1024;
const idleMiB = peakRssMiB();

const expected = new Map([...wasmFiles.map((f) => [`/dist/${f}`, readFileSync(join(web, 'dist', f))]),
  ...shards.map((b, s) => [`/models/bench/group${s}-shard1of1.bin`, b]), ['/', readFileSync(join(web, 'index.html'))]]);
const plan = Array.from({ length: total }, (_, i) => {
  if (i % 3 === 0) return [`/dist/${wasmFiles[(i / 3) % wasmFiles.length]}`, { 'accept-encoding': 'gzip, deflate, br' }];
  if (i % 3 === 1) return [`/models/bench/group${i % 4}-shard1of1.bin`, { 'accept-encoding': 'gzip, deflate, br' }];
  return ['/', { 'accept-encoding': 'gzip, deflate, br' }];
});

function fetchOne([path, headers]) {
  const start = process.hrtime.bigint();
  return new Promise((resolveRequest) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const raw = Buffer.concat(chunks);
        const encoding = res.headers['content-encoding'];
        const body = encoding === 'br' ? zlib.brotliDecompressSync(raw) : encoding === 'gzip' ? zlib.gunzipSync(raw) : raw;
        resolveRequest({ ok: res.statusCode === 200 && body.equals(expected.get(path)), ms });
      });
      res.on('error', () => resolveRequest({ ok: false, ms: NaN }));
    });
    req.on('error', () => resolveRequest({ ok: false, ms: NaN }));
    req.end();
  });
}

const started = Date.now();
const results = await Promise.all(plan.map(fetchOne));
const wall = Date.now() - started;
const peak = peakRssMiB();
child.kill();
rmSync(shardDir, { recursive: true, force: true });

const times = results.filter((r) => r.ok).map((r) => r.ms).sort((a, b) => a - b);
const pct = (p) => (times.length ? times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(0) : 'n/a');
console.log(`server: ${serverModule || 'web/server.mjs'}; ${total} parallel requests (cold br ${wasmFiles.join(', ')}; 4 MiB shards; /)`);
console.log(`answered correctly: ${times.length}/${total} in ${wall} ms`);
console.log(`server peak RSS (VmHWM): ${peak.toFixed(0)} MiB (idle ${idleMiB.toFixed(0)} MiB)`);
console.log(`latency: p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
