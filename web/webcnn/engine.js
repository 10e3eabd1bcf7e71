// The wasm module and the models loaded into it, by id: the one place that calls the Embind module.
// Synchronous; driven in this thread by InProcessBackend and in the Web Worker by worker.js.

import { features, instantiateModule } from '../wasm_loader.js';
import { invalidArgument, unwrap } from './errors.js';
import { PixelReader } from './images.js';

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
    this.pixelReader = new PixelReader(); // reuses one canvas to read pixels out of bitmaps and elements
  }

  info() {
    // threads, relaxedSimd: the build this engine's thread chose (the page learns the worker's choice from it).
    return {
      wasmBytes: this.wasmBytes,
      backend: this.module.simdBackend(),
      threads: { ...features.threads },
      relaxedSimd: features.relaxedSimd,
    };
  }

  /**
   * payload: {format: 'onnx' | 'tflite', bytes} | {format: 'tfjs', json: text, shards: {[path]: Uint8Array}}, or bare
   * ONNX bytes. id: the caller's id for the model (a restarted engine gets the same ids back).
   */
  load(payload, id = this.nextId++) {
    if (payload instanceof ArrayBuffer || ArrayBuffer.isView(payload)) payload = { format: 'onnx', bytes: payload };
    const loaders = {
      // model.json as UTF-8 bytes: TextEncoder is native, Embind's string conversion a loop in JS.
      tfjs: () => this.module.loadTfjsModel(new TextEncoder().encode(payload.json), payload.shards),
      tflite: () => this.module.loadTfliteModel(payload.bytes),
      onnx: () => this.module.loadModel(payload.bytes),
    };
    const { model } = unwrap((loaders[payload.format] ?? loaders.onnx)());
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
    if (!model) throw invalidArgument('this model has been disposed');
    return model;
  }

  pixels(image) {
    return this.pixelReader.read(image);
  }
}
