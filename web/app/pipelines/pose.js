// Pose, in the worker: MoveNet Lightning on the picture padded to a square; the raw keypoints go back, so
// the page can apply its confidence threshold without running the model again.
import { moveNetInput, moveNetRegion, MOVENET_SIZE } from '../decode/movenet.js';
import { regionOf } from './pixels.js';

export async function estimatePose({ movenet }, bitmap) {
  const region = moveNetRegion(bitmap.width, bitmap.height);
  const out = await movenet.run({ [movenet.inputs[0].name]: moveNetInput(regionOf(bitmap, region, MOVENET_SIZE).data) });
  const keypoints = Object.values(out).find((t) => t.data.length === 17 * 3);
  if (!keypoints) throw new Error('MoveNet gave no [1, 1, 17, 3] keypoints output');
  return { result: { keypoints: { data: keypoints.data, shape: keypoints.shape }, region }, transfer: [keypoints.data.buffer] };
}
