// webcnn: CNN inference in the browser and in Node, from one C++ engine compiled to WebAssembly SIMD128.
//
//   import * as webcnn from './webcnn.js';
//   const model = await webcnn.load('mobilenetv2.onnx', { onProgress: ({ loaded, total }) => ... });
//   model.inputs; model.outputs;                       // [{name, shape, dtype}]
//   const out = await model.run({ input: { data: Float32Array, shape: [1, 3, 224, 224] } });
//   const top = await model.classify(imageOrVideo, { topK: 5, labels });
//   model.dispose();
//
// Where inference runs: in a page, in a Web Worker (worker.js) by default, so the page never blocks;
// frames travel to it as ImageBitmaps (transferred, not copied). In Node, and with {worker: false}, in
// the calling thread. Both paths drive the same Engine class below, which owns the wasm module.
//
// The wasm module (dist/, built by scripts/build-wasm.sh) reports failures as {error: message} values;
// Engine turns each into an Error carrying the engine's message (the bindings explain why).

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node) &&
  typeof window === 'undefined';
const isWindow = typeof window !== 'undefined' && typeof document !== 'undefined';

import { features, instantiateModule, SIMD_REQUIRED } from './wasm_loader.js';

export { features };

function unwrap(result) {
  if (result && result.error !== undefined) throw new Error(result.error);
  return result;
}

function isRGBAImage(x) {
  return x != null && typeof x === 'object' && typeof x.width === 'number' && typeof x.height === 'number' &&
    x.data != null && ArrayBuffer.isView(x.data);
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

  load(bytes) {
    const { model } = unwrap(this.module.loadModel(bytes));
    const id = this.nextId++;
    this.models.set(id, model);
    return { id, inputs: model.inputs(), outputs: model.outputs() };
  }

  run(id, feeds) {
    return unwrap(this.model(id).run(feeds)).outputs;
  }

  runImage(id, image, preprocess) {
    return unwrap(this.model(id).runImage(this.pixels(image), preprocess)).outputs;
  }

  classify(id, image, options) {
    return unwrap(this.model(id).classify(this.pixels(image), options)).top;
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
// Backends: the same calls, answered in this thread or by worker.js.

class InProcessBackend {
  constructor(engine) {
    this.engine = engine;
  }
  async call(method, args) {
    return this.engine[method](...args);
  }
  // Images go to Engine.pixels as they are.
  async imagePayload(image) {
    if (isNode && !isRGBAImage(image))
      throw new TypeError('in Node, images are {data: Uint8Array | Uint8ClampedArray (RGBA), width, height}');
    return { image, transfer: [] };
  }
}

class WorkerBackend {
  constructor(worker) {
    this.worker = worker;
    this.pending = new Map();
    this.nextCall = 1;
    worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.call);
      if (!p) return;
      this.pending.delete(data.call);
      if (data.error !== undefined) p.reject(new Error(data.error));
      else p.resolve(data.result);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      const error = new Error(`webcnn worker failed: ${event.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }
  call(method, args, transfer = []) {
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage({ call, method, args }, transfer);
    });
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
      const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'webcnn' });
      const b = new WorkerBackend(worker);
      const info = await b.call('info', []);
      features.wasmBytes = info.wasmBytes;
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
// Model bytes from wherever they are, with progress.

async function readAll(reader, total, onProgress) {
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress?.({ loaded, total: total && total >= loaded ? total : null });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  onProgress?.({ loaded, total: loaded });
  return bytes;
}

async function fetchBytes(url, onProgress) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load model ${url}: HTTP ${response.status} ${response.statusText}`);
  // Content-Length is the size on the wire; with compression it undercounts, so it is only a hint.
  const total = Number(response.headers.get('content-length')) || null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ loaded: bytes.byteLength, total: bytes.byteLength });
    return bytes;
  }
  return readAll(response.body.getReader(), total, onProgress);
}

