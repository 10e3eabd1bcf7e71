// The relaxed-SIMD builds (web/dist/webcnn_wasm_relaxed.*, webcnn_wasm_mt_relaxed.*: the wasm_relaxed kernel
// table, whose GEMM and depthwise convolutions multiply-add with f32x4.relaxed_madd) and how
// web/wasm_loader.js picks them, each case in a Node process of its own:
//   Node 20 without flags refuses the relaxed opcode (WebAssembly.validate): the SIMD128 builds load and
//   features.relaxedSimd is false, with no flag needed anywhere.
//   With --experimental-wasm-relaxed-simd: the relaxed builds load, single- and multi-threaded;
//   WEBCNN_RELAXED_SIMD=0 keeps the SIMD128 build.
//   Results: MobileNetV2 1.0 224 (generated, float) relaxed vs SIMD128 within 1e-4·max|b| (ORT's tolerance in
//   wasm_oracle.test.mjs; fused multiply-adds round once where the SIMD128 build rounds twice) with the same
//   top class; the 8-bit MobileNetV2 (integer kernels, the same arithmetic in every table) bit for bit.
//   Chromium (relaxed SIMD on by default): features.relaxedSimd is true in the worker and on the page, the
//   8-bit MobileNetV2 names the chickadee in bird.bmp, the float MobileNetV2 agrees with Node's SIMD128
//   build within the same tolerance, and configure({relaxedSimd: false}) gives the SIMD128 build's exact bits.
// The kernels themselves are tested against their references on the wasm_relaxed table by
// wasm_native_suite.test.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { BLANK_PAGE, launchChromium, noChromium, root, serveRepository } from './support/browser.mjs';
import { decodePhoto } from './support/photos.mjs';
import { relativeError } from './support/wasm_compare.mjs';
import { mobileNetV2File, scratch } from './support/wasm_models.mjs';
import { randomFloats } from './support/wasm_onnx.mjs';

const dist = join(root, 'web', 'dist');
const FLAG = '--experimental-wasm-relaxed-simd';
const RTOL = 1e-4;
const QUANT = join(root, 'models/tflite/mobilenet_v2_1.0_224_quant.tflite');
const labels = readFileSync(join(root, 'models/tflite/imagenet_labels.txt'), 'utf8').split('\n'); // line 0: background
const haveRelaxed = existsSync(join(dist, 'webcnn_wasm_relaxed.wasm'));
const skip = !process.env.CI && !haveRelaxed && 'web/dist has no relaxed-SIMD build (scripts/build-wasm.sh)';
const haveMt = existsSync(join(dist, 'webcnn_wasm_mt_relaxed.wasm'));
const mobilenet = mobileNetV2File();
const fileSize = (name) => statSync(join(dist, name)).size;
// Node 20 (V8 11.3) has relaxed SIMD behind the flag; V8 11.4+ (Node 21+) ships it, and there the SIMD128
// baseline is asked for with WEBCNN_RELAXED_SIMD=0.
const relaxedByDefault = Number(process.versions.node.split('.')[0]) >= 21;
const SIMD128_ENV = relaxedByDefault ? { WEBCNN_RELAXED_SIMD: '0' } : {};

const floatInput = randomFloats(3 * 224 * 224, 2024, -2, 2);
const floatInputPath = join(scratch, 'relaxed_float_input.f32');
writeFileSync(floatInputPath, floatInput);
const bird = decodePhoto('bird.bmp');
const birdRgba = new Uint8Array(bird.width * bird.height * 4);
for (let i = 0; i < bird.width * bird.height; ++i) birdRgba.set([...bird.rgb.subarray(3 * i, 3 * i + 3), 255], 4 * i);
const birdPath = join(scratch, 'relaxed_bird.rgba');
writeFileSync(birdPath, birdRgba);

