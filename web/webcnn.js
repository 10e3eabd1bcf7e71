// webcnn: CNN inference in the browser and in Node, from one C++ engine compiled to WebAssembly SIMD128.
//
//   import * as webcnn from './webcnn.js';
//   const model = await webcnn.load('mobilenetv2.onnx', { onProgress: ({ loaded, total }) => ... });
//   model.inputs; model.outputs;                       // [{name, shape, dtype}]
//   model.format; model.bytes;                         // 'onnx' | 'tfjs'; bytes downloaded or read
//   const out = await model.run({ input: { data: Float32Array, shape: [1, 3, 224, 224] } });
//   const top = await model.classify(imageOrVideo, { topK: 5, labels });
//   model.dispose();
//
// What load() takes:
//   - an ONNX file: URL, path (Node), ArrayBuffer, typed array, Blob/File;
//   - a TF.js graph model: the URL or path of its model.json (a name ending in .json, or a file starting
//     with '{'); the weight shards its weightsManifest names are fetched (page) or read (Node) beside it;
//   - files as <input type=file multiple> or a drop gives them (FileList or array of Blobs/Files): a
//     model.json with its .bin shards, matched by file name, or a single .onnx;
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
// the calling thread. Both paths drive the same Engine class below, which owns the wasm module.
//
// Failures: the wasm module reports them as {error: message} values, and every call rejects with an
// Error carrying the engine's message; the worker and the module stay usable. If the wasm instance
// itself breaks (a trap: WebAssembly.RuntimeError, e.g. 'unreachable' or an out-of-memory abort), or the
// worker dies, webcnn starts a fresh one, loads the live models into it again from a copy of their
// bytes kept as Blobs (see Backend), rejects the calls that were in flight with an Error whose
// .code === 'WORKER_RESTARTED', and dispatches a 'workerrestart' event on webcnn.events
// (event.detail: {reason, restored, failed}). Model objects keep working across a restart.

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined';
const isWindow = typeof window !== 'undefined' && typeof document !== 'undefined';

import { features, instantiateModule, SIMD_REQUIRED } from './wasm_loader.js';

export { features };

/** 'workerrestart' events (CustomEvent, detail {reason, restored, failed}) after a restart. */
export const events = new EventTarget();

function unwrap(result) {
  if (result && result.error !== undefined) throw new Error(result.error);
  return result;
}

function isRGBAImage(x) {
  return x != null && typeof x === 'object' && typeof x.width === 'number' && typeof x.height === 'number' &&
    x.data != null && ArrayBuffer.isView(x.data);
}

/** A trap of the wasm instance: the module's state can no longer be trusted. */
function isTrap(error) {
  return typeof WebAssembly === 'object' && error instanceof WebAssembly.RuntimeError;
}

/**
 * The wasm module and the models loaded into it, by id. Synchronous; used in-process and by worker.js.
 * Not part of the public API.
 */
export class Engine {
  static async create() {
    const { module, wasmBytes } = await instantiateModule();
    return new Engine(module, wasmBytes);
  }

  constructor(module, wasmBytes) {
    this.module = module;
    this.wasmBytes = wasmBytes;
    this.models = new Map();
    this.nextId = 1;
    this.canvas = null; // reused to read pixels out of bitmaps and elements
  }

  info() {
    return { wasmBytes: this.wasmBytes, backend: this.module.simdBackend() };
  }

  /**
   * payload: {format: 'onnx', bytes} | {format: 'tfjs', json: text, shards: {[path]: Uint8Array}}, or bare
   * ONNX bytes. id: the caller's id for the model (a restarted engine gets the same ids back).
   */
  load(payload, id = this.nextId++) {
    if (payload instanceof ArrayBuffer || ArrayBuffer.isView(payload)) payload = { format: 'onnx', bytes: payload };
    const { model } = unwrap(payload.format === 'tfjs'
      ? this.module.loadTfjsModel(payload.json, payload.shards)
      : this.module.loadModel(payload.bytes));
    this.dispose(id);
    this.models.set(id, model);
    this.nextId = Math.max(this.nextId, id + 1);
    return { id, inputs: model.inputs(), outputs: model.outputs() };
  }

  /** → {outputs, captured?} */
  run(id, feeds, capture) {
    return unwrap(this.model(id).run(feeds, capture));
  }

  runImage(id, image, preprocess, capture) {
    return unwrap(this.model(id).runImage(this.pixels(image), preprocess, capture));
  }

  classify(id, image, options) {
    return unwrap(this.model(id).classify(this.pixels(image), options)).top;
  }

  layers(id) {
    return this.model(id).layers();
  }

  filters(id, layer) {
    return unwrap(this.model(id).filters(layer));
  }

  profile(id, feeds, warmup, runs) {
    return unwrap(this.model(id).profile(feeds, warmup, runs));
  }

