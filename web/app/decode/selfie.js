// MediaPipe selfie segmentation (human-models' selfie.json): RGB 0..1 at 256×256 (the picture stretched,
// as @vladmandic/human feeds it) in, [1, 256, 256, 1] out: per pixel the probability (after its sigmoid)
// that it shows a person. Pure functions, shared by the demo's worker, its page and the tests.
export const SELFIE_SIZE = 256;

/** The model's input from RGBA pixels already at SELFIE_SIZE²: float32 NHWC RGB in 0..1. */
export function selfieInput(rgba) {
  const n = SELFIE_SIZE * SELFIE_SIZE;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; ++i) for (let c = 0; c < 3; ++c) data[3 * i + c] = rgba[4 * i + c] / 255;
  return { data, shape: [1, SELFIE_SIZE, SELFIE_SIZE, 3] };
}

/** The share of mask pixels at or above `threshold` (a person). */
export function personFraction(mask, threshold = 0.5) {
  let n = 0;
  for (const p of mask) if (p >= threshold) ++n;
  return n / mask.length;
}

/**
 * RGBA for a mask image whose alpha is 255 on the background and 0 on the person, with a smooth ramp for
 * probabilities between `low` and `high` (the edge, so hair and outlines do not look cut out).
 */
export function backgroundAlpha(mask, { low = 0.3, high = 0.7 } = {}) {
  const out = new Uint8ClampedArray(mask.length * 4);
  for (let i = 0; i < mask.length; ++i) {
    const t = Math.min(1, Math.max(0, (mask[i] - low) / (high - low)));
    out[4 * i + 3] = Math.round(255 * (1 - t * t * (3 - 2 * t)));
  }
  return out;
}
