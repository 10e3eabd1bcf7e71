// A loaded model: its inputs and outputs, and the calls that go to its engine (run, runImage, classify,
// layers, filters, profile) through a backend.

import { invalidArgument, invalidArgumentType, optionsArgument } from './errors.js';
import { normalizeFeed } from './inputs.js';
import { preprocessOptions } from './preprocess_options.js';

function captureOption(capture) {
  if (capture === undefined) return undefined;
  if (!Array.isArray(capture) || capture.some((c) => typeof c !== 'string'))
    throw invalidArgumentType('options.capture must be an array of layer names (model.layers())');
  return capture;
}

// {outputs, captured?} from the engine → the outputs, with .captured when layers were asked for.
function withCaptured({ outputs, captured }) {
  if (captured !== undefined) outputs.captured = captured;
  return outputs;
}

/** A loaded model. Methods are asynchronous because inference may run in a worker. */
export class Model {
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
    if (this.#disposed) throw invalidArgument('this model has been disposed');
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
    if (feeds == null || typeof feeds !== 'object') throw invalidArgumentType(`${method}(inputs): inputs must be {[name]: {data, shape}}`);
    const normalized = {};
    for (const [name, value] of Object.entries(feeds)) {
      const spec = this.inputs.find((s) => s.name === name);
      if (!spec) {
        throw invalidArgument(`the model has no input named '${name}' (inputs: ${this.inputs.map((s) => `'${s.name}'`).join(', ')})`);
      }
      normalized[name] = normalizeFeed(spec, value);
    }
    return normalized;
  }

  async run(feeds, options) {
    this.#live();
    const { capture } = optionsArgument(options, 'run');
    return withCaptured(await this.#call('run', [this.#feeds(feeds, 'run'), captureOption(capture)]));
  }

  /** Preprocesses an image into the model's single image input and runs the model. */
  async runImage(image, options) {
    this.#live();
    const { preprocess, capture } = optionsArgument(options, 'runImage');
    const preprocessing = preprocessOptions(preprocess);
    const layers = captureOption(capture);
    const payload = await this.#backend.imagePayload(image);
    return withCaptured(await this.#call('runImage', [payload.image, preprocessing, layers], payload.transfer));
  }

  async classify(image, options) {
    this.#live();
    const { topK = 5, labels, preprocess, softmax } = optionsArgument(options, 'classify');
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
  async profile(feeds, options) {
    this.#live();
    const { warmup = 10, runs = 40 } = optionsArgument(options, 'profile');
    if (!Number.isInteger(warmup) || warmup < 0 || !Number.isInteger(runs) || runs < 1)
      throw invalidArgumentType('profile: warmup must be an integer ≥ 0 and runs an integer ≥ 1');
    return this.#call('profile', [this.#feeds(feeds, 'profile'), warmup, runs]);
  }

  /** Frees the model's memory in the wasm heap. The model cannot be used afterwards. */
  dispose() {
    if (this.#disposed) return Promise.resolve();
    this.#disposed = true;
    return this.#backend.dispose(this.#id);
  }
}
