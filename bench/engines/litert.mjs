// LiteRT.js (@litertjs/core: TFLite with XNNPACK in wasm) on .tflite models, in headless Chromium (the
// browser it is made for; it does not start in Node without shims), wasm CPU backend, one thread. Two
// engines: `litert`, its default build in a browser with relaxed SIMD (relaxed_dot_i8x16_i7x16_add,
// relaxed_madd), and `litert-simd`, the "compat" build it falls back to without (plain SIMD128), each in
// its own page. Each timed run is timed on the page's clock (timeOnce): copying the input in, inference,
// copying the outputs out, without the round trip to this process. Their webcnn counterpart is webcnn in
// the relaxed-SIMD page.
import { litertVersion } from '../../tests/node/support/litert.mjs';
import { chromiumPage, stopChromium } from './chromium.mjs';

/** The engine module for one LiteRT.js build. */
export function litertEngine(build) {
  return {
    id: build === 'relaxed-simd' ? 'litert' : `litert-${build}`,
    label: `LiteRT.js ${litertVersion} (wasm XNNPACK, ${build}, 1 thread, Chromium)`,
    counterpart: 'webcnn-chromium',
    supports: (model) => !!model.tflite,
    open: (model, input) => open(model, input, build),
    stop: stopChromium,
  };
}

async function open(model, input, build) {
  const lr = await chromiumPage(build);
  const m = await lr.open(model.tflite);
  const spec = m.inputs[0];
  const x = input.nhwc;
  if (x.data.constructor.name.toLowerCase() !== `${spec.dtype}array`)
    throw new Error(`${model.tflite} takes ${spec.dtype} [${spec.shape}], the bench input is ${x.data.constructor.name}`);
  await m.run([{ data: x.data, shape: spec.shape }]);
  const timeOnce = async () => (await m.time({ warmup: 0, runs: 1 }))[0];
  return {
    timeOnce,
    runOnce: timeOnce,
    async outputs() {
      const out = await m.run([{ data: x.data, shape: spec.shape }]);
      return new Map(out.map((t) => [t.name, t.data]));
    },
    close: () => m.dispose(),
  };
}
