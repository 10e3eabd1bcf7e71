// Classify, in the worker: MobileNetV2 (8-bit TFLite) ranks the ImageNet classes of the whole picture,
// squeezed to its 224×224 input as LiteRT.js is fed in models/tflite/README.md's reference runs. Its input
// is uint8 with real = (q − 128) / 128, so raw pixels are the quantised −1..1 the model was trained on:
// classify() with no normalisation preset feeds them as they are, and its softmax output is read as the
// probabilities it already is. Only the five best {index, score} go back, the page names them; classes
// the 8-bit output gives exactly 0 are left out (ranked among themselves only by index, they say nothing:
// a sure 'macaw 100%' would list 'background', 'tench' and 'goldfish' at 0% after it).
import { rgbaOf } from './pixels.js';

export const TOP_K = 5;

export async function classifyImageNet({ mobilenet }, bitmap) {
  if (!mobilenet) throw new Error('the ImageNet classifier is not loaded');
  const top = await mobilenet.classify(rgbaOf(bitmap), { topK: TOP_K, preprocess: { fit: 'stretch' } });
  return { result: { top: top.filter(({ score }) => score > 0).map(({ index, score }) => ({ index, score })) }, transfer: [] };
}
