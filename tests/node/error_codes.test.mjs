// Error kinds through the public JavaScript API: every rejection is an Error whose .code is one of
// INVALID_MODEL, UNSUPPORTED_OP, INVALID_ARGUMENT, RESOURCE_EXHAUSTED, INTERNAL (or WORKER_RESTARTED,
// tested in wasm_api and worker_resilience), whether the error is born in the C++ engine or in
// webcnn.js, in this thread (Node) and through the Web Worker (headless Chromium), with the message
// the engine or webcnn.js wrote.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { BLANK_PAGE, launchChromium, noChromium, root, serveRepository } from './support/browser.mjs';
import { scratch, smallCnnFile } from './support/wasm_models.mjs';
import { node, onnxModel, randomFloats, tensor, valueInfo } from './support/wasm_onnx.mjs';

const webcnn = await import('../../web/webcnn.js');

// Not an ONNX model: protobuf field 1 as a length-delimited field running past the end.
const corruptOnnx = new Uint8Array([0x0a, 0x7f, 1, 2, 3]);
const unsupportedOnnx = onnxModel({
  inputs: [valueInfo('x', 'float32', [1, 4])], outputs: [valueInfo('y', 'float32', [1, 4])],
  nodes: [node('NoSuchOp', ['x'], ['y'], {}, 'mystery')],
});
// A TF.js graph model whose only op the engine does not know.
const unsupportedTfjs = JSON.stringify({
  format: 'graph-model',
  modelTopology: {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '1' }, { size: '4' }] } } } },
      { name: 'odd', op: 'NoSuchTfOp', input: ['x'] },
      { name: 'Identity', op: 'Identity', input: ['odd'] },
    ],
  },
  weightsManifest: [],
});
// Expand of a [1] input to [16384, 24576] floats: 1.5 GiB of intermediate from a few bytes of file,
// over the default memory budget (1 GiB).
const hugeOnnx = onnxModel({
  inputs: [valueInfo('x', 'float32', [1])], outputs: [valueInfo('y', 'float32', [16384, 24576])],
  initializers: [tensor('shape', 'int64', [2], new BigInt64Array([16384n, 24576n]))],
  nodes: [node('Expand', ['x', 'shape'], ['y'], {}, 'grow')],
});
const image16 = () => ({ data: randomFloats(3 * 16 * 16, 7), shape: [1, 3, 16, 16] });

/** The rejection of `promise` as {code, message, isError}; fails if it resolves. */
async function failure(promise) {
  try {
    await promise;
  } catch (e) {
    return { code: e.code, message: e.message, isError: e instanceof Error, isTypeError: e instanceof TypeError };
  }
  assert.fail('expected a rejection');
}

