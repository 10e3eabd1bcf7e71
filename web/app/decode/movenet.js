// MoveNet SinglePose Lightning, Google's int8 TFLite build (models/tflite/movenet_single_pose_lightning_ptq
// .tflite, Apache-2.0; 2.9 MB against 4.6 MB for the float TF.js graph model): fed RGB 0..255 as uint8,
// 192×192 (here: the picture padded to a square with black, so its proportions are kept); its output
// [1, 1, 17, 3] (float32, dequantized inside the model) holds per COCO keypoint y, x (0..1 of the input) and a
// confidence.

export const MOVENET_SIZE = 192;
export const KEYPOINTS = ['nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear', 'left_shoulder', 'right_shoulder',
  'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee', 'right_knee',
  'left_ankle', 'right_ankle'];
/** The bones drawn between keypoints (indices into KEYPOINTS). */
export const SKELETON = [[0, 1], [0, 2], [1, 3], [2, 4], [5, 6], [5, 7], [7, 9], [6, 8], [8, 10], [5, 11], [6, 12],
  [11, 12], [11, 13], [13, 15], [12, 14], [14, 16]];

/** The square region around a picture that the model sees (the picture centred, padded with black). */
export function moveNetRegion(imageWidth, imageHeight) {
  const side = Math.max(imageWidth, imageHeight);
  const x1 = (imageWidth - side) / 2, y1 = (imageHeight - side) / 2;
  return { x1, y1, x2: x1 + side, y2: y1 + side };
}

/** RGBA pixels of the 192×192 region → the model's input {data: Uint8Array, shape: [1, 192, 192, 3]}. */
export function moveNetInput(rgba, size = MOVENET_SIZE) {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; ++i) for (let c = 0; c < 3; ++c) data[3 * i + c] = rgba[4 * i + c];
  return { data, shape: [1, size, size, 3] };
}

/**
 * @param output {data, shape: [1, 1, 17, 3]}
 * @param region the square the model saw, in picture pixels (moveNetRegion)
 * @returns [{name, x, y (picture pixels), score}] in KEYPOINTS order
 */
export function decodeMoveNet(output, region) {
  const { data, shape } = output;
  if (data.length !== KEYPOINTS.length * 3 || shape.at(-1) !== 3) throw new Error(`MoveNet: output has shape [${shape}], expected [1, 1, 17, 3]`);
  const side = region.x2 - region.x1;
  return KEYPOINTS.map((name, i) => ({
    name, y: region.y1 + data[3 * i] * side, x: region.x1 + data[3 * i + 1] * side, score: data[3 * i + 2],
  }));
}
