// LiteRT.js (@litertjs/core: TFLite with XNNPACK in wasm) on .tflite models, in headless Chromium (the
// browser it is made for; it does not start in Node without shims), wasm CPU backend, one thread, its
// default relaxed-SIMD build (WEBCNN_LITERT_BUILD=simd: the plain SIMD128 "compat" build). Each timed run
// is timed on the page's clock (timeOnce): copying the input in, inference, copying the outputs out,
// without the round trip to this process. Its webcnn counterpart is webcnn in the same page.
import { litertVersion } from '../../tests/node/support/litert.mjs';
import { chromiumPage, stopChromium } from './chromium.mjs';

export const id = 'litert';
export const label = `LiteRT.js ${litertVersion} (wasm XNNPACK, ${process.env.WEBCNN_LITERT_BUILD || 'relaxed-simd'}, 1 thread, Chromium)`;
export const counterpart = 'webcnn-chromium';

export function supports(model) {
  return !!model.tflite;
}

export async function open(model, input) {
  const lr = await chromiumPage();
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

export const stop = stopChromium;
