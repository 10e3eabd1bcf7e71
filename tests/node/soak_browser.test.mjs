// A long session in headless Chromium: 10,000 blazeface inferences on the fake webcam (a Y4M clip made
// with ffmpeg that alternates two test photos), through webcnn.js and its Web Worker, from the fixture
// page tests/node/fixtures/soak/. Every 1,000 runs the worker's wasm heap and the page's JS heap after a
// GC are recorded and printed; the wasm numbers must not move at all and the page's JS heap must not
// grow with the run count.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { photosMissing, writeAlternatingY4m } from './fixtures/soak/photos.mjs';
import { launchChromium, noChromium, root, serveRepository } from './support/browser.mjs';

const blazeface = join(root, 'models/human/blazeface.json');
const skip = !process.env.CI && (noChromium ||
  (!existsSync(blazeface) && 'models/human not fetched (node models/fetch-models.mjs)') || photosMissing());

// WEBCNN_SOAK_RUNS shortens the soak for a quick look (samples stay one per tenth of the runs).
const RUNS = Number(process.env.WEBCNN_SOAK_RUNS ?? 10_000);
const EVERY = RUNS / 10;
const WARM_UP = Math.min(1_000, RUNS / 2);
const JS_HEAP_SLACK = 1 << 20;
test('soak in Chromium: 10,000 blazeface inferences on the fake webcam keep the heaps flat', { skip, timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webcnn-soak-'));
  const clip = join(dir, 'webcam.y4m');
  writeAlternatingY4m(clip, 320, 240);
  const { server, origin } = await serveRepository();
  const browser = await launchChromium(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${clip}`, '--enable-precise-memory-info', '--js-flags=--expose-gc']);
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${origin}/tests/node/fixtures/soak/index.html`);
    await page.waitForFunction(() => window.soakReady === true);
    const r = await page.evaluate((o) => window.soak(o), { model: '/models/human/blazeface.json', runs: RUNS, every: EVERY });
    console.log(`blazeface soak in Chromium (worker, fake webcam ${r.video.join('x')}): ${RUNS} runs in ` +
      `${(r.ms / 1000).toFixed(1)} s (${(r.ms / RUNS).toFixed(2)} ms/run), ${r.distinctOutputs} distinct outputs`);
    console.log(`${'at'.padStart(8)} ${'wasm heap B'.padStart(12)} ${'wasm used B'.padStart(12)} ${'page JS heap B'.padStart(15)}`);
    for (const x of r.rows)
      console.log(`${String(x.label).padStart(8)} ${String(x.wasmHeap).padStart(12)} ${String(x.wasmUsed).padStart(12)} ${String(x.jsHeapUsed).padStart(15)}`);
    assert.deepEqual(pageErrors, []);
    assert.ok(r.distinctOutputs >= 2, 'the webcam alternates two photos: outputs should differ');
    // The worker's wasm heap must not move at all.
    for (const x of r.rows) {
      assert.equal(x.wasmHeap, r.rows[0].wasmHeap, `wasm heap size at ${x.label} vs 0`);
      assert.equal(x.wasmUsed, r.rows[0].wasmUsed, `wasm bytes in use at ${x.label} vs 0`);
    }
    // The page's heap after gc() swings by several MB (2.4-13.4 MB over 10,000 runs here: video frames,
    // ImageBitmaps and messages are collected lazily) but must not grow with the run count: the second
    // half of the session may not end above the first half's peak.
    const js = r.rows.filter((x) => x.label >= WARM_UP).map((x) => x.jsHeapUsed);
    assert.ok(js.every((v) => typeof v === 'number'), 'performance.memory is available');
    const peakFirstHalf = Math.max(...js.slice(0, Math.ceil(js.length / 2)));
    assert.ok(js.at(-1) <= peakFirstHalf + JS_HEAP_SLACK,
      `page JS heap after GC ends at ${js.at(-1)} B, above the first half's peak ${peakFirstHalf} B + ${JS_HEAP_SLACK} B`);
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
