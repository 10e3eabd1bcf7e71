// Look inside, in the worker: one run of the chosen network with a convolution's output captured. Each
// demo network gets its input as its own mode makes it (so the maps show what that mode's network sees);
// the rest, "Your model" included, go through runImage with their preprocessing.
import { BLAZEFACE_PREPROCESS } from '../decode/blazeface.js';
import { CENTERNET_PREPROCESS } from '../decode/centernet.js';
import { EMOTION_SIZE, emotionInput } from '../decode/face_attributes.js';
import { palmInput, palmRegion, PALM_SIZE } from '../decode/hands.js';
import { moveNetInput, moveNetRegion, MOVENET_SIZE } from '../decode/movenet.js';
import { SELFIE_SIZE, selfieInput } from '../decode/selfie.js';
import { regionOf, rgbaOf } from './pixels.js';

const PREPROCESS = { blazeface: BLAZEFACE_PREPROCESS, centernet: CENTERNET_PREPROCESS, mobilenet: { fit: 'stretch' } };

const wholeOf = (bitmap) => ({ x1: 0, y1: 0, x2: bitmap.width, y2: bitmap.height });

// Networks whose input is not an image runImage can make: key → bitmap → the input tensor.
const INPUTS = {
  movenet: (bitmap) => moveNetInput(regionOf(bitmap, moveNetRegion(bitmap.width, bitmap.height), MOVENET_SIZE).data),
  emotion: (bitmap) => emotionInput(regionOf(bitmap, wholeOf(bitmap), EMOTION_SIZE).data),
  selfie: (bitmap) => selfieInput(regionOf(bitmap, wholeOf(bitmap), SELFIE_SIZE).data),
  handdetect: (bitmap) => palmInput(regionOf(bitmap, palmRegion(bitmap.width, bitmap.height), PALM_SIZE).data),
};

export async function captureLayer(models, bitmap, { key, layer, preprocess }) {
  const model = models[key];
  if (!model) throw new Error(`the ${key} network is not loaded`);
  const capture = [layer];
  const out = INPUTS[key]
    ? await model.run({ [model.inputs[0].name]: INPUTS[key](bitmap) }, { capture })
    : await model.runImage(rgbaOf(bitmap), { preprocess: PREPROCESS[key] ?? preprocess, capture });
  const maps = out?.captured?.[layer];
  if (!maps) throw new Error(`the engine returned no feature maps for layer '${layer}'`);
  return { result: { maps: { data: maps.data, shape: maps.shape } }, transfer: [maps.data.buffer] };
}
