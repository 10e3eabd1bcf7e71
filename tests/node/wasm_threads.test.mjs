// The multi-threaded wasm build (web/dist/webcnn_wasm_mt.*) and how web/wasm_loader.js chooses it:
//   Node: the threaded build loads; MobileNetV2 on 2 threads gives bit-for-bit the output of 1 thread and
//         of the single-threaded build (threads only split rows/columns; each element's arithmetic is
//         the same), also over repeated runs (a race would show as a changed bit).
//   Chromium: a page served with COOP/COEP (cross-origin isolated) runs the threaded build, in its Web
//         Worker and on the page's own thread; without the headers it runs the single-threaded build and
//         features.threads says why. Outputs in every case equal the single-threaded build's in Node.
// Speed is reported (t.diagnostic), never asserted.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { BLANK_PAGE, launchChromium, noChromium, root, serveRepository } from './support/browser.mjs';
import { mobileNetV2File } from './support/wasm_models.mjs';
import { randomFloats, smallCnn } from './support/wasm_onnx.mjs';

const dist = join(root, 'web', 'dist');
const haveMt = existsSync(join(dist, 'webcnn_wasm_mt.wasm'));
const skipMt = !process.env.CI && !haveMt && 'web/dist has no threaded build (scripts/build-wasm.sh)';
const skipBrowser = skipMt || (!process.env.CI && noChromium);

/** The single-threaded build, loaded directly (the loader would pick the threaded one in Node). */
async function singleThreadedModule() {
  const factory = createRequire(import.meta.url)(join(dist, 'webcnn_wasm.js'));
  return factory({ wasmBinary: readFileSync(join(dist, 'webcnn_wasm.wasm')) });
}

function unwrap(result) {
  if (result && result.error !== undefined) throw new Error(result.error);
  return result;
}

function sameBits(a, b) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function median(values) {
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

const mobilenet = mobileNetV2File();

test('Node: the loader picks the threaded build; MobileNetV2 on 2 threads is bit-identical to 1 thread',
  { skip: skipMt || mobilenet.skip, timeout: 900_000 }, async (t) => {
    const { features, instantiateModule } = await import('../../web/wasm_loader.js');
    if (availableParallelism() < 2 && !process.env.WEBCNN_THREADS) {
      assert.deepEqual(features.threads.enabled, false);
      return;
    }
    assert.equal(features.threads.enabled, true, features.threads.reason);
    const { module } = await instantiateModule();
    assert.equal(features.threads.enabled, true, features.threads.reason);
    assert.ok(module.maxThreads() > 1, 'the loaded module has pthreads');
    assert.equal(module.threadCount(), features.threads.count);

    const bytes = readFileSync(mobilenet.path);
    const feeds = { input: { data: randomFloats(3 * 224 * 224, 11), shape: [1, 3, 224, 224] } };
    const runs = 5;
    // A plan sizes its per-thread scratch for the count in effect when the model is loaded.
    const outputsAt = (threads) => {
      assert.equal(module.setThreads(threads), threads);
      const { model } = unwrap(module.loadModel(bytes));
      const inputName = model.inputs()[0].name;
      const results = [];
      const ms = [];
      for (let i = 0; i < runs; ++i) {
        const t0 = performance.now();
        results.push(unwrap(model.run({ [inputName]: feeds.input }, undefined)).outputs);
        ms.push(performance.now() - t0);
      }
      model.delete();
      return { results, ms: median(ms) };
    };
    const one = outputsAt(1);
    const two = outputsAt(2);
    const name = Object.keys(one.results[0])[0];
    const reference = one.results[0][name].data;
    assert.equal(reference.length, 1000);
    for (const { results } of [one, two])
      for (const r of results) assert.ok(sameBits(r[name].data, reference), 'same bits on every run and thread count');

    // And the single-threaded build gives the same bits.
    const st = await singleThreadedModule();
    const { model } = unwrap(st.loadModel(bytes));
    const stOut = unwrap(model.run({ [model.inputs()[0].name]: feeds.input }, undefined)).outputs;
    model.delete();
    assert.ok(sameBits(stOut[name].data, reference), 'threaded build = single-threaded build');
    t.diagnostic(`MobileNetV2 224 median of ${runs}: 1 thread ${one.ms.toFixed(1)} ms, 2 threads ${two.ms.toFixed(1)} ms ` +
      `(×${(one.ms / two.ms).toFixed(2)})`);
    module.setThreads(features.threads.count);
  });

// ---------------------------------------------------------------------------------------------------
// Chromium

const modelBytes = smallCnn();

// The repository, a blank page and the model; with `isolate`, every response carries the headers that make
// the page cross-origin isolated (as web/server.mjs sends them).
function serve(isolate) {
  const headers = isolate ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  return serveRepository({ files: { ...BLANK_PAGE, '/model.onnx': modelBytes }, headers });
}

const input = Array.from(randomFloats(3 * 16 * 16, 5));

// In the page: the features, and the model's output in the worker and on the page's own thread.
async function runInPage(browser, { origin }) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${origin}/page.html`);
  const r = await page.evaluate(async (input) => {
    const webcnn = await import('/web/webcnn.js');
    // The SIMD128 build, as Node runs it (the relaxed one differs in the last bits: wasm_relaxed_simd.test.mjs).
    webcnn.configure({ relaxedSimd: false });
    const feeds = { image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } };
    const inWorker = await webcnn.load('/model.onnx');
    const workerOut = Array.from((await inWorker.run(feeds)).probs.data);
    const inPage = await webcnn.load('/model.onnx', { worker: false });
    const pageOut = Array.from((await inPage.run(feeds)).probs.data);
    return {
      isolated: globalThis.crossOriginIsolated,
      threads: { ...webcnn.features.threads },
      wasmBytes: webcnn.features.wasmBytes,
      workerOut,
      pageOut,
    };
  }, input);
  await page.close();
  assert.deepEqual(errors, []);
  return r;
}

async function expectedProbs() {
  const st = await singleThreadedModule();
  const { model } = unwrap(st.loadModel(modelBytes));
  const out = unwrap(model.run({ image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } }, undefined)).outputs;
  model.delete();
  return Array.from(out.probs.data);
}

test('Chromium: COOP/COEP page runs the threaded build; without them the single one, with the reason',
  { skip: skipBrowser, timeout: 300_000 }, async () => {
    const browser = await launchChromium();
    const isolatedServer = await serve(true);
    const plainServer = await serve(false);
    try {
      const want = await expectedProbs();

      const isolated = await runInPage(browser, isolatedServer);
      assert.equal(isolated.isolated, true);
      assert.equal(isolated.threads.enabled, true, isolated.threads.reason);
      assert.ok(isolated.threads.count >= 2);
      assert.equal(isolated.wasmBytes, statSync(join(dist, 'webcnn_wasm_mt.wasm')).size, 'the worker loaded the threaded build');
      assert.deepEqual(isolated.workerOut, want);
      assert.deepEqual(isolated.pageOut, want);

      const plain = await runInPage(browser, plainServer);
      assert.equal(plain.isolated, false);
      assert.equal(plain.threads.enabled, false);
      assert.equal(plain.threads.count, 1);
      assert.match(plain.threads.reason, /not cross-origin isolated/);
      assert.equal(plain.wasmBytes, statSync(join(dist, 'webcnn_wasm.wasm')).size, 'the single-threaded build');
      assert.deepEqual(plain.workerOut, want);
      assert.deepEqual(plain.pageOut, want);
    } finally {
      await browser.close();
      isolatedServer.server.close();
      plainServer.server.close();
    }
  });
