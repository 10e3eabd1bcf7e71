// What the human-models face classifiers say about one face crop (the detector's box grown 1.4× and made
// square, as @vladmandic/human crops it).
//  - emotion: 64×64 grayscale (0.2989 R + 0.587 G + 0.114 B), scaled to −1..1; 7 probabilities in the
//    order below.
//  - faceres: 224×224 RGB 0..255 (see FACERES_PREPROCESS); outputs by shape: gender [1,1] (probability of
//    male), age [1,100] (softmax over years 0..99, refined towards the likelier neighbour),
//    descriptor [1,1024] (the face embedding).

export const FACE_CROP_SCALE = 1.4;

export const EMOTION_SIZE = 64;
export const EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];

/** RGBA pixels of a 64×64 crop → the emotion model's input [1, 64, 64, 1]. */
export function emotionInput(rgba, width = EMOTION_SIZE, height = EMOTION_SIZE) {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; ++i) {
    const gray = (0.2989 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    out[i] = (gray - 0.5) * 2;
  }
  return { data: out, shape: [1, height, width, 1] };
}

/** @returns [{emotion, score}] best first */
export function decodeEmotion(output) {
  const p = Array.from(output.data);
  if (p.length !== EMOTIONS.length) throw new Error(`emotion: ${p.length} scores, expected ${EMOTIONS.length}`);
  return p.map((score, i) => ({ emotion: EMOTIONS[i], score })).sort((a, b) => b.score - a.score);
}

export const FACERES_SIZE = 224;
export const FACERES_PREPROCESS = {
  width: FACERES_SIZE, height: FACERES_SIZE, fit: 'stretch', scale: 1, mean: 0, std: 1, layout: 'NHWC',
};

/**
 * @returns {age (years), ageWithin5 (the model's probability that the age lies within ±5 years of `age`),
 *   gender: 'female'|'male', genderProbability (the model's probability of that gender, 0.5..1),
 *   genderScore (0..1 confidence), descriptor: Float32Array}
 */
export function decodeFaceRes(outputs) {
  const all = Object.values(outputs);
  const find = (n) => all.find((t) => t.data.length === n);
  const gender = find(1), age = find(100), descriptor = find(1024);
  if (!gender || !age || !descriptor) throw new Error(`faceres: outputs of sizes [${all.map((t) => t.data.length)}], expected 1, 100 and 1024`);
  const p = gender.data[0];
  // Age: the most likely bin i (of 100), nudged towards its more likely neighbour.
  const a = age.data;
  let best = 0;
  for (let i = 1; i < a.length; ++i) if (a[i] > a[best]) best = i;
  const before = best > 0 ? a[best - 1] : 0, after = best < a.length - 1 ? a[best + 1] : 0;
  const years = before > after ? best - 10 * before : best + 10 * after;
  let total = 0, near = 0;
  for (let i = 0; i < a.length; ++i) {
    total += a[i];
    if (Math.abs(i - years) <= 5) near += a[i];
  }
  return {
    age: Math.round(years * 10) / 10,
    ageWithin5: total > 0 ? near / total : 0,
    gender: p <= 0.5 ? 'female' : 'male',
    genderProbability: Math.max(p, 1 - p),
    genderScore: Math.min(0.99, 2 * Math.abs(p - 0.5)),
    descriptor: Float32Array.from(descriptor.data),
  };
}

/** Cosine similarity of two embeddings, in −1..1. */
export function cosineSimilarity(a, b) {
  if (a.length !== b.length) return -1;
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : -1;
}