  preprocess(image, options) {
    return unwrap(this.module.preprocess(this.pixels(image), options));
  }

  dispose(id) {
    const model = this.models.get(id);
    if (!model) return;
    this.models.delete(id);
    model.delete();
  }

  memory() {
    return this.module.heapStats();
  }

  /**
   * Ends the module's pthread workers, if it has any (Emscripten's multi-threaded loader exports
   * PThread); the engine is unusable afterwards. The single-threaded module has nothing to end:
   * dropping the Engine frees it.
   */
  terminate() {
    this.module.PThread?.terminateAllThreads?.();
  }

  /** Traps the wasm instance (WebAssembly.RuntimeError: unreachable), for the recovery tests only. */
  __testOnlyTrap() {
    this.module.__testOnlyTrap();
  }

  model(id) {
    const model = this.models.get(id);
    if (!model) throw new Error('this model has been disposed');
    return model;
  }

  // RGBA pixels of an image: {data, width, height} as is; bitmaps, canvases, <img> and <video> drawn
  // onto a canvas and read back. ImageBitmaps are closed afterwards (they were transferred to us).
  pixels(image) {
    if (isRGBAImage(image)) return image;
    const width = image.naturalWidth || image.videoWidth || image.displayWidth || image.width;
    const height = image.naturalHeight || image.videoHeight || image.displayHeight || image.height;
    if (!(width > 0 && height > 0)) throw new Error('the image has no pixels yet (not loaded, or zero size)');
    if (!this.canvas) {
      this.canvas = typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(width, height)
        : typeof document !== 'undefined' ? document.createElement('canvas') : null;
      if (!this.canvas) throw new TypeError('images must be {data: RGBA bytes, width, height} here (no canvas)');
    }
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(image, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height);
    if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) image.close();
    return data;
  }
}

// ---------------------------------------------------------------------------------------------------
// Backends: the same calls, answered in this thread or by worker.js, with recovery from a broken engine.

function restartedError(reason, where) {
  const error = new Error(`webcnn: the ${where} failed (${reason}) and was restarted; this call did not complete, ` +
    'the loaded models are available again');
  error.code = 'WORKER_RESTARTED';
  return error;
}

function dispatchRestart(detail) {
  const event = typeof CustomEvent === 'function' ? new CustomEvent('workerrestart', { detail }) : Object.assign(new Event('workerrestart'), { detail });
  events.dispatchEvent(event);
}

/** Copies of a payload's bytes that survive the engine (and a transfer of the originals). */
function retain(payload) {
  const keep = (bytes) => new Blob([bytes]);
  if (payload.format === 'tfjs') {
    const shards = {};
    for (const [path, bytes] of Object.entries(payload.shards)) shards[path] = keep(bytes);
    return { format: 'tfjs', json: payload.json, shards };
  }
  return { format: 'onnx', bytes: keep(payload.bytes) };
}

async function restore(retained) {
  const bytes = async (blob) => new Uint8Array(await blob.arrayBuffer());
  if (retained.format === 'tfjs') {
    const shards = {};
    for (const [path, blob] of Object.entries(retained.shards)) shards[path] = await bytes(blob);
    return { format: 'tfjs', json: retained.json, shards };
  }
  return { format: 'onnx', bytes: await bytes(retained.bytes) };
}

function payloadBuffers(payload) {
  const views = payload.format === 'tfjs' ? Object.values(payload.shards) : [payload.bytes];
  return [...new Set(views.map((v) => v.buffer))];
}

/**
 * What both backends share: ids for models, and the models that are live, each with a copy of its
 * bytes, so that a replacement engine can load them again.
 *
 * Why keep bytes rather than re-read the source: sources may be Files, ArrayBuffers or objects that
 * have no URL; a URL may answer differently (or not at all, offline) by the time a restart happens; and
 * the bytes the engine already accepted are the ones known to load. The copies are Blobs, which
 * browsers keep outside the JS heap (and may page out); they cost the model's file size each, freed on
 * dispose().
 */
class Backend {
  constructor(where) {
    this.where = where;
    this.live = new Map(); // id → {retained, broken: Error | null}
    this.nextId = 1;
    this.ready = null; // Promise: settles when a (re)started engine has its models again
  }

  async load(payload, owned) {
    const id = this.nextId++;
    const retained = retain(payload);
    // Bytes we read ourselves go to a worker without a copy (retain() copied them first).
    const description = await this.call('load', [payload, id], owned ? payloadBuffers(payload) : []);
    this.live.set(id, { retained, broken: null });
    return description;
  }

  async modelCall(id, method, args, transfer = []) {
    const entry = this.live.get(id);
    if (entry?.broken) throw entry.broken;
    return this.call(method, [id, ...args], transfer);
  }

  lostReason(id) {
    return this.live.get(id)?.broken ?? null;
  }

