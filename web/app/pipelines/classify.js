// Your model, in the worker: the top 5 classes of the picture, preprocessed as the visitor chose, and the
// number of classes (the first output's size: a model with free dimensions does not say it before a run).
// Colour models go through the engine's preprocessing (model.runImage). The engine makes 3 channels only,
// so a grey model (one input channel, e.g. the expression classifier's [-1, 64, 64, 1]) gets its input
// made here: the picture fitted to the model's size, grey = 0.2989 R + 0.587 G + 0.114 B, normalised as
// the chosen preset normalises each channel (ImageNet: the mean and std of the three averaged).
import { regionOf, rgbaOf } from './pixels.js';

const GREY_NORMALISE = {
  imagenet: (g) => (g / 255 - 0.449) / 0.226,
  unit: (g) => g / 255,
  minus1to1: (g) => g / 127.5 - 1,
  raw255: (g) => g,
};

/** Where the channels are in a rank-4 image input with one channel: {nhwc, height, width}, or null. */
export function greyLayout(shape, layout) {
  if (shape?.length !== 4) return null;
  const nhwc = layout ? layout === 'NHWC' : shape[3] === 1;
  if (nhwc ? shape[3] !== 1 : shape[1] !== 1) return null;
  return nhwc ? { nhwc, height: shape[1], width: shape[2] } : { nhwc, height: shape[2], width: shape[3] };
}

/** The region of the picture a fit mode shows at the model's aspect ratio (outside the picture: black). */
function fitRegion(bitmap, width, height, fit) {
  const W = bitmap.width, H = bitmap.height;
  if (fit === 'stretch') return { x1: 0, y1: 0, x2: W, y2: H };
  const aspect = width / height;
  const wider = W / H > aspect;
  // centre crop: the largest centred region of that aspect inside the picture; letterbox: the smallest around it
  const useWidth = fit === 'letterbox' ? wider : !wider;
  const w = useWidth ? W : H * aspect, h = useWidth ? W / aspect : H;
  return { x1: (W - w) / 2, y1: (H - h) / 2, x2: (W + w) / 2, y2: (H + h) / 2 };
}

/** The k best classes, through softmax unless the scores already are probabilities (as model.classify ranks). */
function topK(scores, k) {
  let values = Array.from(scores);
  const probabilities = values.every((v) => v >= 0 && v <= 1) && Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  if (!probabilities) { // softmax, as model.classify does for logits
    const max = Math.max(...values);
    const e = values.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    values = e.map((v) => v / sum);
  }
  return values.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score).slice(0, k);
}

export async function classify({ custom }, bitmap, { preprocess }) {
  if (!custom) return { result: { top: null }, transfer: [] };
  const input = custom.inputs[0];
  const grey = greyLayout(input?.shape, preprocess.layout);
  const firstOutput = (out) => out[custom.outputs[0].name] ?? Object.values(out)[0];
  const answer = (scores) => ({ result: { top: topK(scores, 5), classes: scores.length }, transfer: [] });
  if (!grey) return answer(firstOutput(await custom.runImage(rgbaOf(bitmap), { preprocess })).data);
  const size = (fixed, chosen) => (fixed > 0 ? fixed : chosen ?? 224);
  const width = size(grey.width, preprocess.width), height = size(grey.height, preprocess.height);
  const rgba = regionOf(bitmap, fitRegion(bitmap, width, height, preprocess.fit), width, height).data;
  const normalise = GREY_NORMALISE[preprocess.preset] ?? GREY_NORMALISE.unit;
  const data = new Float32Array(width * height);
  for (let i = 0; i < data.length; ++i) data[i] = normalise(0.2989 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
  const shape = grey.nhwc ? [1, height, width, 1] : [1, 1, height, width];
  return answer(firstOutput(await custom.run({ [input.name]: { data, shape } })).data);
}
