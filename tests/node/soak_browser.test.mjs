// A long session in headless Chromium: blazeface inferences on the fake webcam (a Y4M clip made with
// ffmpeg that alternates two test photos), through webcnn.js and its Web Worker, from the fixture page
// tests/node/fixtures/soak/. 3,000 runs in the test command (CI), 10,000 in scripts/soak.sh. Twenty
// times per session the worker's wasm heap and the page's JS heap after a GC are recorded and printed;
// the wasm numbers must not move at all and the page's JS heap must not grow with the run count.
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

// WEBCNN_SOAK_RUNS sets the length (samples stay one per twentieth of the runs).
const RUNS = Number(process.env.WEBCNN_SOAK_RUNS ?? (process.env.CI ? 3_000 : 10_000));
const SAMPLES = 20;
const EVERY = Math.max(1, Math.floor(RUNS / SAMPLES));
const WARM_UP = Math.min(1_000, RUNS / 5);
// A leak grows the heap a little on every run, so nearly every interval between samples grows; the
// page's lazily collected frames and messages make single samples swing by several MB and V8 may keep a
// one-off few MB (seen once after 5,500 of 10,000 runs, flat to the byte afterwards). So the estimate
// of growth per run is the median of the per-interval growths, which neither a swing nor one step moves.
const LEAK_BYTES_PER_RUN = 64;
// And whatever the pattern, the page's heap stays within this of where it was after warm-up.
const JS_HEAP_CEILING_ABOVE_WARM = 16 << 20;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
test(`soak in Chromium: ${RUNS.toLocaleString('en')} blazeface inferences on the fake webcam keep the heaps flat`, { skip, timeout: 600_000 }, async () => {
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
    const after = r.rows.filter((x) => x.label >= WARM_UP);
    const js = after.map((x) => x.jsHeapUsed);
    assert.ok(js.every((v) => typeof v === 'number'), 'performance.memory is available');
    const perRun = median(after.slice(1).map((x, i) => (x.jsHeapUsed - after[i].jsHeapUsed) / (x.label - after[i].label)));
    console.log(`page JS heap growth: median ${perRun.toFixed(1)} B/run over ${after.length - 1} intervals after warm-up`);
    assert.ok(perRun <= LEAK_BYTES_PER_RUN, `page JS heap grows by a median ${perRun.toFixed(1)} B per run (> ${LEAK_BYTES_PER_RUN})`);
    assert.ok(Math.max(...js) <= js[0] + JS_HEAP_CEILING_ABOVE_WARM,
      `page JS heap after GC reaches ${Math.max(...js)} B, more than ${JS_HEAP_CEILING_ABOVE_WARM} B above ${js[0]} B after warm-up`);
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