  async dispose(id) {
    if (!this.live.delete(id)) return;
    await this.call('dispose', [id]);
  }

  /**
   * Loads the live models into a fresh engine. A model that fails to load again is marked broken (its
   * calls reject with the reason); if its loading broke the engine too (isCrash(error)), the result says
   * crashed and the caller starts yet another engine and calls this again, without that model.
   */
  async reloadLive(load, isCrash) {
    let restored = 0;
    for (const [id, entry] of this.live) {
      if (entry.broken) continue;
      try {
        await load(await restore(entry.retained), id);
        ++restored;
      } catch (e) {
        entry.broken = new Error(`this model could not be loaded again after the ${this.where} restarted: ${e.message}`);
        if (isCrash(e)) return { crashed: true };
      }
    }
    const failed = [...this.live.values()].filter((e) => e.broken).length;
    return { crashed: false, restored, failed };
  }
}

class InProcessBackend extends Backend {
  constructor(engine) {
    super('wasm engine');
    this.engine = engine;
    this.ready = Promise.resolve();
  }

  async call(method, args) {
    await this.ready;
    try {
      return this.engine[method](...args);
    } catch (e) {
      if (!isTrap(e)) throw e;
      // The instance trapped mid-call: its heap and stack may be inconsistent. Replace it.
      const reason = `${e.name}: ${e.message}`;
      this.ready = this.replaceEngine(reason);
      throw restartedError(reason, this.where);
    }
  }

  async replaceEngine(reason) {
    for (;;) {
      this.engine.terminate();
      this.engine = await Engine.create();
      const { crashed, restored, failed } = await this.reloadLive((payload, id) => this.engine.load(payload, id), isTrap);
      if (crashed) continue;
      dispatchRestart({ reason, restored, failed });
      return;
    }
  }

  // Images go to Engine.pixels as they are.
  async imagePayload(image) {
    if (isNode && !isRGBAImage(image))
      throw new TypeError('in Node, images are {data: Uint8Array | Uint8ClampedArray (RGBA), width, height}');
    return { image, transfer: [] };
  }
}

class WorkerBackend extends Backend {
  constructor() {
    super('inference worker');
    this.pending = new Map(); // call number → {resolve, reject}
    this.nextCall = 1;
    this.worker = null;
    this.started = false; // the current worker has answered 'info'
    this.restoring = false;
    this.ready = this.spawn();
  }

  /** A new worker with the wasm module instantiated. */
  async spawn() {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'webcnn' });
    this.worker = worker;
    this.started = false;
    worker.onmessage = ({ data }) => {
      if (worker !== this.worker) return;
      if (data.fatal) {
        this.crashed(data.error);
        return;
      }
      const p = this.pending.get(data.call);
      if (!p) return;
      this.pending.delete(data.call);
      if (data.error !== undefined) p.reject(new Error(data.error));
      else p.resolve(data.result);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (worker === this.worker) this.crashed(event.message || 'the worker stopped with an uncaught error');
    };
    worker.onmessageerror = () => {
      if (worker === this.worker) this.crashed('a message from the worker could not be read');
    };
    const info = await this.post('info', []);
    this.started = true;
    features.wasmBytes = info.wasmBytes;
  }

  async call(method, args, transfer = []) {
    for (;;) {
      const ready = this.ready;
      try {
        await ready;
      } catch (e) {
        // The last restart failed (the worker could not start): try once more for this call.
        if (ready === this.ready && !this.restoring) this.ready = this.restart(e.message);
        await this.ready;
      }
      if (ready !== this.ready) continue; // a restart began meanwhile: wait for it
      if (!this.worker) throw new Error('webcnn: the inference worker is not running');
      return this.post(method, args, transfer);
    }
  }

  post(method, args, transfer = []) {
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ call, method, args }, transfer);
    });
  }

  /** The worker trapped or died: end it, fail what it was doing, and bring up a fresh one. */
  crashed(reason) {
    const started = this.started;
    this.worker.terminate();
    this.worker = null;
    this.started = false;
    // A worker that never started (e.g. its script or the wasm is missing) is not restarted in a loop:
    // the call that started it fails with the reason.
    const error = started ? restartedError(reason, this.where) : new Error(`webcnn: the inference worker could not start: ${reason}`);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (!started || this.restoring) return; // restart() learns of it through the call that failed
    this.ready = this.restart(reason);
    this.ready.catch(() => {});
  }

  async restart(reason) {
    this.restoring = true;
    try {
      for (;;) {
        await this.spawn();
        const { crashed, restored, failed } = await this.reloadLive(
          (payload, id) => this.post('load', [payload, id], payloadBuffers(payload)), (e) => e.code === 'WORKER_RESTARTED');
        if (crashed) continue;
        dispatchRestart({ reason, restored, failed });
        return;
      }
    } finally {
      this.restoring = false;
    }
  }

  // Pixels already in memory are copied once by postMessage; anything drawable becomes an ImageBitmap
  // that is transferred (no copy) and read by the worker.
  async imagePayload(image) {
    if (isRGBAImage(image)) return { image: { data: image.data, width: image.width, height: image.height }, transfer: [] };
    const bitmap = await createImageBitmap(image);
    return { image: bitmap, transfer: [bitmap] };
  }
}

