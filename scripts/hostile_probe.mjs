#!/usr/bin/env node
// Hostile-input probe (issue 18): generates hostile inputs per category (tests/probe/cases.mjs, seeded, so
// every run makes the same ones) and runs them through the native CLI (`webcnn info`/`run`/`classify`), the
// JS API in Node (web/webcnn.js, in a child process: tests/probe/js_child.mjs) and the demo server
// (web/server.mjs, raw HTTP requests and a burst of parallel cold requests). Every outcome is judged
// (tests/probe/outcome.mjs): clean error, success, crash, hang, unclear message, or wrong. Prints the table
// category x surface, the slowest input of each, peak RSS; crashes/hangs/unclear/wrong are listed and their
// inputs saved under --out.
//
//   node scripts/hostile_probe.mjs --quick            # CI-sized: about 30 s
//   node scripts/hostile_probe.mjs --count 500        # cases per category (full run: a few thousand inputs)
//   options: --seed N (1)  --categories onnx,tflite,tfjs,image,npy,js-args,server  --timeout MS (20000)
//            --out DIR (saved findings)  --json FILE (every outcome)  --cli PATH ($WEBCNN_CLI or build/webcnn)
//   Reproduce one case: --categories onnx --from 137 --count 1
import { fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CATEGORIES, makeCase, smallCnnModel, tfjsSeedDir } from '../tests/probe/cases.mjs';
import { CLASSES, judgeCli, judgeJs } from '../tests/probe/outcome.mjs';
import { SECRET, serverCase } from '../tests/probe/server_cases.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function runProbe({ seed = 1, count = 400, from = 0, categories = Object.keys(CATEGORIES), timeoutMs = 20000, out = null,
  cli = process.env.WEBCNN_CLI || join(root, 'build', 'webcnn'), burst = 200, log = () => {} } = {}) {
  const scratch = mkdtempSync(join(tmpdir(), 'webcnn-probe-'));
  const results = [];
  const record = (c, surface, verdict, ms, rss, message) => {
    const r = { category: c.category, surface, index: c.index, name: c.name, class: verdict.class, reason: verdict.reason, ms, rss, message: message?.slice(0, 600) };
    results.push(r);
    if (!['clean', 'success'].includes(r.class)) {
      log(`  ${r.class.toUpperCase()} ${r.category}/${surface} #${r.index} ${r.name}: ${r.reason ?? ''} ${r.message ?? ''}`.slice(0, 400));
      if (out) saveFinding(out, c, r);
    }
  };
  const haveCli = existsSync(cli);
  if (!haveCli) log(`no CLI at ${cli}: its surface is skipped (build the webcnn target or set WEBCNN_CLI)`);
  const js = new JsRunner(timeoutMs, scratch);
  try {
    // Shared files: the model `webcnn classify`/`run` use, the TF.js shards (linked, not copied, per case).
    const cnnPath = join(scratch, 'small_cnn.onnx');
    writeFileSync(cnnPath, smallCnnModel());
    for (const category of categories) {
      if (category === 'server') { await probeServer({ seed, count, from, timeoutMs, burst, record, scratch }); continue; }
      for (let index = from; index < from + count; ++index) {
        const c = makeCase(seed, category, index);
        if (!c) break;
        const dir = join(scratch, `${category}-${index}`);
        mkdirSync(dir, { recursive: true });
        const files = writeCaseFiles(c, dir);
        const runs = [];
        if (c.surfaces.includes('cli') && haveCli) runs.push(runCli(cli, cliArgs(c, files, cnnPath, dir), timeoutMs, dir).then((o) => record(c, 'cli', judgeCli(o, c.expect), o.ms, o.rss, o.stderr)));
        if (c.surfaces.includes('js')) runs.push(js.run(c, files).then((o) => record(o.name ? { ...c, name: o.name } : c, 'js', judgeJs(o, c.expect), o.ms, o.maxRss, o.error?.message ?? o.error?.nonError ?? o.died)));
        await Promise.all(runs);
        rmSync(dir, { recursive: true, force: true });
      }
      log(`${category}: done`);
    }
  } finally {
    await js.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  return results;
}

// ---- files of a case -----------------------------------------------------------------------------------
function writeCaseFiles(c, dir) {
  if (c.kind === 'model') { const p = join(dir, `model.${c.category === 'tflite' ? 'tflite' : 'onnx'}`); writeFileSync(p, c.bytes); return { model: p }; }
  if (c.kind === 'image') { const p = join(dir, `image.${c.ext}`); writeFileSync(p, c.bytes); return { image: p }; }
  if (c.kind === 'npy') { const p = join(dir, 'input.npy'); writeFileSync(p, c.bytes); return { npy: p }; }
  if (c.kind === 'tfjs') {
    // dir/model/model.json with its shards; dir/outside.bin is what an escaping shard path would reach.
    const modelDir = join(dir, 'model');
    mkdirSync(modelDir);
    const seedJson = JSON.parse(readFileSync(join(tfjsSeedDir, `${c.model}.json`), 'utf8'));
    for (const group of seedJson.weightsManifest) {
      for (const shard of group.paths) {
        const source = join(tfjsSeedDir, shard);
        if (c.shard === 'same') symlinkSync(source, join(modelDir, shard));
        else { const b = readFileSync(source); writeFileSync(join(modelDir, shard), c.shard === 'short' ? b.subarray(0, b.length - 1) : c.shard === 'long' ? Buffer.concat([b, Buffer.alloc(100)]) : Buffer.alloc(0)); }
        if (!existsSync(join(dir, 'outside.bin'))) symlinkSync(source, join(dir, 'outside.bin'));
      }
    }
    const p = join(modelDir, 'model.json');
    writeFileSync(p, c.text);
    return { model: p };
  }
  return {};
}

function cliArgs(c, files, cnnPath, dir) {
  if (c.kind === 'image') return ['classify', cnnPath, files.image, '--top', '3'];
  if (c.kind === 'npy') return ['run', cnnPath, '--input', `image=${files.npy}`, '--output', join(dir, 'out')];
  return ['info', files.model];
}

// ---- the CLI: a process group of its own (killed whole on a hang), 4 GiB of address space at most ------------
function runCli(cli, args, timeoutMs, dir) {
  const start = performance.now();
  const rssFile = join(dir, 'cli-peak-rss.txt');
  // prlimit (util-linux) and GNU time where installed: the probe still runs without them, with no RSS figure.
  const wrapped = [...(existsSync('/usr/bin/prlimit') ? ['/usr/bin/prlimit', '--as=4294967296', '--'] : []),
    ...(existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M', '-o', rssFile] : []), cli, ...args];
  const child = spawn(wrapped[0], wrapped.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { if (stderr.length < 1 << 20) stderr += d; });
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
  return new Promise((resolve) => child.on('close', (status, signal) => {
    clearTimeout(timer);
    let rss = NaN;
    let sig = signal;
    try {
      const t = readFileSync(rssFile, 'utf8');
      rss = Number(t.trim().split('\n').at(-1)) * 1024;
      const m = /terminated by signal (\d+)/.exec(t);
      if (m) sig = Number(m[1]);
      rmSync(rssFile);
    } catch { /* killed before time wrote it */ }
    resolve({ status, signal: sig, stderr, timedOut, ms: performance.now() - start, rss });
  }));
}

// ---- the JS API: one child process, restarted after a hang or a death --------------------------------------
class JsRunner {
  constructor(timeoutMs, scratch) { this.timeoutMs = timeoutMs; this.scratch = scratch; this.child = null; this.nextId = 0; this.peakRss = 0; }
  async start() {
    this.child = fork(join(root, 'tests', 'probe', 'js_child.mjs'), [this.scratch], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: ['--max-old-space-size=2048'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-4000); });
    const [message] = await once(this.child, 'message');
    if (!message.ready) throw new Error('js_child did not start');
  }
  async run(c, files) {
    if (!this.child) await this.start();
    const child = this.child;
    const id = this.nextId++;
    const payload = c.kind === 'tfjs' ? { kind: 'tfjs', path: files.model } : c.kind === 'model' ? { kind: 'model', bytes: c.bytes } : { kind: c.kind, recipe: c.recipe, recipeSeed: c.recipeSeed };
    const start = performance.now();
    const reply = await new Promise((resolve) => {
      const timer = setTimeout(() => { cleanup(); resolve({ timedOut: true }); }, this.timeoutMs);
      const onMessage = (m) => { if (m.id === id) { cleanup(); resolve(m); } };
      const onExit = (code, signal) => { cleanup(); resolve({ died: `exit ${code} signal ${signal}: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` }); };
      const cleanup = () => { clearTimeout(timer); child.off('message', onMessage); child.off('exit', onExit); };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id, c: payload });
    });
    reply.ms = performance.now() - start;
    if (reply.maxRss) this.peakRss = Math.max(this.peakRss, reply.maxRss);
    if (reply.timedOut || reply.died) { child.kill('SIGKILL'); this.child = null; }
    return reply;
  }
  async close() { if (this.child) { this.child.kill(); this.child = null; } }
}

