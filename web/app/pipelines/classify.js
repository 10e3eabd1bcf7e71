// Your model, in the worker: the top 5 classes of the picture, preprocessed as the visitor chose.
import { rgbaOf } from './pixels.js';

export async function classify({ custom }, bitmap, { preprocess }) {
  if (!custom) return { result: { top: null }, transfer: [] };
  const top = await custom.classify(rgbaOf(bitmap), { topK: 5, preprocess });
  return { result: { top: top.map(({ index, score }) => ({ index, score })) }, transfer: [] };
}