let inProcess = null; // Promise<InProcessBackend>
let inWorker = null; // Promise<WorkerBackend>

function backend(useWorker) {
  if (!features.simd) return Promise.reject(new Error(SIMD_REQUIRED));
  if (useWorker) {
    inWorker ??= (async () => {
      const b = new WorkerBackend();
      await b.ready;
      return b;
    })();
    inWorker.catch(() => { inWorker = null; });
    return inWorker;
  }
  inProcess ??= Engine.create().then((engine) => {
    features.wasmBytes = engine.wasmBytes;
    return new InProcessBackend(engine);
  });
  inProcess.catch(() => { inProcess = null; });
  return inProcess;
}

const defaultUseWorker = () => isWindow && typeof Worker !== 'undefined';

// ---------------------------------------------------------------------------------------------------
// Model files from wherever they are, with progress over all of them.

/**
 * Progress over several files. Each file counts max(its size, bytes arrived) once its size is known;
 * a TF.js weight group counts at least what its manifest says the weights take, so shards not yet
 * started are in the total. total is null while an ungrouped file of unknown size is arriving.
 */
class LoadProgress {
  constructor(onProgress) {
    this.onProgress = onProgress;
    this.files = [];
    this.groups = [];
    this.last = null;
  }

  file(size = null, group = null) {
    const f = { loaded: 0, size, group };
    this.files.push(f);
    return f;
  }

  group(need) {
    const g = { need };
    this.groups.push(g);
    return g;
  }

  add(file, bytes) {
    file.loaded += bytes;
    this.emit();
  }

  finish(file) {
    file.size = file.loaded;
    this.emit();
  }

  loaded() {
    return this.files.reduce((s, f) => s + f.loaded, 0);
  }

  emit() {
    if (!this.onProgress) return;
    const loaded = this.loaded();
    let total = 0;
    const grouped = new Map(this.groups.map((g) => [g, 0]));
    for (const f of this.files) {
      const counted = Math.max(f.size ?? 0, f.loaded);
      if (f.group) grouped.set(f.group, grouped.get(f.group) + counted);
      else if (f.size === null) total = null;
      else if (total !== null) total += counted;
    }
    if (total !== null) for (const [g, sum] of grouped) total += Math.max(g.need, sum);
    if (this.last && this.last.loaded === loaded && this.last.total === total) return;
    this.last = { loaded, total };
    this.onProgress({ loaded, total });
  }

  /** The last report: everything has arrived. */
  done() {
    if (!this.onProgress) return;
    const loaded = this.loaded();
    if (this.last && this.last.loaded === loaded && this.last.total === loaded) return;
    this.last = { loaded, total: loaded };
    this.onProgress({ loaded, total: loaded });
  }
}

async function readStream(reader, file, progress) {
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    progress.add(file, value.byteLength);
  }
  const bytes = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  progress.finish(file);
  return bytes;
}

/** A Blob's bytes; what: the file's description for errors. */
async function readBlob(blob, file, progress, what) {
  file.size = blob.size;
  try {
    return await readStream(blob.stream().getReader(), file, progress);
  } catch (e) {
    throw new Error(`cannot read ${what}: ${e.message}`);
  }
}

/** fetch() with progress; fail(detail) makes the Error for a failure. */
async function fetchBytes(url, file, progress, fail) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw fail(e.message);
  }
  if (!response.ok) throw fail(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  // Content-Length is the size on the wire; with compression it undercounts, so it is only a hint.
  file.size = Number(response.headers.get('content-length')) || null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    progress.add(file, bytes.byteLength);
    progress.finish(file);
    return bytes;
  }
  return readStream(response.body.getReader(), file, progress);
}

async function readFileBytes(path, file, progress, fail) {
  const { open } = await import('node:fs/promises');
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw fail(e.code === 'ENOENT' ? 'no such file' : e.message);
  }
  try {
    const { size } = await handle.stat();
    file.size = size;
    const bytes = new Uint8Array(size);
    const chunk = 1 << 20;
    let loaded = 0;
    while (loaded < size) {
      const { bytesRead } = await handle.read(bytes, loaded, Math.min(chunk, size - loaded), loaded);
      if (bytesRead === 0) break;
      loaded += bytesRead;
      progress.add(file, bytesRead);
    }
    progress.finish(file);
    return loaded === size ? bytes : bytes.subarray(0, loaded);
  } finally {
    await handle.close();
  }
}

