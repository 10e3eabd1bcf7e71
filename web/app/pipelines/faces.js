// Faces, in the worker: BlazeFace on the picture, then per face (largest first) the expression
// classifier on a 64×64 grey crop and FaceRes (age, gender, signature) on a 224×224 crop of the
// detector's box grown 1.4× and made square, as @vladmandic/human crops faces.
//
// On live video FaceRes is the expensive part, so a face that stays where it was (IoU > 0.5 with one in
// the previous frame) keeps its FaceRes result for up to a second; the expression is fresh every frame.
import { BLAZEFACE_PREPROCESS, decodeBlazeFace } from '../decode/blazeface.js';
import {
  decodeEmotion, decodeFaceRes, EMOTION_SIZE, emotionInput, FACE_CROP_SCALE, FACERES_PREPROCESS, FACERES_SIZE,
} from '../decode/face_attributes.js';
import { squareAround } from '../decode/geometry.js';
import { iou } from '../decode/nms.js';
import { regionBitmap, regionOf, rgbaOf } from './pixels.js';

const MAX_FACES = 6;
const FACERES_REUSE_MS = 1000;
const THUMB_SIZE = 96;
const DETECTION_THRESHOLD = 0.6;

let tracks = []; // the previous frame's faces with their FaceRes results

export async function analyseFaces({ blazeface, emotion, faceres }, bitmap, { live }) {
  const detected = decodeBlazeFace(await blazeface.runImage(rgbaOf(bitmap), { preprocess: BLAZEFACE_PREPROCESS }),
    { imageWidth: bitmap.width, imageHeight: bitmap.height, threshold: DETECTION_THRESHOLD });
  const area = (b) => (b.x2 - b.x1) * (b.y2 - b.y1);
  const faces = detected.sort((a, b) => area(b) - area(a)).slice(0, MAX_FACES);
  const now = performance.now();
  const analysed = [];
  for (const face of faces) {
    const region = squareAround(face, FACE_CROP_SCALE);
    const emotionOut = await emotion.run({ [emotion.inputs[0].name]: emotionInput(regionOf(bitmap, region, EMOTION_SIZE).data) });
    const previous = live && tracks.find((t) => now - t.time < FACERES_REUSE_MS && iou(t.face, face) > 0.5);
    const attributes = previous ? previous.attributes
      : decodeFaceRes(await faceres.runImage(regionOf(bitmap, region, FACERES_SIZE), { preprocess: FACERES_PREPROCESS }));
    analysed.push({ face, region, emotions: decodeEmotion(Object.values(emotionOut)[0]), attributes, time: previous ? previous.time : now });
  }
  tracks = analysed.map(({ face, attributes, time }) => ({ face, attributes, time }));
  // The largest face's picture, for remembering it.
  const thumb = analysed.length ? await regionBitmap(bitmap, analysed[0].region, THUMB_SIZE) : null;
  return {
    result: { faces: analysed.map(({ face, emotions, attributes }) => ({ face, emotions, attributes })), thumb },
    transfer: thumb ? [thumb] : [],
  };
}

export function forgetFaces() {
  tracks = [];
}
