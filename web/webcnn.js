// webcnn: CNN inference in the browser and in Node, from one C++ engine compiled to WebAssembly SIMD128.
//
//   import * as webcnn from './webcnn.js';
//   const model = await webcnn.load('mobilenetv2.onnx', { onProgress: ({ loaded, total }) => ... });
//   model.inputs; model.outputs;                       // [{name, shape, dtype}]
//   model.format; model.bytes;                         // 'onnx' | 'tfjs' | 'tflite'; bytes downloaded or read
//   const out = await model.run({ input: { data: Float32Array, shape: [1, 3, 224, 224] } });
//   const top = await model.classify(imageOrVideo, { topK: 5, labels });
//   model.dispose();
//
// What load() takes:
//   - an ONNX or TFLite file: URL, path (Node), ArrayBuffer, typed array, Blob/File (a .tflite is known by
//     its name or its "TFL3" identifier; its 8-bit inputs and outputs carry spec.quant = {scale, zeroPoint});
//   - a TF.js graph model: the URL or path of its model.json (a name ending in .json, or a file starting
//     with '{'); the weight shards its weightsManifest names are fetched (page) or read (Node) beside it;
//   - files as <input type=file multiple> or a drop gives them (FileList or array of Blobs/Files): a
//     model.json with its .bin shards, matched by file name, or a single .onnx or .tflite;
//   - {modelJson: text | parsed object | Blob, weights: {[shard path or file name]: ArrayBuffer | typed array | Blob}}.
// onProgress({loaded, total}) counts every file; total is the sum of the sizes known so far (a TF.js
// manifest says how many bytes its weights take, so the total is right once model.json has arrived),
// null while a single file of unknown size streams in; loaded never exceeds total.
//
// Looking inside (the convolutions as the engine runs them, after BatchNorm folding and fusion):
//   await model.layers();                              // [{name, weights: [O, I/group, kH, kW], group}]
//   await model.filters(name);                         // {data: Float32Array, shape: [O, I/group, kH, kW]}
//   const r = await model.run(feeds, { capture: [name] });   // also r.captured[name]: {data, shape: NHWC}
//
// Where inference runs: in a page, in a Web Worker (worker.js) by default, so the page never blocks;
// frames travel to it as ImageBitmaps (transferred, not copied). In Node, and with {worker: false}, in
// the calling thread. Both paths drive the same Engine class (webcnn/engine.js), which owns the wasm module.
//
// Failures: every call rejects with an Error whose .code says what kind of failure it is (the message is
// the engine's sentence, naming the input, node or file):
//   'INVALID_MODEL'       the model file is malformed or inconsistent
//   'UNSUPPORTED_OP'      the model uses ops or layers the engine does not implement (all named at once)
//   'INVALID_ARGUMENT'    wrong inputs (shape, dtype, names), options, an image that cannot be decoded,
//                         a file or URL that cannot be read, a disposed model
//   'RESOURCE_EXHAUSTED'  the memory budget or an allocation refused the request
//   'INTERNAL'            a bug in webcnn, or an environment it cannot run in (no WebAssembly SIMD)
//   'WORKER_RESTARTED'    see below
// The worker and the module stay usable. If the wasm instance itself breaks (a trap:
// WebAssembly.RuntimeError, e.g. 'unreachable' or an out-of-memory abort), or the worker dies, webcnn
// starts a fresh one, loads the live models into it again from a copy of their bytes kept as Blobs (see
// webcnn/backend.js), rejects the calls that were in flight with an Error whose
// .code === 'WORKER_RESTARTED', and dispatches a 'workerrestart' event on webcnn.events
// (event.detail: {reason, restored, failed}). Model objects keep working across a restart.
//
// Memory: a wasm heap only grows; webcnn.releaseMemory() starts a fresh engine when the heap is far above
// what the live models use, and loads them into it again (no call fails).
//
// The pieces, one concept per module in webcnn/:
//   environment.js         Node, page or worker
//   errors.js              error codes, and Errors as plain data for the worker
//   engine.js              the wasm module and its models (used in this thread and by worker.js)
//   images.js              RGBA pixels from image sources; how each backend ships an image
//   backend.js             what the backends share: model ids, kept bytes, restarts
//   in_process_backend.js  the engine in this thread
//   worker_backend.js      the engine in a Web Worker (worker.js)
//   backends.js            which backend, started on first use
//   load_progress.js       download progress over several files
//   model_sources.js       model files from URLs, paths, bytes, Files, {modelJson, weights}
//   preprocess_options.js  presets and options for image preprocessing
//   model.js               the Model class
// This file is the public entry point: what it exports is the API (webcnn.d.ts).