/** Where a file is: {url} (fetched) or {path} (Node file system); name: as errors show it. */
async function locate(source) {
  const text = String(source);
  if (isNode) {
    if (/^https?:/i.test(text)) return { url: new URL(text), name: text };
    if (/^file:/i.test(text)) {
      const { fileURLToPath } = await import('node:url');
      return { path: fileURLToPath(text), name: text };
    }
    return { path: text, name: text };
  }
  const base = typeof document !== 'undefined' ? document.baseURI : self.location.href;
  return { url: new URL(text, base), name: text };
}

async function beside(location, relative) {
  if (location.url) return { url: new URL(relative, location.url) };
  const { dirname, join } = await import('node:path');
  return { path: join(dirname(location.path), relative) };
}

function readLocation(location, file, progress, fail) {
  return location.url ? fetchBytes(location.url, file, progress, fail) : readFileBytes(location.path, file, progress, fail);
}

const viewOf = (bytes) => (bytes instanceof Uint8Array ? bytes
  : bytes instanceof ArrayBuffer ? new Uint8Array(bytes)
  : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));

const isBytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x);
const isBlob = (x) => typeof Blob !== 'undefined' && x instanceof Blob;

/** A file's text starts with '{' (after an optional byte order mark and white space): a model.json. */
function looksLikeJson(bytes) {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) ++i;
  return bytes[i] === 0x7b;
}

const BYTES_PER_ELEMENT = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/**
 * The weight shards model.json names, in manifest order, each with its group's expected byte count
 * (from the weights' shapes and dtypes, for progress). The engine checks everything again; here only
 * what reading the files needs: shard paths stay beside model.json.
 */
function shardList(manifest, jsonName) {
  const groups = Array.isArray(manifest?.weightsManifest) ? manifest.weightsManifest : [];
  const shards = [];
  for (const [index, group] of groups.entries()) {
    let need = 0;
    for (const w of Array.isArray(group?.weights) ? group.weights : []) {
      const n = Array.isArray(w?.shape) ? w.shape.reduce((a, d) => a * (Number(d) || 0), 1) : 0;
      need += n * (BYTES_PER_ELEMENT[w?.quantization?.dtype ?? w?.dtype] ?? 0);
    }
    for (const path of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof path !== 'string' || path === '' || /^[a-z][a-z0-9+.-]*:|^[/\\]|(^|[/\\])\.\.([/\\]|$)/i.test(path))
        throw new Error(`${jsonName}: weightsManifest shard path '${path}' must be relative to model.json, without '..'`);
      shards.push({ path, group: index, need });
    }
  }
  return shards;
}

