// Objects, in the worker: CenterNet on the picture; the raw detections go back, so the page can apply
// its threshold without running the model again.
import { CENTERNET_OUTPUT, CENTERNET_PREPROCESS } from '../decode/centernet.js';
import { rgbaOf } from './pixels.js';

export async function detectObjects({ centernet }, bitmap) {
  const outputs = await centernet.runImage(rgbaOf(bitmap), { preprocess: CENTERNET_PREPROCESS });
  const detections = outputs[CENTERNET_OUTPUT] ?? Object.values(outputs).find((t) => t.shape?.at(-1) === 6);
  if (!detections) throw new Error('CenterNet gave no [1, N, 6] detections output');
  return { result: { detections: { data: detections.data, shape: detections.shape } }, transfer: [detections.data.buffer] };
}
