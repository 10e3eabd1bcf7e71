// Look inside, in the worker: one run of the chosen network with a convolution's output captured.
import { BLAZEFACE_PREPROCESS } from '../decode/blazeface.js';
import { CENTERNET_PREPROCESS } from '../decode/centernet.js';
import { EMOTION_SIZE, emotionInput } from '../decode/face_attributes.js';
import { moveNetInput, moveNetRegion, MOVENET_SIZE } from '../decode/movenet.js';
import { regionOf, rgbaOf } from './pixels.js';

const PREPROCESS = { blazeface: BLAZEFACE_PREPROCESS, centernet: CENTERNET_PREPROCESS };

export async function captureLayer(models, bitmap, { key, layer, preprocess }) {
  const model = models[key];
  if (!model) throw new Error(`the ${key} network is not loaded`);
  const capture = [layer];
  let out;
  if (key === 'movenet') {
    const input = moveNetInput(regionOf(bitmap, moveNetRegion(bitmap.width, bitmap.height), MOVENET_SIZE).data);
    out = await model.run({ [model.inputs[0].name]: input }, { capture });
  } else if (key === 'emotion') {
    const whole = { x1: 0, y1: 0, x2: bitmap.width, y2: bitmap.height };
    out = await model.run({ [model.inputs[0].name]: emotionInput(regionOf(bitmap, whole, EMOTION_SIZE).data) }, { capture });
  } else {
    out = await model.runImage(rgbaOf(bitmap), { preprocess: PREPROCESS[key] ?? preprocess, capture });
  }
  const maps = out?.captured?.[layer];
  if (!maps) throw new Error(`the engine returned no feature maps for layer '${layer}'`);
  return { result: { maps: { data: maps.data, shape: maps.shape } }, transfer: [maps.data.buffer] };
}
