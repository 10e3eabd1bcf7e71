// The demo's inference worker. It owns the models (webcnn runs in-process here, in this worker) and the
// whole per-frame pipeline: pixels are read, cropped, fed and decoded in this thread, so the page's main
// thread only hands over camera frames (VideoFrame/ImageBitmap, transferred, not copied) and draws the
// small results that come back.
//
// Messages in: {id, type, ...}; out: {id, result} | {id, error, code} | {id, progress}.
//   load {key, source, title}   source: a URL, or File objects (model.json + .bin, or .onnx)
//   dispose {key}
//   infer {pipeline, frame, options}   frame: VideoFrame | ImageBitmap, owned (closed) here
//   layers {key} / filters {key, layer}
//   features
//   __testOnlyBreak {how}   tests of the recovery path only: how 'trap' makes the wasm instance trap
//                           (webcnn replaces its engine, see below); 'uncaught' kills this worker with an
//                           uncaught error in its global scope (the page's inference_client.js replaces it)
// Messages out without an id:
//   {type: 'engine-restarted', reason, restored, failed, failedKeys}   webcnn replaced a trapped wasm
//       instance and loaded the models into the new one again (webcnn.events 'workerrestart'); this
//       worker is fine; the models it could not load again (failedKeys) are gone from it
//   {type: 'fatal', reason}   this worker can no longer answer (a request could not be read, so its
//       caller would wait for ever): the page replaces it
import * as webcnn from '../webcnn.js';
import { segmentPerson } from './pipelines/background.js';
import { captureLayer } from './pipelines/inside.js';
import { classify } from './pipelines/classify.js';
import { analyseFaces, forgetFaces } from './pipelines/faces.js';
import { detectHands } from './pipelines/hands.js';
import { classifyImageNet } from './pipelines/imagenet.js';
import { detectObjects } from './pipelines/objects.js';
import { estimatePose } from './pipelines/pose.js';

// The typed array of zeros a free-shaped model is planned with, by input dtype (MoveNet's float graph takes int32).
const ZEROS_OF = { float32: Float32Array, float64: Float64Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array };

const PIPELINES = { objects: detectObjects, faces: analyseFaces, classify, imagenet: classifyImageNet, inside: captureLayer, pose: estimatePose,
  background: segmentPerson, hands: detectHands };
const models = {}; // key → webcnn Model

// webcnn runs in-process here (no window, so no worker of its own): when the wasm instance traps it
// starts a fresh one and loads the models again by itself. The Model objects keep working; the page
// only needs to be told. A model that could not be loaded again (Model.lost) is dropped here and named
// to the page, which loads it anew when it next needs it.
webcnn.events.addEventListener('workerrestart', ({ detail }) => {
  const failedKeys = Object.keys(models).filter((key) => models[key].lost);
  for (const key of failedKeys) {
    models[key].dispose();
    delete models[key];
  }
  self.postMessage({ type: 'engine-restarted', reason: detail.reason, restored: detail.restored, failed: detail.failed, failedKeys });
});

async function toBitmap(frame) {
  if (typeof VideoFrame !== 'undefined' && frame instanceof VideoFrame) {
    try {
      return await createImageBitmap(frame);
    } finally {
      frame.close();
    }
  }
  return frame;
}

const handlers = {
  async load({ key, source }, reply) {
    const model = await webcnn.load(source, { onProgress: (progress) => reply({ progress }) });
    const previous = models[key];
    models[key] = model;
    if (previous && previous !== model) previous.dispose();
    return { result: { inputs: model.inputs, outputs: model.outputs, bytes: model.bytes, format: model.format } };
  },
  async dispose({ key }) {
    const model = models[key];
    delete models[key];
    await model?.dispose();
    return { result: true };
  },
  async infer({ pipeline, frame, options }) {
    const bitmap = await toBitmap(frame);
    try {
      const run = PIPELINES[pipeline];
      if (!run) throw new Error(`unknown pipeline '${pipeline}'`);
      return await run(models, bitmap, options ?? {});
    } finally {
      bitmap.close();
    }
  },
  async reset() {
    forgetFaces();
    return { result: true };
  },
  async layers({ key }) {
    const model = models[key];
    let list = await model.layers();
    // A model with a free input dimension ([-1, 64, 64, 1]) is planned at its first run, and its layers
    // are those of the plan: run it once on zeros (free dimensions 1) so that they can be listed.
    const input = model.inputs[0];
    const Typed = ZEROS_OF[input.dtype];
    if (!list.length && model.inputs.length === 1 && input.shape.some((d) => !(d > 0)) && Typed) {
      const shape = input.shape.map((d) => (d > 0 ? d : 1));
      await model.run({ [input.name]: { data: new Typed(shape.reduce((a, b) => a * b, 1)), shape } });
      list = await model.layers();
    }
    return { result: list };
  },
  async filters({ key, layer }) {
    const f = await models[key].filters(layer);
    return { result: f, transfer: [f.data.buffer] };
  },
  async features() {
    await webcnn.memory().catch(() => {}); // starts the engine, so the thread count is final
    return { result: JSON.parse(JSON.stringify(webcnn.features)) };
  },
  async __testOnlyBreak({ how }) {
    if (how === 'trap') {
      await webcnn.__testOnlyTrapEngine({ worker: false, how: 'trap' }); // rejects: WORKER_RESTARTED
      return { result: true };
    }
    if (how === 'uncaught') {
      setTimeout(() => {
        throw new Error('demo worker: uncaught error for a test');
      });
      return new Promise(() => {}); // never answers: the page replaces this worker on the error
    }
    throw new Error(`__testOnlyBreak: how must be 'trap' or 'uncaught', not '${how}'`);
  },
};

self.onmessageerror = () => self.postMessage({ type: 'fatal', reason: 'a request to the inference worker could not be read' });

self.onmessage = async ({ data }) => {
  const { id, type } = data;
  const reply = (message, transfer = []) => self.postMessage({ id, ...message }, transfer);
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`demo worker: unknown request '${type}'`);
    const { result, transfer } = await handler(data, reply);
    reply({ result }, transfer);
  } catch (e) {
    if (data.frame) data.frame.close?.();
    reply({ error: e instanceof Error ? e.message : String(e), code: e?.code });
  }
};
