// The one input tensor every engine gets for a model: deterministic pseudo-random values in the model's
// input range, made once in NHWC and transposed for the engines that take NCHW (the ONNX models); uint8
// for the quantized .tflite models, which take raw pixels.

/** Deterministic values in [lo, hi) (mulberry32). */
export function pseudoRandom(count, seed, lo, hi) {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; ++i) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = lo + (((t ^ (t >>> 14)) >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** NHWC [n, h, w, c] → NCHW. */
export function nhwcToNchw(data, [n, h, w, c]) {
  const out = new data.constructor(data.length);
  for (let b = 0; b < n; ++b)
    for (let y = 0; y < h; ++y)
      for (let x = 0; x < w; ++x)
        for (let k = 0; k < c; ++k) out[((b * c + k) * h + y) * w + x] = data[((b * h + y) * w + x) * c + k];
  return out;
}

/** {nhwc: {shape, data}, nchw: {shape, data}} for an [1, h, w, c] input with values in `range`
 * (dtype 'uint8': integers in [lo, hi]). */
export function makeInput([h, w], channels, [lo, hi], seed = 1, dtype = 'float32') {
  const shape = [1, h, w, channels];
  if (dtype !== 'float32' && dtype !== 'uint8') throw new Error(`makeInput: dtype ${dtype}`);
  const data = dtype === 'uint8' ? Uint8Array.from(pseudoRandom(h * w * channels, seed, lo, hi + 1), Math.floor)
    : pseudoRandom(h * w * channels, seed, lo, hi);
  return { nhwc: { shape, data }, nchw: { shape: [1, channels, h, w], data: nhwcToNchw(data, shape) } };
}
