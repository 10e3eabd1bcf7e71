// Hands, in the worker: the palm detector on the picture padded to a square, then per palm the landmark
// model on a crop turned so the fingers point up (decode/hands.js). The detector also fires on things that
// are not hands (a cat's face, an owl's eyes): each candidate goes back with the landmark model's
// probability that its crop holds a hand, and the page keeps those it trusts.
import { decodeHand, decodePalms, handCrop, handInput, handOutputs, palmInput, palmRegion, PALM_SIZE } from '../decode/hands.js';
import { regionOf, rgbaOf } from './pixels.js';

export const MAX_HANDS = 2; // as MediaPipe Hands by default: each palm costs a landmark run

export async function detectHands({ handdetect, handlandmark }, bitmap) {
  if (!handdetect || !handlandmark) throw new Error('the hand models are not loaded');
  const region = palmRegion(bitmap.width, bitmap.height);
  const out = await handdetect.run({ [handdetect.inputs[0].name]: palmInput(regionOf(bitmap, region, PALM_SIZE).data) });
  const raw = Object.values(out).find((t) => t.shape.at(-1) === 19);
  if (!raw) throw new Error('the palm detector gave no [1, 2944, 19] output');
  const palms = decodePalms(raw.data, region, { maxPalms: MAX_HANDS });
  const hands = [];
  if (palms.length) {
    const picture = rgbaOf(bitmap);
    for (const palm of palms) {
      const crop = handCrop(palm);
      const o = await handlandmark.run({ [handlandmark.inputs[0].name]: handInput(picture.data, picture.width, picture.height, crop) });
      const { keypoints, confidence } = handOutputs(o);
      hands.push({ ...decodeHand(keypoints, confidence, crop), palmScore: palm.score });
    }
  }
  return { result: { hands } };
}
