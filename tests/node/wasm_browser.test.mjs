// web/webcnn.js in a real page (headless Chromium through playwright-core): the default Web Worker path,
// model bytes fetched with progress, frames from a canvas, an ImageBitmap and ImageData, errors from the
// worker as Error objects, and outputs identical to the in-process (Node) run of the same wasm.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BLANK_PAGE, launchChromium, noChromium, serveRepository } from './support/browser.mjs';
import { randomFloats, smallCnn } from './support/wasm_onnx.mjs';

const skip = !process.env.CI && noChromium;
const modelBytes = smallCnn();

test('in Chromium: worker inference, fetch progress, canvas/ImageBitmap/ImageData frames, errors', { skip, timeout: 180_000 }, async () => {
  const { server, origin } = await serveRepository({ files: { ...BLANK_PAGE, '/model.onnx': modelBytes } });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${origin}/page.html`);
    const input = Array.from(randomFloats(3 * 16 * 16, 7));
    const r = await page.evaluate(async (input) => {
      const webcnn = await import('/web/webcnn.js');
      // The SIMD128 build, as Node runs it (the relaxed one differs in the last bits: wasm_relaxed_simd.test.mjs).
      webcnn.configure({ relaxedSimd: false });
      const progress = [];
      const model = await webcnn.load('/model.onnx', { onProgress: (p) => progress.push(p) });
      const out = await model.run({ image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } });

      const canvas = document.createElement('canvas');
      canvas.width = 40;
      canvas.height = 30;
      const ctx = canvas.getContext('2d');
      for (let y = 0; y < 30; ++y)
        for (let x = 0; x < 40; ++x) {
          ctx.fillStyle = `rgb(${x * 6}, ${y * 8}, ${(x * y) % 256})`;
          ctx.fillRect(x, y, 1, 1);
        }
      const imageData = ctx.getImageData(0, 0, 40, 30);
      const options = { topK: 3, preprocess: { width: 16, height: 16 } };
      const fromCanvas = await model.classify(canvas, options);
      const fromBitmap = await model.classify(await createImageBitmap(canvas), options);
      const fromImageData = await model.classify(imageData, options);

      let error = null;
      try {
        await webcnn.load(new Uint8Array([8, 1, 2, 3]));
      } catch (e) {
        error = { isError: e instanceof Error, message: e.message };
      }
      const second = await webcnn.load('/model.onnx');
      const secondOut = await second.run({ image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } });
      await second.dispose();
      await model.dispose();
      let disposedError = null;
      try {
        await model.run({ image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } });
      } catch (e) {
        disposedError = e.message;
      }
      return {
        features: { ...webcnn.features },
        progress,
        probs: Array.from(out.probs.data),
        secondProbs: Array.from(secondOut.probs.data),
        fromCanvas, fromBitmap, fromImageData,
        pixels: Array.from(imageData.data),
        error, disposedError,
      };
    }, input);

    assert.deepEqual(pageErrors, []);
    assert.equal(page.workers().length, 1, 'inference runs in one Web Worker');
    assert.equal(r.features.simd, true);
    assert.ok(r.features.wasmBytes > 100_000);
    assert.deepEqual(r.progress.at(-1), { loaded: modelBytes.byteLength, total: modelBytes.byteLength });

    // The same wasm in Node, in-process: identical numbers.
    const webcnn = await import('../../web/webcnn.js');
    const local = await webcnn.load(modelBytes);
    const expected = await local.run({ image: { data: new Float32Array(input), shape: [1, 3, 16, 16] } });
    assert.deepEqual(r.probs, Array.from(expected.probs.data));
    assert.deepEqual(r.secondProbs, r.probs);
    const expectedTop = await local.classify({ data: new Uint8Array(r.pixels), width: 40, height: 30 },
      { topK: 3, preprocess: { width: 16, height: 16 } });
    assert.deepEqual(r.fromImageData, expectedTop);
    assert.deepEqual(r.fromCanvas, expectedTop);
    assert.deepEqual(r.fromBitmap, expectedTop);
    await local.dispose();

    assert.ok(r.error?.isError, 'a bad model rejects with an Error');
    assert.match(r.error.message, /ModelProto/);
    assert.match(r.disposedError, /disposed/);
  } finally {
    await browser.close();
    server.close();
  }
});