test('in-process: each code from a real failing call, with the message unchanged', async () => {
  const expect = async (what, promise, code, match) => {
    const e = await failure(promise);
    assert.ok(e.isError, `${what}: an Error`);
    assert.equal(e.code, code, `${what}: ${e.message}`);
    assert.match(e.message, match, what);
    return e;
  };
  // INVALID_MODEL: from the engine's importer, and from webcnn.js reading model.json.
  await expect('corrupt ONNX', webcnn.load(corruptOnnx), 'INVALID_MODEL', /./);
  await expect('model.json that is no JSON', webcnn.load({ modelJson: '{ not json', weights: {} }), 'INVALID_MODEL',
    /modelJson is not valid JSON/);
  await expect('model.json that is no TF.js model', webcnn.load({ modelJson: '{"modelTopology": {"node": 5}, "weightsManifest": []}', weights: {} }),
    'INVALID_MODEL', /node|modelTopology/);
  // UNSUPPORTED_OP: every op missing, by name, from both importers.
  await expect('ONNX with an unknown op', webcnn.load(unsupportedOnnx), 'UNSUPPORTED_OP', /^unsupported ops: NoSuchOp \(1 node: 'mystery'\)$/);
  await expect('TF.js with an unknown op', webcnn.load({ modelJson: unsupportedTfjs, weights: {} }), 'UNSUPPORTED_OP',
    /unsupported TF ops: NoSuchTfOp \(1 node: 'odd'\)/);
  // RESOURCE_EXHAUSTED: the memory budget (or, in wasm32, the address space) refuses the plan.
  await expect('1.5 GiB intermediate', webcnn.load(hugeOnnx), 'RESOURCE_EXHAUSTED', /memory budget|can address/);

  // INVALID_ARGUMENT: the caller's inputs, in the engine and in webcnn.js.
  const model = await webcnn.load(smallCnnFile());
  await expect('wrong input shape', model.run({ image: { data: new Float32Array(3 * 8 * 8), shape: [1, 3, 8, 8] } }),
    'INVALID_ARGUMENT', /^input 'image' must have shape \[1,3,16,16\], got \[1,3,8,8\]$/);
  await expect('data too short', model.run({ image: { data: new Float32Array(5), shape: [1, 3, 16, 16] } }),
    'INVALID_ARGUMENT', /has 20 bytes, the shape needs 3072/);
  await expect('unknown input name', model.run({ picture: image16() }), 'INVALID_ARGUMENT', /no input named 'picture'/);
  await expect('no such layer', model.filters('no-such-layer'), 'INVALID_ARGUMENT', /no convolution layer named 'no-such-layer'/);
  const bad = await expect('not an image in Node', model.classify(new Uint8Array(16)), 'INVALID_ARGUMENT', /images are \{data/);
  assert.ok(bad.isTypeError, 'a wrong type stays a TypeError');
  await expect('preprocess option out of range', webcnn.preprocess({ data: new Uint8Array(16), width: 2, height: 2 }, { cropFraction: 2 }),
    'INVALID_ARGUMENT', /cropFraction|crop/);
  await expect('unknown preset', webcnn.preprocess({ data: new Uint8Array(16), width: 2, height: 2 }, 'no-such-preset'),
    'INVALID_ARGUMENT', /unknown preprocess preset 'no-such-preset'/);
  await expect('a file that does not exist', webcnn.load(join(scratch, 'missing.onnx')), 'INVALID_ARGUMENT',
    /cannot open model file .*missing\.onnx: no such file/);
  await expect('a source of the wrong type', webcnn.load(42), 'INVALID_ARGUMENT', /source must be/);
  await expect('a shard that was not given', webcnn.load({
    modelJson: JSON.stringify({ modelTopology: { node: [] }, weightsManifest: [{ paths: ['w.bin'], weights: [] }] }), weights: {},
  }), 'INVALID_ARGUMENT', /weights shard 'w\.bin' named by modelJson is missing/);
  await model.dispose();
  await expect('a disposed model', model.run({ image: image16() }), 'INVALID_ARGUMENT', /disposed/);

  // The engine goes on after all of these.
  const next = await webcnn.load(smallCnnFile());
  assert.equal((await next.run({ image: image16() })).probs.data.length, 10);
  await next.dispose();
});

test('in-process: a webcnn.js without its wasm build rejects with INTERNAL', async () => {
  // A copy of web/ without dist/: a separate module graph, so its engine is started afresh and fails.
  const dir = mkdtempSync(join(tmpdir(), 'webcnn-nodist-'));
  for (const f of ['webcnn.js', 'wasm_loader.js', 'worker.js', 'webcnn']) cpSync(join(root, 'web', f), join(dir, f), { recursive: true });
  const broken = await import(pathToFileURL(join(dir, 'webcnn.js')).href);
  const e = await failure(broken.load(readFileSync(smallCnnFile())));
  assert.equal(e.code, 'INTERNAL', e.message);
  assert.match(e.message, /web\/dist\/ holds no wasm build/);
});

test('through the Web Worker (Chromium): codes survive the message channel, and a broken wasm is INTERNAL',
  { skip: !process.env.CI && noChromium, timeout: 180_000 }, async () => {
    const files = {
      ...BLANK_PAGE, '/corrupt.onnx': corruptOnnx, '/unsupported.onnx': unsupportedOnnx, '/huge.onnx': hugeOnnx,
      '/model.onnx': readFileSync(smallCnnFile()),
    };
    const { server, origin } = await serveRepository({ files });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${origin}/page.html`);
      const r = await page.evaluate(async ({ unsupportedTfjs }) => {
        const webcnn = await import('/web/webcnn.js');
        const failure = async (promise) => {
          try {
            await promise;
            return 'resolved';
          } catch (e) {
            return { code: e.code, message: e.message, isError: e instanceof Error, isTypeError: e instanceof TypeError };
          }
        };
        const out = {};
        out.corrupt = await failure(webcnn.load('/corrupt.onnx'));
        out.unsupported = await failure(webcnn.load('/unsupported.onnx'));
        out.unsupportedTfjs = await failure(webcnn.load({ modelJson: unsupportedTfjs, weights: {} }));
        out.huge = await failure(webcnn.load('/huge.onnx'));
        out.missing = await failure(webcnn.load('/no-such-model.onnx'));
        const model = await webcnn.load('/model.onnx');
        out.shape = await failure(model.run({ image: { data: new Float32Array(3 * 8 * 8), shape: [1, 3, 8, 8] } }));
        out.layer = await failure(model.filters('no-such-layer'));
        out.notAnImage = await failure(model.classify(new Blob([new Uint8Array([1, 2, 3, 4])], { type: 'image/png' })));
        out.preprocess = await failure(webcnn.preprocess({ data: new Uint8Array(16), width: 2, height: 2 }, { cropFraction: 2 }));
        out.worked = (await model.run({ image: { data: new Float32Array(3 * 16 * 16), shape: [1, 3, 16, 16] } })).probs.data.length;
        return out;
      }, { unsupportedTfjs });
      const expect = (what, e, code, match) => {
        assert.ok(e?.isError, `${what}: ${JSON.stringify(e)}`);
        assert.equal(e.code, code, `${what}: ${e.message}`);
        assert.match(e.message, match, what);
      };
      expect('corrupt ONNX', r.corrupt, 'INVALID_MODEL', /./);
      expect('ONNX with an unknown op', r.unsupported, 'UNSUPPORTED_OP', /^unsupported ops: NoSuchOp \(1 node: 'mystery'\)$/);
      expect('TF.js with an unknown op', r.unsupportedTfjs, 'UNSUPPORTED_OP', /unsupported TF ops: NoSuchTfOp/);
      expect('1.5 GiB intermediate', r.huge, 'RESOURCE_EXHAUSTED', /memory budget|can address/);
      expect('a URL that answers 404', r.missing, 'INVALID_ARGUMENT', /cannot load model \/no-such-model\.onnx: HTTP 404/);
      expect('wrong input shape', r.shape, 'INVALID_ARGUMENT', /^input 'image' must have shape \[1,3,16,16\], got \[1,3,8,8\]$/);
      expect('no such layer', r.layer, 'INVALID_ARGUMENT', /no convolution layer named 'no-such-layer'/);
      expect('a Blob that is no image', r.notAnImage, 'INVALID_ARGUMENT', /./);
      expect('preprocess option out of range', r.preprocess, 'INVALID_ARGUMENT', /crop/);
      assert.equal(r.worked, 10, 'the worker goes on');
    } finally {
      await browser.close();
      server.close();
    }

    // A page whose wasm files are damaged (the relaxed-SIMD module Chromium picks, and the SIMD128 one the
    // loader falls back to): the worker cannot start its engine.
    const damaged = await serveRepository({ files: { ...BLANK_PAGE, '/model.onnx': readFileSync(smallCnnFile()),
      '/web/dist/webcnn_wasm.wasm': 'not wasm', '/web/dist/webcnn_wasm_relaxed.wasm': 'not wasm' } });
    const browser2 = await launchChromium();
    try {
      const page = await browser2.newPage();
      await page.goto(`${damaged.origin}/page.html`);
      const e = await page.evaluate(async () => {
        const webcnn = await import('/web/webcnn.js');
        try {
          await webcnn.load('/model.onnx');
          return 'resolved';
        } catch (e) {
          return { code: e.code, message: e.message };
        }
      });
      assert.equal(e?.code, 'INTERNAL', JSON.stringify(e));
    } finally {
      await browser2.close();
      damaged.server.close();
    }
  });
