// Background, in the worker: selfie segmentation on the picture stretched to 256×256; the person mask
// goes back (transferred) and the page blurs or replaces what is not the person.
import { SELFIE_SIZE, selfieInput } from '../decode/selfie.js';
import { regionOf } from './pixels.js';

export async function segmentPerson({ selfie }, bitmap) {
  if (!selfie) throw new Error('the segmentation model is not loaded');
  const whole = { x1: 0, y1: 0, x2: bitmap.width, y2: bitmap.height };
  const out = await selfie.run({ [selfie.inputs[0].name]: selfieInput(regionOf(bitmap, whole, SELFIE_SIZE).data) });
  const mask = Object.values(out).find((t) => t.data.length === SELFIE_SIZE * SELFIE_SIZE);
  if (!mask) throw new Error('selfie segmentation gave no [1, 256, 256, 1] mask');
  return { result: { mask: { data: mask.data, shape: mask.shape } }, transfer: [mask.data.buffer] };
}
