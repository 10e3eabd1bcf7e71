// The five TFLite test models (models/tflite/README.md), the photos each one is checked on, how a photo
// becomes each model's input tensor, and what a person reads from each model's outputs (top-5 ImageNet
// labels, the PASCAL VOC classes a segmentation covers, MoveNet's keypoints). Shared by the LiteRT.js
// oracle test (tests/node/tflite_oracle.test.mjs) and the script that prints LiteRT.js's answers
// (models/tflite_litert_oracle.mjs).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from './cli.mjs';
import { decodePhoto, padToSquare, resizeRgb } from './photos.mjs';

export const tfliteDir = join(repoRoot, 'models', 'tflite');
const lines = (file) => readFileSync(join(tfliteDir, file), 'utf8').split('\n').map((l) => l.trim()).filter((l, i, a) => l || i < a.length - 1);
export const imagenetLabels = lines('imagenet_labels.txt'); // 1001: "background" first
export const pascalLabels = lines('pascal_voc_segmentation_labels.txt'); // 21

const CLASSIFIER_PHOTOS = ['bird.bmp', 'cat_720p.jpg', 'grace_hopper.bmp', 'hot_dog.jpg', 'owl.jpg', 'parrot.jpg', 'pets.jpg'];

/** name → {file, kind, photos}. Every model takes one uint8 NHWC image of raw pixels (its input
 * quantisation maps 0..255 to about [-1, 1]); the classifiers' outputs are uint8 softmax scores. */
export const TFLITE_MODELS = {
  'mobilenet_v2_1.0_224_quant': { file: 'mobilenet_v2_1.0_224_quant.tflite', kind: 'classifier', photos: CLASSIFIER_PHOTOS },
  'tf2_mobilenet_v2_1.0_224_ptq': { file: 'tf2_mobilenet_v2_1.0_224_ptq.tflite', kind: 'classifier', photos: CLASSIFIER_PHOTOS },
  'mobilenet_v1_0.25_128_quant': { file: 'mobilenet_v1_0.25_128_quant.tflite', kind: 'classifier', photos: CLASSIFIER_PHOTOS },
  deeplabv3_mnv2_pascal_quant: { file: 'deeplabv3_mnv2_pascal_quant.tflite', kind: 'segmentation',
    photos: ['pets.jpg', 'cat_720p.jpg', 'face.jpg', 'bird.bmp'] },
  movenet_single_pose_lightning_ptq: { file: 'movenet_single_pose_lightning_ptq.tflite', kind: 'pose',
    photos: ['face.jpg', 'grace_hopper.bmp'] }, // people; the full-body squat photo's licence keeps it out of the repo
};

export const modelPath = (name) => join(tfliteDir, TFLITE_MODELS[name].file);

/**
 * The input tensor {data: Uint8Array, shape} for a photo and a model input spec ({dtype, shape}, NHWC):
 * the photo resized to the input's size (MoveNet: padded to a square first, as its examples do).
 */
export function photoInput(name, spec, photo) {
  if (spec.dtype !== 'uint8') throw new Error(`${name}: input dtype ${spec.dtype}, the photo cases are written for uint8`);
  const [, h, w, c] = spec.shape;
  if (c !== 3) throw new Error(`${name}: input shape [${spec.shape}] is not an RGB NHWC image`);
  let image = decodePhoto(photo);
  if (TFLITE_MODELS[name].kind === 'pose') image = padToSquare(image);
  return { data: resizeRgb(image, w, h), shape: spec.shape };
}

/** Indices of the k largest values (ties: lower index first). */
export function topK(values, k) {
  return Array.from(values.keys()).sort((a, b) => Number(values[b]) - Number(values[a]) || a - b).slice(0, k);
}

const KEYPOINTS = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder', 'left_elbow',
  'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle'];

/**
 * What a person reads from the outputs: an array of lines. `quant` is the first output's {scale, zeroPoint}
 * (tflite_tensors.mjs), used to print scores as probabilities.
 */
export function readOutputs(name, outputs, quant = { scale: [1], zeroPoint: [0] }) {
  const { kind } = TFLITE_MODELS[name];
  const y = outputs[0];
  if (kind === 'classifier') {
    const labels = y.data.length === 1001 ? imagenetLabels : imagenetLabels.slice(1);
    const s = quant.scale[0] ?? 1, z = quant.zeroPoint[0] ?? 0;
    return topK(y.data, 5).map((i) => `${(s * (Number(y.data[i]) - z)).toFixed(3)}  ${labels[i]} (${i})`);
  }
  if (kind === 'segmentation') {
    const counts = new Array(pascalLabels.length).fill(0);
    for (const v of y.data) counts[Number(v)] += 1;
    return topK(counts, counts.length).filter((c) => counts[c] / y.data.length >= 0.005)
      .map((c) => `${((100 * counts[c]) / y.data.length).toFixed(1)}%  ${pascalLabels[c]}`);
  }
  // MoveNet: [1, 1, 17, 3] of (y, x, score), y and x in [0, 1] of the padded square input.
  return KEYPOINTS.map((k, i) => `${k.padEnd(15)} y ${y.data[3 * i].toFixed(3)} x ${y.data[3 * i + 1].toFixed(3)} score ${y.data[3 * i + 2].toFixed(2)}`);
}