// The child: loads web/webcnn.js as a user does and reports the build it chose and the outputs.
const childPath = join(scratch, 'relaxed_child.mjs');
writeFileSync(childPath, `
import { readFileSync } from 'node:fs';
const webcnn = await import(${JSON.stringify(pathToFileURL(join(root, 'web/webcnn.js')).href)});
const [floatModel, floatInput, quantModel, rgba, width, height] = process.argv.slice(2);
const report = { validated: webcnn.features.relaxedSimd };
const f32 = new Float32Array(readFileSync(floatInput).buffer.slice(0));
if (floatModel !== '-') {
  const model = await webcnn.load(floatModel);
  const out = await model.run({ [model.inputs[0].name]: { data: f32, shape: [1, 3, 224, 224] } });
  const t = Object.values(out)[0];
  report.float = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64');
  await model.dispose();
}
const quant = await webcnn.load(quantModel);
const data = new Uint8Array(readFileSync(rgba));
report.top = await quant.classify({ data, width: Number(width), height: Number(height) }, { topK: 5, preprocess: { fit: 'stretch' } });
Object.assign(report, { relaxedSimd: webcnn.features.relaxedSimd, threads: webcnn.features.threads.enabled, wasmBytes: webcnn.features.wasmBytes });
console.log(JSON.stringify(report));
`);

/** Runs the child with Node flags and environment; `float` false skips the float MobileNetV2. */
function child(flags, env, { float = true } = {}) {
  const args = [...flags, childPath, float && !mobilenet.skip ? mobilenet.path : '-', floatInputPath, QUANT, birdPath,
    String(bird.width), String(bird.height)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split('\n').at(-1));
  if (report.float) report.float = new Float32Array(new Uint8Array(Buffer.from(report.float, 'base64')).buffer);
  return report;
}

const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);
const sameBits = (a, b) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

test('Node: SIMD128 without the flag, relaxed with it (1 and 2 threads), SIMD128 again with WEBCNN_RELAXED_SIMD=0',
  { skip, timeout: 600_000 }, (t) => {
    const plain = child([], { WEBCNN_THREADS: '1', ...SIMD128_ENV });
    assert.equal(plain.validated, false, 'Node 20 refuses relaxed SIMD without the flag');
    assert.equal(plain.relaxedSimd, false);
    assert.equal(plain.wasmBytes, fileSize('webcnn_wasm.wasm'));

    const relaxed = child([FLAG], { WEBCNN_THREADS: '1' });
    assert.equal(relaxed.validated, true);
    assert.equal(relaxed.relaxedSimd, true);
    assert.equal(relaxed.wasmBytes, fileSize('webcnn_wasm_relaxed.wasm'), 'the relaxed build loaded');

    const forced = child([FLAG], { WEBCNN_THREADS: '1', WEBCNN_RELAXED_SIMD: '0' }, { float: false });
    assert.equal(forced.relaxedSimd, false);
    assert.equal(forced.wasmBytes, fileSize('webcnn_wasm.wasm'));

    // The 8-bit model runs integer kernels, the same in every table: the same five scores, and the bird.
    for (const r of [plain, relaxed, forced]) {
      assert.match(labels[r.top[0].index], /chickadee/, JSON.stringify(r.top));
      assert.deepEqual(r.top, plain.top);
    }
    if (!mobilenet.skip) {
      const e = relativeError(relaxed.float, plain.float);
      t.diagnostic(`MobileNetV2 relaxed vs SIMD128: max|a-b| ${e.maxAbs.toExponential(2)}, relative ${e.rel.toExponential(2)}, ` +
        `${sameBits(relaxed.float, plain.float) ? 'identical bits (relaxed_madd unfused here)' : 'different bits (fused)'}`);
      assert.ok(e.rel <= RTOL, `relative error ${e.rel} > ${RTOL}`);
      assert.equal(argmax(relaxed.float), argmax(plain.float));
    }

    if (haveMt || process.env.CI) {
      const mt = child([FLAG], { WEBCNN_THREADS: '2' }, { float: false });
      assert.equal(mt.threads, true);
      assert.equal(mt.relaxedSimd, true);
      assert.equal(mt.wasmBytes, fileSize('webcnn_wasm_mt_relaxed.wasm'), 'the threaded relaxed build loaded');
      assert.deepEqual(mt.top, plain.top);
      const mtPlain = child([], { WEBCNN_THREADS: '2', ...SIMD128_ENV }, { float: false });
      assert.equal(mtPlain.relaxedSimd, false);
      assert.equal(mtPlain.wasmBytes, fileSize('webcnn_wasm_mt.wasm'));
    }
  });