// ---- the demo server ----------------------------------------------------------------------------------------
async function probeServer({ seed, count, from, timeoutMs, burst, record, scratch }) {
  const top = join(scratch, 'server');
  const webRoot = join(top, 'web');
  mkdirSync(join(webRoot, 'files'), { recursive: true });
  mkdirSync(join(webRoot, 'dist'), { recursive: true });
  writeFileSync(join(top, 'secret.txt'), SECRET);
  const files = {
    '/index.html': Buffer.from(`<!doctype html><title>probe</title>${'<p>hello</p>'.repeat(200)}`),
    '/files/data.bin': Buffer.from(Array.from({ length: 100000 }, (_, i) => (i * 131) & 255)),
    '/files/app.js': Buffer.from('export const x = 1;\n'.repeat(2000)),
    '/dist/app.wasm': Buffer.from(Array.from({ length: 300000 }, (_, i) => (i % 97 === 0 ? i & 255 : 0))),
  };
  for (const [p, b] of Object.entries(files)) writeFileSync(join(webRoot, p), b);
  const child = fork(join(root, 'tests', 'node', 'support', 'demo_server_child.mjs'), [webRoot], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let serverStderr = '';
  child.stderr.on('data', (d) => { serverStderr = (serverStderr + d).slice(-4000); });
  const [{ port }] = await once(child, 'message');
  const peak = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024;
  try {
    for (let index = from; index < from + count; ++index) {
      const c = { category: 'server', index, ...serverCase(seed, index, files) };
      const start = performance.now();
      const res = await rawRequest(port, c.raw, timeoutMs);
      const ms = performance.now() - start;
      if (child.exitCode !== null) { record(c, 'server', { class: 'crash', reason: `server exited ${child.exitCode}: ${serverStderr}` }, ms, NaN); return; }
      let verdict;
      if (res.timedOut) verdict = { class: 'hang' };
      else if (res.error && !res.status) verdict = ['ECONNRESET', 'EPIPE'].includes(res.error) ? { class: 'clean', reason: 'connection closed' } : { class: 'crash', reason: res.error };
      else {
        const wrong = c.check({ ...res, method: c.method, path: c.path });
        verdict = wrong ? { class: wrong.startsWith('HTTP 5') ? 'crash' : 'wrong', reason: wrong } : { class: res.status < 400 ? 'success' : 'clean' };
      }
      record(c, 'server', verdict, ms, peak(), `HTTP ${res.status}`);
    }
    // Parallel cold requests: brotli of files never asked for before, and a shard nobody reads fast.
    const n = burst;
    for (let i = 0; i < Math.max(1, Math.ceil(n / 10)); ++i) writeFileSync(join(webRoot, 'dist', `cold${i}.wasm`), Buffer.from(Array.from({ length: 1 << 20 }, (_, k) => ((k * 7919) >> 5) & 255)));
    const answers = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const path = `/dist/cold${i % Math.ceil(n / 10)}.wasm`;
      const t0 = performance.now();
      const res = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\nConnection: close\r\n\r\n`, timeoutMs * 3);
      return { path, res, ms: performance.now() - t0 };
    }));
    for (const [i, { path, res, ms }] of answers.entries()) {
      const c = { category: 'server-burst', index: i, name: `parallel cold br GET ${path} (${n} at once)` };
      const verdict = res.timedOut ? { class: 'hang' } : res.status === 200 && res.headers['content-encoding'] === 'br' ? { class: 'success' } : { class: 'crash', reason: `HTTP ${res.status} ${res.error ?? ''}` };
      record(c, 'server', verdict, ms, peak());
    }
  } finally {
    child.kill();
  }
}

/** Sends `raw` as it is; resolves {status, headers, body} (body after the headers, chunked bodies decoded). */
function rawRequest(port, raw, timeoutMs) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks = [];
    let done = false;
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseResponse(Buffer.concat(chunks)), ...extra });
    };
    const timer = setTimeout(() => finish({ timedOut: true }), timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => finish({}));
    socket.on('error', (e) => finish({ error: e.code ?? e.message }));
    socket.write(raw);
  });
}

function parseResponse(buffer) {
  const end = buffer.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: buffer };
  const [statusLine, ...lines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
  const headers = {};
  for (const l of lines) { const i = l.indexOf(':'); headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim(); }
  let body = buffer.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const parts = [];
    let at = 0;
    for (;;) {
      const eol = body.indexOf('\r\n', at);
      if (eol < 0) break;
      const size = parseInt(body.subarray(at, eol).toString(), 16);
      if (!size) break;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  }
  return { status: Number(statusLine.split(' ')[1]) || 0, headers, body };
}

// ---- findings and the table ------------------------------------------------------------------------------------
function saveFinding(out, c, r) {
  mkdirSync(out, { recursive: true });
  const base = join(out, `${r.class}-${r.category}-${r.surface}-${r.index}`);
  writeFileSync(`${base}.txt`, `${JSON.stringify(r, null, 2)}\nreproduce: node scripts/hostile_probe.mjs --categories ${c.category === 'server-burst' ? 'server' : c.category} --from ${c.index} --count 1\n`);
  if (c.bytes) writeFileSync(`${base}.bin`, c.bytes);
  if (c.text) writeFileSync(`${base}.model.json`, c.text);
  if (c.raw) writeFileSync(`${base}.http`, c.raw);
}

export function summarise(results) {
  const rows = new Map();
  for (const r of results) {
    const key = `${r.category}/${r.surface}`;
    const row = rows.get(key) ?? { key, inputs: 0, ...Object.fromEntries(CLASSES.map((k) => [k, 0])), slowest: null, peakRss: 0 };
    row.inputs++;
    row[r.class]++;
    if (!row.slowest || r.ms > row.slowest.ms) row.slowest = r;
    if (r.rss > row.peakRss) row.peakRss = r.rss;
    rows.set(key, row);
  }
  return [...rows.values()];
}

export function formatTable(rows) {
  const cols = ['inputs', 'clean', 'success', 'crash', 'hang', 'unclear', 'wrong'];
  const total = { key: 'total', ...Object.fromEntries(cols.map((c) => [c, rows.reduce((s, r) => s + r[c], 0)])) };
  const mib = (b) => (b ? `${(b / 1048576).toFixed(0)} MiB` : '-');
  const lines = [`| category/surface | ${cols.join(' | ')} | peak RSS | slowest input |`, `|---|${cols.map(() => '---:').join('|')}|---:|---|`];
  for (const r of [...rows, total]) {
    lines.push(`| ${r.key} | ${cols.map((c) => r[c]).join(' | ')} | ${r.key === 'total' ? '' : mib(r.peakRss)} | ${r.slowest ? `${r.slowest.ms.toFixed(0)} ms #${r.slowest.index} ${r.slowest.name.slice(0, 70)}` : ''} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const quick = args.includes('--quick');
  const options = {
    seed: Number(arg('--seed', 1)), count: Number(arg('--count', quick ? 12 : 400)), from: Number(arg('--from', 0)),
    categories: arg('--categories', Object.keys(CATEGORIES).join(',')).split(','), timeoutMs: Number(arg('--timeout', 20000)),
    out: arg('--out', join(tmpdir(), 'webcnn-probe-findings')), cli: arg('--cli', undefined), burst: Number(arg('--burst', quick ? 30 : 200)),
    log: (s) => console.log(s),
  };
  if (!options.cli) delete options.cli;
  const t0 = performance.now();
  const results = await runProbe(options);
  const rows = summarise(results);
  console.log(`\nseed ${options.seed}, ${options.count} cases per category, ${results.length} inputs in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(formatTable(rows));
  console.log(`probe process peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  const jsonOut = arg('--json');
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
  const bad = results.filter((r) => !['clean', 'success'].includes(r.class)).length;
  if (bad) console.log(`${bad} findings saved under ${options.out}`);
  process.exitCode = bad ? 1 : 0;
}
