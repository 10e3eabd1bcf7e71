// The inference worker survives (issue 6), in a real page (headless Chromium through playwright-core):
// models that fail to load reject with the engine's message and the next load works; when the wasm
// instance traps (a test-only binding reaching `unreachable`) or the worker dies of an uncaught error,
// webcnn.js rejects the call in flight with code 'WORKER_RESTARTED', dispatches 'workerrestart', starts
// a fresh worker with the live models loaded again, and the same Model objects give the same numbers as
// before. Also TF.js models in the page: by URL (shards fetched beside model.json) and as a file list.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { BLANK_PAGE, launchChromium, noChromium, root, serveRepository } from './support/browser.mjs';
import { randomFloats, smallCnn } from './support/wasm_onnx.mjs';

const blazeface = join(root, 'models', 'human', 'blazeface.json');
const skip = !process.env.CI && (noChromium || (!existsSync(blazeface) && 'models/human not fetched (node models/fetch-models.mjs)'));

const modelBytes = smallCnn();
// Not an ONNX model: protobuf field 1 as a length-delimited field running past the end.
const corruptOnnx = new Uint8Array([0x0a, 0x7f, 1, 2, 3]);

test('in Chromium: failed loads leave the worker usable; a trap or a dead worker restarts it and models keep working',
  { skip, timeout: 240_000 }, async () => {
    const { server, origin } = await serveRepository({ files: { ...BLANK_PAGE, '/model.onnx': modelBytes, '/corrupt.onnx': corruptOnnx } });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${origin}/page.html`);
      const input = Array.from(randomFloats(3 * 16 * 16, 7));
      const faceInput = Array.from(randomFloats(256 * 256 * 3, 5));
      const r = await page.evaluate(async ({ input, faceInput }) => {
        const webcnn = await import('/web/webcnn.js');
        // The SIMD128 build, as Node runs it (the relaxed one differs in the last bits: wasm_relaxed_simd.test.mjs).
        webcnn.configure({ relaxedSimd: false });
        const restarts = [];
        webcnn.events.addEventListener('workerrestart', (e) => restarts.push(e.detail));
        const feeds = { image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } };
        const faceFeeds = (m) => ({ [m.inputs[0].name]: { data: new Float32Array(faceInput), shape: [1, 256, 256, 3] } });
        const caught = async (promise) => {
          try {
            await promise;
            return null;
          } catch (e) {
            return { isError: e instanceof Error, message: e.message, code: e.code };
          }
        };
        const plain = (out) => Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data)]));

        // Failed loads: the engine's message, and the worker goes on.
        const corrupt = await caught(webcnn.load('/corrupt.onnx'));
        const badJson = await caught(webcnn.load({ modelJson: '{"modelTopology": {"node": 5}, "weightsManifest": []}', weights: {} }));
        const missingShard = await caught(webcnn.load({ modelJson: await (await fetch('/models/human/blazeface.json')).text(), weights: {} }));
        const model = await webcnn.load('/model.onnx');
        const before = plain(await model.run(feeds));

        // TF.js by URL (shards fetched beside it) and as a file list.
        const progress = [];
        const face = await webcnn.load('/models/human/blazeface.json', { onProgress: (p) => progress.push(p) });
        const faceBefore = plain(await face.run(faceFeeds(face)));
        const files = [
          new File([await (await fetch('/models/human/blazeface.bin')).arrayBuffer()], 'blazeface.bin'),
          new File([await (await fetch('/models/human/blazeface.json')).arrayBuffer()], 'blazeface.json'),
        ];
        const faceFromFiles = await webcnn.load(files);
        const faceFiles = plain(await faceFromFiles.run(faceFeeds(faceFromFiles)));
        await faceFromFiles.dispose();
        // Looking inside, through the worker.
        const layers = await face.layers();
        const filters = await face.filters(layers[0].name);
        const captured = (await face.run(faceFeeds(face), { capture: [layers[0].name] })).captured[layers[0].name];

        // A trap inside the wasm instance.
        const trap = await caught(webcnn.__testOnlyTrapEngine());
        const afterTrap = plain(await model.run(feeds));
        const faceAfterTrap = plain(await face.run(faceFeeds(face)));
        const restartsAfterTrap = restarts.length;
        // The worker dies; a call made while the new one starts waits for it.
        const dead = await caught(webcnn.__testOnlyTrapEngine({ how: 'uncaught' }));
        const afterDeath = plain(await model.run(feeds));
        const next = await webcnn.load('/model.onnx');
        const nextOut = plain(await next.run(feeds));
        await next.dispose();
        await model.dispose();
        const disposed = await caught(model.run(feeds));
        return {
          corrupt, badJson, missingShard, before, faceBefore, faceFiles, progress, faceBytes: face.bytes, format: face.format,
          layers, filtersShape: filters.shape, filtersLength: filters.data.length, capturedShape: captured.shape,
          trap, afterTrap, faceAfterTrap, restartsAfterTrap, dead, afterDeath, nextOut, disposed, restarts,
        };
      }, { input, faceInput });

      assert.deepEqual(pageErrors, []);
      for (const [what, e, match, code] of [
        ['corrupt .onnx', r.corrupt, /ModelProto|truncated|length/i, 'INVALID_MODEL'],
        ['bad model.json', r.badJson, /node|modelTopology/, 'INVALID_MODEL'],
        ['missing shard', r.missingShard, /weights shard 'blazeface\.bin' named by modelJson is missing from weights/, 'INVALID_ARGUMENT'],
      ]) {
        assert.ok(e?.isError, `${what}: rejects with an Error`);
        assert.match(e.message, match, what);
        assert.equal(e.code, code, `${what}: its kind, not a restart`);
      }

      // The same wasm in Node, in-process: identical numbers.
      const webcnn = await import('../../web/webcnn.js');
      const local = await webcnn.load(modelBytes);
      const expected = Array.from((await local.run({ image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } })).probs.data);
      await local.dispose();
      assert.deepEqual(r.before.probs, expected);
      const localFace = await webcnn.load(blazeface);
      const faceOut = await localFace.run({ [localFace.inputs[0].name]: { data: new Float32Array(faceInput), shape: [1, 256, 256, 3] } });
      await localFace.dispose();
      for (const [name, t] of Object.entries(faceOut)) {
        assert.deepEqual(r.faceBefore[name], Array.from(t.data), `blazeface ${name} by URL`);
        assert.deepEqual(r.faceFiles[name], Array.from(t.data), `blazeface ${name} from files`);
      }
      assert.equal(r.format, 'tfjs');
      assert.deepEqual(r.progress.at(-1), { loaded: r.faceBytes, total: r.faceBytes });
      assert.ok(r.layers.length > 0);
      assert.deepEqual(r.filtersShape, r.layers[0].weights);
      assert.equal(r.filtersLength, r.layers[0].weights.reduce((a, b) => a * b, 1));
      assert.equal(r.capturedShape.length, 4);
      assert.equal(r.capturedShape[3], r.layers[0].weights[0], 'captured layer is NHWC with O channels');

      // The trap.
      assert.equal(r.trap?.code, 'WORKER_RESTARTED', JSON.stringify(r.trap));
      assert.match(r.trap.message, /unreachable/);
      assert.deepEqual(r.afterTrap, r.before, 'same Model handle after the restart');
      assert.deepEqual(r.faceAfterTrap, r.faceBefore, 'TF.js model re-loaded after the restart');
      assert.equal(r.restartsAfterTrap, 1);
      assert.match(r.restarts[0].reason, /RuntimeError: unreachable/);
      assert.equal(r.restarts[0].restored, 2);
      assert.equal(r.restarts[0].failed, 0);
      // The dead worker.
      assert.equal(r.dead?.code, 'WORKER_RESTARTED', JSON.stringify(r.dead));
      assert.match(r.restarts[1].reason, /uncaught error for a test/);
      assert.deepEqual(r.afterDeath, r.before, 'a call made during the restart ran on the new worker');
      assert.deepEqual(r.nextOut, r.before);
      assert.match(r.disposed.message, /disposed/);
      assert.equal(r.restarts.length, 2);
      // The old workers were terminated: one is left.
      for (let i = 0; i < 50 && page.workers().length > 1; ++i) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(page.workers().length, 1);
    } finally {
      await browser.close();
      server.close();
    }
  });

test('in Chromium: releaseMemory() replaces the worker without failing the calls in flight or around it',
  { skip: !process.env.CI && noChromium, timeout: 240_000 }, async () => {
    const big = smallCnn({ size: 2048 });
    const { server, origin } = await serveRepository({ files: { ...BLANK_PAGE, '/model.onnx': modelBytes, '/big.onnx': big } });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      await page.goto(`${origin}/page.html`);
      const input = Array.from(randomFloats(3 * 16 * 16, 7));
      const r = await page.evaluate(async ({ input }) => {
        const webcnn = await import('/web/webcnn.js');
        let restartEvents = 0;
        webcnn.events.addEventListener('workerrestart', () => ++restartEvents);
        const feeds = { image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } };
        const plain = (out) => Array.from(out.probs.data);
        const model = await webcnn.load('/model.onnx');
        const before = plain(await model.run(feeds));
        const bigModel = await webcnn.load('/big.onnx');
        await bigModel.run({ image: { data: new Float32Array(3 * 2048 * 2048), shape: [1, 3, 2048, 2048] } });
        await bigModel.dispose();
        const grown = await webcnn.memory();
        // A run posted before, one made while the worker is being replaced.
        const inFlight = model.run(feeds);
        const released = webcnn.releaseMemory();
        const during = model.run(feeds);
        const results = await Promise.all([inFlight, released, during]);
        return { before, grown, inFlight: plain(results[0]), released: results[1], during: plain(results[2]),
          after: plain(await model.run(feeds)), again: await webcnn.releaseMemory(), restartEvents };
      }, { input });
      assert.ok(r.grown.heapBytes > 128 * 2 ** 20, `the big run should have grown the heap (${r.grown.heapBytes} bytes)`);
      assert.equal(r.released.released, true);
      assert.equal(r.released.failed, 0);
      assert.ok(r.released.heapBytes < r.grown.heapBytes / 3, `heap ${r.grown.heapBytes} -> ${r.released.heapBytes} bytes`);
      for (const k of ['inFlight', 'during', 'after']) assert.deepEqual(r[k], r.before, k);
      assert.equal(r.again.released, false);
      assert.equal(r.restartEvents, 0, 'a planned replacement is not announced as a restart');
      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
      server.close();
    }
  });