test('Chromium: the relaxed build in the worker and on the page; configure({relaxedSimd: false}) gives SIMD128',
  { skip: skip || (!process.env.CI && noChromium) || mobilenet.skip, timeout: 300_000 }, async () => {
    const files = { ...BLANK_PAGE, '/mobilenet.onnx': readFileSync(mobilenet.path), '/input.f32': Buffer.from(floatInput.buffer),
      '/bird.rgba': Buffer.from(birdRgba.buffer) };
    const { server, origin } = await serveRepository({ files });
    const browser = await launchChromium();
    const inPage = async (relaxedSimd) => {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${origin}/page.html`);
      const r = await page.evaluate(async ({ relaxedSimd, width, height }) => {
        const webcnn = await import('/web/webcnn.js');
        if (!relaxedSimd) webcnn.configure({ relaxedSimd: false });
        const validated = webcnn.features.relaxedSimd;
        const input = new Float32Array(await (await fetch('/input.f32')).arrayBuffer());
        const data = new Uint8Array(await (await fetch('/bird.rgba')).arrayBuffer());
        const results = {};
        for (const worker of relaxedSimd ? [true, false] : [true]) {
          const model = await webcnn.load('/mobilenet.onnx', { worker });
          const out = Object.values(await model.run({ [model.inputs[0].name]: { data: input, shape: [1, 3, 224, 224] } }))[0];
          const quant = await webcnn.load('/models/tflite/mobilenet_v2_1.0_224_quant.tflite', { worker });
          const top = await quant.classify({ data, width, height }, { topK: 1, preprocess: { fit: 'stretch' } });
          results[worker ? 'worker' : 'page'] = { float: Array.from(out.data), top, relaxedSimd: webcnn.features.relaxedSimd };
        }
        return { validated, results, wasmBytes: webcnn.features.wasmBytes };
      }, { relaxedSimd, width: bird.width, height: bird.height });
      await page.close();
      assert.deepEqual(errors, []);
      return r;
    };
    try {
      const nodeSimd128 = child([], { WEBCNN_THREADS: '1', ...SIMD128_ENV }).float;
      const relaxed = await inPage(true);
      assert.equal(relaxed.validated, true, 'Chromium validates relaxed SIMD');
      assert.equal(relaxed.wasmBytes, fileSize('webcnn_wasm_relaxed.wasm'), 'the page is not isolated: the single-threaded relaxed build');
      const simd128 = await inPage(false);
      assert.equal(simd128.validated, false);
      assert.equal(simd128.wasmBytes, fileSize('webcnn_wasm.wasm'));
      for (const where of ['worker', 'page']) {
        const r = relaxed.results[where];
        assert.equal(r.relaxedSimd, true, where);
        assert.match(labels[r.top[0].index], /chickadee/, `${where}: ${JSON.stringify(r.top)}`);
        const e = relativeError(new Float32Array(r.float), nodeSimd128);
        assert.ok(e.rel <= RTOL, `${where}: relative error ${e.rel} > ${RTOL}`);
        assert.equal(argmax(r.float), argmax(nodeSimd128));
      }
      const s = simd128.results.worker;
      assert.equal(s.relaxedSimd, false);
      assert.deepEqual(s.float, Array.from(nodeSimd128), 'SIMD128 in Chromium = SIMD128 in Node, bit for bit');
      assert.match(labels[s.top[0].index], /chickadee/);
    } finally {
      await browser.close();
      server.close();
    }
  });