async function readFileBytes(path, onProgress) {
  const { open } = await import('node:fs/promises');
  let file;
  try {
    file = await open(path, 'r');
  } catch (e) {
    throw new Error(`cannot open model file ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  try {
    const { size } = await file.stat();
    const bytes = new Uint8Array(size);
    const chunk = 1 << 20;
    let loaded = 0;
    while (loaded < size) {
      const { bytesRead } = await file.read(bytes, loaded, Math.min(chunk, size - loaded), loaded);
      if (bytesRead === 0) break;
      loaded += bytesRead;
      onProgress?.({ loaded, total: size });
    }
    if (size === 0) onProgress?.({ loaded: 0, total: 0 });
    return loaded === size ? bytes : bytes.subarray(0, loaded);
  } finally {
    await file.close();
  }
}

async function modelBytes(source, onProgress) {
  if (source instanceof Uint8Array) return { bytes: source, owned: false };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), owned: false };
  if (ArrayBuffer.isView(source))
    return { bytes: new Uint8Array(source.buffer, source.byteOffset, source.byteLength), owned: false };
  if (typeof Blob !== 'undefined' && source instanceof Blob)
    return { bytes: await readAll(source.stream().getReader(), source.size, onProgress), owned: true };
  if (typeof source === 'string' || source instanceof URL) {
    if (isNode) {
      const text = String(source);
      if (/^https?:/i.test(text)) return { bytes: await fetchBytes(text, onProgress), owned: true };
      const { fileURLToPath } = await import('node:url');
      const path = /^file:/i.test(text) ? fileURLToPath(text) : text;
      return { bytes: await readFileBytes(path, onProgress), owned: true };
    }
    const base = typeof document !== 'undefined' ? document.baseURI : self.location.href;
    return { bytes: await fetchBytes(new URL(String(source), base), onProgress), owned: true };
  }
  throw new TypeError('load(source): source must be a URL, a path (Node), an ArrayBuffer, a typed array or a Blob');
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

/** A loaded model. Methods are asynchronous because inference may run in a worker. */
class Model {
  #backend;
  #id;
  #disposed = false;

  constructor(backend, { id, inputs, outputs }) {
    this.#backend = backend;
    this.#id = id;
    this.inputs = inputs;
    this.outputs = outputs;
  }

  #live() {
    if (this.#disposed) throw new Error('this model has been disposed');
  }

  async run(feeds) {
    this.#live();
    if (feeds == null || typeof feeds !== 'object') throw new TypeError('run(inputs): inputs must be {[name]: {data, shape}}');
    const normalized = {};
    for (const [name, value] of Object.entries(feeds)) {
      const spec = this.inputs.find((s) => s.name === name);
      if (!spec) {
        throw new Error(`the model has no input named '${name}' (inputs: ${this.inputs.map((s) => `'${s.name}'`).join(', ')})`);
      }
      normalized[name] = normalizeFeed(spec, value);
    }
    return this.#backend.call('run', [this.#id, normalized]);
  }

  /** Preprocesses an image into the model's single image input and runs the model. */
  async runImage(image, { preprocess } = {}) {
    this.#live();
    const payload = await this.#backend.imagePayload(image);
    return this.#backend.call('runImage', [this.#id, payload.image, preprocessOptions(preprocess)], payload.transfer);
  }

  async classify(image, { topK = 5, labels, preprocess, softmax } = {}) {
    this.#live();
    const payload = await this.#backend.imagePayload(image);
    const top = await this.#backend.call(
      'classify', [this.#id, payload.image, { topK, preprocess: preprocessOptions(preprocess), softmax }], payload.transfer);
    return top.map(({ index, score }) => ({ label: labels?.[index] ?? String(index), index, score }));
  }

  /** Frees the model's memory in the wasm heap. The model cannot be used afterwards. */
  dispose() {
    if (this.#disposed) return Promise.resolve();
    this.#disposed = true;
    return this.#backend.call('dispose', [this.#id]);
  }
}

/**
 * Loads an ONNX model.
 * @param source URL, path (Node), ArrayBuffer, typed array or Blob.
 * @param options.onProgress called with {loaded, total} bytes as the file arrives (total null if unknown).
 * @param options.worker run inference in a Web Worker (default: true in a page, false elsewhere).
 */
export async function load(source, { onProgress, worker = defaultUseWorker() } = {}) {
  const b = await backend(worker);
  const { bytes, owned } = await modelBytes(source, onProgress);
  // Bytes we read ourselves are handed to the worker without a copy.
  const transfer = owned && b instanceof WorkerBackend && bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer] : [];
  const description = await b.call('load', [bytes], transfer);
  return new Model(b, description);
}

/**
 * Preprocesses an image into an input tensor exactly as classify()/runImage() do.
 * @returns {data: Float32Array, shape, dtype}
 */
export async function preprocess(image, options, { worker = defaultUseWorker() } = {}) {
  const b = await backend(worker);
  const payload = await b.imagePayload(image);
  return b.call('preprocess', [payload.image, preprocessOptions(options)], payload.transfer);
}

/** Wasm heap: {heapBytes: size of wasm memory, usedBytes: bytes allocated and not yet freed}. */
export async function memory({ worker = defaultUseWorker() } = {}) {
  return (await backend(worker)).call('memory', []);
}