function parseModelJson(text, name) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${name} is not valid JSON: ${e.message}`);
  }
}

const fileName = (path) => path.split(/[/\\]/).pop();
const quoted = (names) => names.map((n) => `'${n}'`).join(', ') || 'none';

/**
 * A TF.js model from model.json's text and a way to read each shard:
 * readShard(path, progressFile) → Uint8Array (or throws an Error naming the shard).
 */
async function tfjsPayload(text, jsonName, progress, readShard) {
  const manifest = parseModelJson(text, jsonName);
  const list = shardList(manifest, jsonName);
  const groups = new Map();
  for (const { group, need } of list) if (!groups.has(group)) groups.set(group, progress.group(need));
  const files = list.map(({ group }) => progress.file(null, groups.get(group)));
  progress.emit();
  // All shards at once (as TF.js does); the first failure in manifest order is reported.
  const results = await Promise.allSettled(list.map(({ path }, i) => readShard(path, files[i])));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  const shards = {};
  list.forEach(({ path }, i) => { shards[path] = results[i].value; });
  return { format: 'tfjs', json: text, shards };
}

const decodeText = (bytes) => new TextDecoder().decode(bytes);

/** A model at a URL or path: ONNX, or a TF.js model.json whose shards are beside it. */
async function readFromLocation(source, progress) {
  const location = await locate(source);
  const file = progress.file();
  const bytes = await readLocation(location, file, progress, (detail) =>
    new Error(location.url ? `cannot load model ${location.name}: ${detail}` : `cannot open model file ${location.name}: ${detail}`));
  const pathname = location.url ? location.url.pathname : location.path;
  if (!/\.json$/i.test(pathname) && !looksLikeJson(bytes)) return { format: 'onnx', bytes };
  return tfjsPayload(decodeText(bytes), location.name, progress, async (path, shardFile) =>
    readLocation(await beside(location, path), shardFile, progress, (detail) =>
      new Error(`cannot load weights shard '${path}' beside ${location.name}: ${detail}`)));
}

/** Bytes in memory: ONNX, or a model.json that needs no shards. */
function fromBytes(bytes, name) {
  if (!looksLikeJson(bytes)) return { format: 'onnx', bytes };
  const text = decodeText(bytes);
  const shards = shardList(parseModelJson(text, name), name);
  if (shards.length) {
    throw new Error(`${name} is a TF.js model.json; its weight shards (${quoted(shards.map((s) => s.path))}) are needed ` +
      'too: load it by URL or path, as a list of files with its .bin files, or as {modelJson, weights}');
  }
  return { format: 'tfjs', json: text, shards: {} };
}

/**
 * Picks the given file for a shard path: by the path itself (a key of {weights}, or a File's
 * webkitRelativePath ending in it), else by its file name alone.
 */
function matchShard(path, candidates, describeMissing) {
  const exact = candidates.filter((c) => c.name === path || (c.relative && (c.relative === path || c.relative.endsWith(`/${path}`))));
  if (exact.length) return exact[0].value;
  const byName = candidates.filter((c) => fileName(c.name) === fileName(path));
  if (byName.length === 1) return byName[0].value;
  if (byName.length > 1) throw new Error(`weights shard '${path}': several given files are named '${fileName(path)}' (${quoted(byName.map((c) => c.name))})`);
  throw new Error(describeMissing(path));
}

async function shardBytes(value, path, shardFile, progress) {
  if (isBlob(value)) return readBlob(value, shardFile, progress, `weights shard '${path}'`);
  if (!isBytes(value)) throw new TypeError(`weights shard '${path}' must be an ArrayBuffer, a typed array or a Blob`);
  const bytes = viewOf(value);
  shardFile.size = bytes.byteLength;
  progress.add(shardFile, bytes.byteLength);
  return bytes;
}

/** Files from <input type=file multiple> or a drop: a model.json and its shards, or one .onnx. */
async function readFromFiles(list, progress) {
  const files = Array.from(list);
  if (!files.length) throw new Error('load(files): no files were given');
  for (const f of files) if (!isBlob(f)) throw new TypeError('load(files): every entry must be a File or Blob');
  const names = files.map((f, i) => f.name || `file ${i + 1}`);
  const jsons = files.filter((f) => /\.json$/i.test(f.name ?? ''));
  const onnx = files.filter((f) => /\.onnx$/i.test(f.name ?? ''));
  let main;
  if (jsons.length === 1) main = jsons[0];
  else if (jsons.length > 1) throw new Error(`several .json files were given (${quoted(jsons.map((f) => f.name))}): give one model.json and its .bin shards`);
  else if (onnx.length === 1 || files.length === 1) main = onnx[0] ?? files[0];
  else throw new Error(`no model among the files (${quoted(names)}): give a model.json with its .bin shards, or one .onnx file`);
  const mainName = main.name || 'the model file';
  const bytes = await readBlob(main, progress.file(), progress, mainName);
  if (main !== jsons[0] && !looksLikeJson(bytes)) return { format: 'onnx', bytes };
  const others = files.filter((f) => f !== main).map((f) => ({ name: f.name ?? '', relative: f.webkitRelativePath || '', value: f }));
  return tfjsPayload(decodeText(bytes), mainName, progress, async (path, shardFile) => {
    const value = matchShard(path, others, (p) => `weights shard '${p}' named by ${mainName} is not among the given files (${quoted(names)})`);
    return shardBytes(value, path, shardFile, progress);
  });
}

/** {modelJson, weights} */
async function readFromParts({ modelJson, weights = {} }, progress) {
  let text;
  if (typeof modelJson === 'string') text = modelJson;
  else if (isBlob(modelJson)) text = decodeText(await readBlob(modelJson, progress.file(), progress, modelJson.name || 'modelJson'));
  else if (isBytes(modelJson)) text = decodeText(viewOf(modelJson));
  else if (modelJson && typeof modelJson === 'object') text = JSON.stringify(modelJson);
  else throw new TypeError('load({modelJson, weights}): modelJson must be model.json\'s text, its parsed object or a Blob');
  if (!isBlob(modelJson)) {
    const f = progress.file(0);
    progress.add(f, new TextEncoder().encode(text).byteLength);
    progress.finish(f);
  }
  if (weights === null || typeof weights !== 'object')
    throw new TypeError('load({modelJson, weights}): weights must be {[shard path]: ArrayBuffer | typed array | Blob}');
  const given = Object.entries(weights).map(([name, value]) => ({ name, relative: '', value }));
  return tfjsPayload(text, 'modelJson', progress, async (path, shardFile) => {
    const value = matchShard(path, given, (p) => `weights shard '${p}' named by modelJson is missing from weights (given: ${quoted(given.map((g) => g.name))})`);
    return shardBytes(value, path, shardFile, progress);
  });
}

const isFileList = (x) => Array.isArray(x) || (typeof FileList !== 'undefined' && x instanceof FileList);

/**
 * The model's files as a payload for Engine.load, with owned: whether its buffers are ours (read here)
 * and may be transferred, and bytes: the total size of the files.
 */
async function modelPayload(source, onProgress) {
  const progress = new LoadProgress(onProgress);
  let payload;
  let owned = true;
  if (typeof source === 'string' || source instanceof URL) {
    payload = await readFromLocation(source, progress);
  } else if (isBytes(source)) {
    payload = fromBytes(viewOf(source), 'model.json (given as bytes)');
    owned = false;
  } else if (isBlob(source)) {
    payload = await readFromFiles([source], progress);
  } else if (isFileList(source)) {
    payload = await readFromFiles(source, progress);
  } else if (source && typeof source === 'object' && 'modelJson' in source) {
    payload = await readFromParts(source, progress);
    owned = false; // shards may be the caller's buffers
  } else {
    throw new TypeError('load(source): source must be a URL, a path (Node), an ArrayBuffer, a typed array, a Blob, ' +
      'a list of Files, or {modelJson, weights}');
  }
  const bytes = payload.format === 'tfjs'
    ? new TextEncoder().encode(payload.json).byteLength + Object.values(payload.shards).reduce((s, b) => s + b.byteLength, 0)
    : payload.bytes.byteLength;
  if (progress.files.length) progress.done();
  return { payload, owned, bytes };
}

// ---------------------------------------------------------------------------------------------------
// The public API

const TYPED_ARRAYS = {
  float32: Float32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

// {data, shape} (or a bare typed array/array when the declared shape is fully known) → the typed array
// the engine wants for the input's dtype.
function normalizeFeed(spec, value) {
  const bare = ArrayBuffer.isView(value) || Array.isArray(value);
  let data = bare ? value : value?.data;
  let shape = bare ? undefined : value?.shape;
  if (data == null) throw new TypeError(`input '${spec.name}': expected {data, shape} or a typed array`);
  if (shape === undefined) {
    if (spec.shape.some((d) => d < 0))
      throw new TypeError(`input '${spec.name}' has shape [${spec.shape}] with free dimensions: pass {data, shape}`);
    shape = spec.shape;
  }
  shape = Array.from(shape, Number);
  const Want = TYPED_ARRAYS[spec.dtype];
  const ok = data instanceof Want || (Want === Uint8Array && data instanceof Uint8ClampedArray);
  if (!ok) {
    if (Want === BigInt64Array) {
      try {
        data = BigInt64Array.from(data, (x) => BigInt(x));
      } catch {
        throw new TypeError(`input '${spec.name}' is int64: pass a BigInt64Array or integers`);
      }
    } else {
      data = Want.from(data, Number);
    }
  }
  return { data, shape };
}

const PRESETS = {
  imagenet: { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], fit: 'center-crop', cropFraction: 0.875 },
  unit: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  'minus1to1': { scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1] },
  raw255: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
};

function preprocessOptions(preprocess) {
  if (preprocess === undefined) return undefined;
  if (typeof preprocess === 'string') preprocess = { preset: preprocess };
  const { preset, ...rest } = preprocess;
  if (preset === undefined) return rest;
  const base = PRESETS[preset];
  if (!base) throw new TypeError(`unknown preprocess preset '${preset}' (known: ${Object.keys(PRESETS).join(', ')})`);
  return { ...base, ...rest };
}

function captureOption(capture) {
  if (capture === undefined) return undefined;
  if (!Array.isArray(capture) || capture.some((c) => typeof c !== 'string'))
    throw new TypeError('options.capture must be an array of layer names (model.layers())');
  return capture;
}

// {outputs, captured?} from the engine → the outputs, with .captured when layers were asked for.
function withCaptured({ outputs, captured }) {
  if (captured !== undefined) outputs.captured = captured;
  return outputs;
}

/** A loaded model. Methods are asynchronous because inference may run in a worker. */
class Model {
  #backend;
  #id;
  #disposed = false;

  constructor(backend, { id, inputs, outputs }, { format, bytes }) {
    this.#backend = backend;
    this.#id = id;
    this.inputs = inputs;
    this.outputs = outputs;
    this.format = format;
    this.bytes = bytes;
  }

  #live() {
    if (this.#disposed) throw new Error('this model has been disposed');
  }

  /**
   * Null while the model works. After an engine restart that could not load this model again, the
   * Error every call now rejects with: dispose() it and load it again.
   */
  get lost() {
    return this.#backend.lostReason(this.#id);
  }

  #call(method, args, transfer) {
    return this.#backend.modelCall(this.#id, method, args, transfer);
  }

  // {[name]: {data, shape}} checked against the model's inputs, data as the typed array each one takes.
  #feeds(feeds, method) {
    if (feeds == null || typeof feeds !== 'object') throw new TypeError(`${method}(inputs): inputs must be {[name]: {data, shape}}`);
    const normalized = {};
    for (const [name, value] of Object.entries(feeds)) {
      const spec = this.inputs.find((s) => s.name === name);
      if (!spec) {
        throw new Error(`the model has no input named '${name}' (inputs: ${this.inputs.map((s) => `'${s.name}'`).join(', ')})`);
      }
      normalized[name] = normalizeFeed(spec, value);
    }
    return normalized;
  }

  async run(feeds, { capture } = {}) {
    this.#live();
    return withCaptured(await this.#call('run', [this.#feeds(feeds, 'run'), captureOption(capture)]));
  }

  /** Preprocesses an image into the model's single image input and runs the model. */
  async runImage(image, { preprocess, capture } = {}) {
    this.#live();
    const options = preprocessOptions(preprocess);
    const layers = captureOption(capture);
    const payload = await this.#backend.imagePayload(image);
    return withCaptured(await this.#call('runImage', [payload.image, options, layers], payload.transfer));
  }

  async classify(image, { topK = 5, labels, preprocess, softmax } = {}) {
    this.#live();
    const payload = await this.#backend.imagePayload(image);
    const top = await this.#call(
      'classify', [payload.image, { topK, preprocess: preprocessOptions(preprocess), softmax }], payload.transfer);
    return top.map(({ index, score }) => ({ label: labels?.[index] ?? String(index), index, score }));
  }

  /** The convolutions as the engine runs them, in execution order: [{name, weights: [O, I/group, kH, kW], group}]. */
  async layers() {
    this.#live();
    return this.#call('layers', []);
  }

  /** One convolution's weights (BatchNorm folded in): {data: Float32Array, shape: [O, I/group, kH, kW], dtype}. */
  async filters(layer) {
    this.#live();
    return this.#call('filters', [layer]);
  }

  /**
   * Where a run's time goes: runs the model `warmup + runs` times on `inputs` (as for run()) with a clock
   * reading around every node. → {nodes: [{name, kind, outputShape, macs, ms}] in execution order (ms:
   * median per node; kind e.g. 'Conv 3x3 dw s2'), wholeRunMs, largestStepBytes, largestStep}.
   */
  async profile(feeds, { warmup = 10, runs = 40 } = {}) {
    this.#live();
    if (!Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(runs) || runs < 1)
      throw new TypeError('profile: warmup must be an integer ≥ 0 and runs an integer ≥ 1');
    return this.#call('profile', [this.#feeds(feeds, 'profile'), warmup, runs]);
  }

  /** Frees the model's memory in the wasm heap. The model cannot be used afterwards. */
  dispose() {
    if (this.#disposed) return Promise.resolve();
    this.#disposed = true;
    return this.#backend.dispose(this.#id);
  }
}

/**
 * Loads an ONNX or TF.js graph model (see the top of this file for the accepted sources).
 * @param options.onProgress called with {loaded, total} bytes over all files as they arrive.
 * @param options.worker run inference in a Web Worker (default: true in a page, false elsewhere).
 */
export async function load(source, { onProgress, worker = defaultUseWorker() } = {}) {
  const b = await backend(worker);
  const { payload, owned, bytes } = await modelPayload(source, onProgress);
  const description = await b.load(payload, owned && b instanceof WorkerBackend);
  return new Model(b, description, { format: payload.format, bytes });
}

/**
 * Preprocesses an image into an input tensor exactly as classify()/runImage() do.
 * @returns {data: Float32Array, shape, dtype}
 */
export async function preprocess(image, options, { worker = defaultUseWorker() } = {}) {
  const b = await backend(worker);
  const opts = preprocessOptions(options);
  const payload = await b.imagePayload(image);
  return b.call('preprocess', [payload.image, opts], payload.transfer);
}

/** Wasm heap: {heapBytes: size of wasm memory, usedBytes: bytes allocated and not yet freed}. */
export async function memory({ worker = defaultUseWorker() } = {}) {
  return (await backend(worker)).call('memory', []);
}

/**
 * For tests of the recovery path only: makes the wasm instance trap (WebAssembly.RuntimeError:
 * unreachable) inside the engine, as a bug would; with how: 'uncaught', the worker dies of an uncaught
 * error instead. Rejects with .code === 'WORKER_RESTARTED'.
 */
export async function __testOnlyTrapEngine({ worker = defaultUseWorker(), how = 'trap' } = {}) {
  const b = await backend(worker);
  if (how === 'uncaught' && b instanceof WorkerBackend) return b.call('__testOnlyUncaught', []);
  if (how !== 'trap') throw new TypeError(`__testOnlyTrapEngine: how must be 'trap'${b instanceof WorkerBackend ? " or 'uncaught'" : ''}`);
  return b.call('__testOnlyTrap', []);
}
