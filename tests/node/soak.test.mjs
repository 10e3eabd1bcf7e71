// Long sessions in Node: consecutive blazeface inferences on two real photos, alternating (3,000 in the
// test command, 10,000 in scripts/soak.sh), and 200 load/dispose cycles. Every 1,000 runs (every 20 cycles) the wasm heap (webcnn.memory(): size of
// wasm memory, malloc's bytes in use) and the JS heap after a full GC are recorded and printed as a
// table; after warm-up the wasm numbers must not move at all and the JS heap may not grow beyond a small slack.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { photoNames, photoRGBA, photosMissing } from './fixtures/soak/photos.mjs';

const webcnn = await import('../../web/webcnn.js');

const blazeface = new URL('../../models/human/blazeface.json', import.meta.url).pathname;
const skip = (!process.env.CI && (!existsSync(blazeface) && 'models/human not fetched (node models/fetch-models.mjs)')) ||
  (!process.env.CI && photosMissing());

// A full GC on demand, without needing node --expose-gc on the command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

// WEBCNN_SOAK_RUNS sets the length (samples stay one per tenth of the runs).
const RUNS = Number(process.env.WEBCNN_SOAK_RUNS ?? (process.env.CI ? 3_000 : 10_000));
const EVERY = RUNS / 10;
const WARM_UP = Math.min(1_000, RUNS / 2);
const CYCLES = 200;
// JS objects a run leaves behind are garbage; what survives a full GC may wander by a few hundred KB
// (V8's own caches, node:test's bookkeeping), but not grow with the run count.
const JS_HEAP_SLACK = 1 << 20;

// The JS heap after one full GC still jumps now and then (a CI run saw one sample 0.9 MB above its
// neighbours, the next back down): the smallest of three GC-then-measure readings is what survives.
function jsHeapAfterGC() {
  let least = Infinity;
  for (let i = 0; i < 3; ++i) {
    gc();
    least = Math.min(least, process.memoryUsage().heapUsed);
  }
  return least;
}

async function sample(label) {
  const { heapBytes, usedBytes } = await webcnn.memory();
  return { label, wasmHeap: heapBytes, wasmUsed: usedBytes, jsHeapUsed: jsHeapAfterGC() };
}

function printTable(title, rows) {
  console.log(`${title}\n${'at'.padStart(8)} ${'wasm heap B'.padStart(12)} ${'wasm used B'.padStart(12)} ${'JS heap used B'.padStart(15)}`);
  for (const r of rows)
    console.log(`${String(r.label).padStart(8)} ${String(r.wasmHeap).padStart(12)} ${String(r.wasmUsed).padStart(12)} ${String(r.jsHeapUsed).padStart(15)}`);
}

function assertFlat(rows, what) {
  const [first, ...rest] = rows;
  for (const r of rest) {
    assert.equal(r.wasmHeap, first.wasmHeap, `${what}: wasm heap size at ${r.label} vs ${first.label}`);
    assert.equal(r.wasmUsed, first.wasmUsed, `${what}: wasm bytes in use at ${r.label} vs ${first.label}`);
  }
  // A leak is growth that a GC cannot take back, so it raises every later sample: compare the lowest of
  // the last three samples with the lowest of the first three. A single high sample (a GC that left
  // something for the next one) is not growth.
  const js = rows.map((r) => r.jsHeapUsed);
  const growth = Math.min(...js.slice(-3)) - Math.min(...js.slice(0, 3));
  assert.ok(growth <= JS_HEAP_SLACK, `${what}: JS heap used after GC grew by ${growth} B (> ${JS_HEAP_SLACK} B): ${js.join(', ')}`);
}

test(`soak: ${RUNS.toLocaleString('en')} blazeface inferences on alternating photos keep both heaps flat`, { skip, timeout: 600_000 }, async () => {
  const frames = photoNames.map((name) => photoRGBA(name, 640, 480));
  const model = await webcnn.load(blazeface);
  const preprocess = { preset: 'minus1to1', fit: 'stretch' };
  // Different photos must give different detections, else we would be measuring a constant.
  const first = async (f) => Object.values(await model.runImage(f, { preprocess }))[0].data;
  const [a, b] = [await first(frames[0]), await first(frames[1])];
  assert.notDeepEqual(Array.from(a.subarray(0, 64)), Array.from(b.subarray(0, 64)));

  const rows = [await sample(0)];
  const started = Date.now();
  for (let i = 1; i <= RUNS; ++i) {
    const out = await model.runImage(frames[i % 2], { preprocess });
    if (Object.keys(out).length !== model.outputs.length) assert.fail(`run ${i}: ${Object.keys(out).length} outputs`);
    if (i % EVERY === 0) rows.push(await sample(i));
  }
  const seconds = (Date.now() - started) / 1000;
  printTable(`blazeface soak in Node: ${RUNS} runs in ${seconds.toFixed(1)} s (${(seconds * 1000 / RUNS).toFixed(2)} ms/run)`, rows);
  await model.dispose();
  // Warm-up: the first 1,000 runs (V8 tiers up the JS, caches fill); the wasm heap must not move at all.
  assertFlat(rows.filter((r) => r.label >= WARM_UP), 'blazeface runs after warm-up');
  for (const r of rows) {
    assert.equal(r.wasmHeap, rows[0].wasmHeap, `the wasm heap grew by run ${r.label}`);
    assert.equal(r.wasmUsed, rows[0].wasmUsed, `wasm bytes in use changed by run ${r.label}`);
  }
});

test('soak: 200 blazeface load/dispose cycles give back everything', { skip, timeout: 600_000 }, async () => {
  const frame = photoRGBA(photoNames[1], 320, 240);
  const cycle = async () => {
    const model = await webcnn.load(blazeface);
    await model.runImage(frame, { preprocess: 'minus1to1' });
    await model.dispose();
  };
  await cycle();  // one-time allocations (registry, Embind tables) are not the model's
  const rows = [await sample(0)];
  for (let i = 1; i <= CYCLES; ++i) {
    await cycle();
    if (i % 20 === 0) rows.push(await sample(i));
  }
  printTable(`blazeface load/run/dispose in Node: ${CYCLES} cycles`, rows);
  assertFlat(rows, 'load/dispose cycles');
});