import { assetBaseSetting, features, relaxedSimdSetting, setAssetBase, setRelaxedSimd } from './wasm_loader.js';
import { defaultUseWorker, backend } from './webcnn/backends.js';
import { CallerThrew, ErrorCode, invalidArgumentType, optionsArgument, withCode } from './webcnn/errors.js';
import { Model } from './webcnn/model.js';
import { modelPayload } from './webcnn/model_sources.js';
import { preprocessOptions } from './webcnn/preprocess_options.js';
import { WorkerBackend } from './webcnn/worker_backend.js';

export { features, ErrorCode };
export { events } from './webcnn/backend.js';
/** Not part of the public API: worker.js and tests drive the engine directly. */
export { Engine } from './webcnn/engine.js';

/**
 * Settings that apply to every later load. assetBase: the URL of a directory holding webcnn's own files as
 * the package has them under web/ (worker.js, webcnn/, dist/), for pages whose bundler does not copy them
 * (esbuild, Rollup without a plugin) or that serve them from elsewhere; null: next to this module (the
 * default). Call it before the first load(). Node keeps assetBase as given and ignores it (it reads the
 * package's files). relaxedSimd: false keeps the SIMD128 build where relaxed SIMD is available (true, the
 * default: use it there; features.relaxedSimd says which build runs).
 * Returns the settings now in force.
 */
export function configure({ assetBase, relaxedSimd } = {}) {
  if (assetBase !== undefined) setAssetBase(assetBase);
  if (relaxedSimd !== undefined) setRelaxedSimd(relaxedSimd);
  return { assetBase: assetBaseSetting(), relaxedSimd: relaxedSimdSetting() };
}

/**
 * Loads an ONNX, TFLite or TF.js graph model (see the top of this file for the accepted sources).
 * @param options.onProgress called with {loaded, total} bytes over all files as they arrive; if it throws,
 *   reading stops and load rejects with what it threw.
 * @param options.worker run inference in a Web Worker (default: true in a page, false elsewhere).
 */
export async function load(source, options) {
  try {
    const { onProgress, worker = defaultUseWorker() } = optionsArgument(options, 'load');
    // The engine starts (compiles its wasm, or starts its worker) while the model's files arrive; an engine
    // that cannot start is the error reported, before any about the files.
    const started = backend(worker);
    const read = modelPayload(source, onProgress);
    read.catch(() => {}); // awaited below, once the engine has started
    const b = await started;
    const { payload, owned, bytes } = await read;
    const description = await b.load(payload, { owned, transfer: owned && b instanceof WorkerBackend });
    return new Model(b, description, { format: payload.format, bytes });
  } catch (e) {
    if (e instanceof CallerThrew) throw e.value; // the caller's onProgress threw: theirs, as it was
    throw withCode(e); // every failure has its code already; anything else would be a bug of ours
  }
}

/**
 * Preprocesses an image into an input tensor exactly as classify()/runImage() do.
 * @returns {data: Float32Array, shape, dtype}
 */
export async function preprocess(image, options, settings) {
  const { worker = defaultUseWorker() } = optionsArgument(settings, 'preprocess');
  const b = await backend(worker);
  const opts = preprocessOptions(options);
  const payload = await b.imagePayload(image);
  return b.call('preprocess', [payload.image, opts], payload.transfer);
}

/** Wasm heap: {heapBytes: size of wasm memory, usedBytes: bytes allocated and not yet freed}. */
export async function memory(options) {
  const { worker = defaultUseWorker() } = optionsArgument(options, 'memory');
  return (await backend(worker)).call('memory', []);
}

/**
 * Gives wasm memory back. A wasm heap only grows: one run on a huge input leaves it at that run's peak
 * for the life of the page. When the heap is more than twice what is in use (plus 64 MiB), this starts a
 * fresh engine (or worker) and loads the live models into it from their kept bytes; Model objects keep
 * working and no call fails. Resolves to {released, heapBytes, usedBytes} (and heapBytesBefore, failed:
 * models that could not be loaded again, when released).
 */
export async function releaseMemory(options) {
  try {
    const { worker = defaultUseWorker() } = optionsArgument(options, 'releaseMemory');
    return await (await backend(worker)).releaseMemory();
  } catch (e) {
    throw withCode(e);
  }
}

/**
 * For tests of the recovery path only: makes the wasm instance trap (WebAssembly.RuntimeError:
 * unreachable) inside the engine, as a bug would; with how: 'uncaught', the worker dies of an uncaught
 * error instead. Rejects with .code === 'WORKER_RESTARTED'.
 */
export async function __testOnlyTrapEngine({ worker = defaultUseWorker(), how = 'trap' } = {}) {
  const b = await backend(worker);
  if (how === 'uncaught' && b instanceof WorkerBackend) return b.call('__testOnlyUncaught', []);
  if (how !== 'trap') throw invalidArgumentType(`__testOnlyTrapEngine: how must be 'trap'${b instanceof WorkerBackend ? " or 'uncaught'" : ''}`);
  return b.call('__testOnlyTrap', []);
}
