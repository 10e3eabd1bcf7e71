// Types for web/webcnn.js: CNN inference in the browser and in Node (WebAssembly SIMD128).

/**
 * float64 appears only on inputs and outputs a model declares as double (ONNX DOUBLE): they take a
 * Float64Array (or Float32Array) and return a Float64Array, computed in float32 inside.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool';

/** The typed array each dtype uses; bool is one byte per element (0 or 1). */
export interface DTypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  int8: Int8Array;
  bool: Uint8Array;
}
export type TypedArray = DTypeArrays[DType];

export interface TensorSpec {
  name: string;
  /** -1 marks a dimension set when the model runs (e.g. batch). */
  shape: number[];
  dtype: DType;
  /**
   * uint8/int8 tensors of quantised models (TFLite): real = scale × (q − zeroPoint). Per-tensor parameters
   * are numbers; per-channel ones (rare on inputs and outputs) arrays along `axis`. run() takes and returns
   * such tensors raw (Uint8Array/Int8Array); runImage() and classify() quantise pixels and dequantise
   * scores themselves.
   */
  quant?: { scale: number; zeroPoint: number } | { scale: number[]; zeroPoint: number[]; axis: number };
}

export interface Tensor<T extends TypedArray = TypedArray> {
  data: T;
  shape: number[];
}

export interface OutputTensor<T extends TypedArray = TypedArray> extends Tensor<T> {
  dtype: DType;
}

/**
 * An input: {data, shape}, or just the data when the declared shape has no free dimensions.
 * Data of another numeric type (e.g. a plain array, or Int32Array for an int64 input) is converted.
 */
export type InputValue = Tensor<TypedArray> | { data: ArrayLike<number | bigint>; shape: number[] } | TypedArray | number[];

/** RGBA8 pixels, row by row, top to bottom (ImageData has this shape). */
export interface RGBAImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * Anything classify()/runImage() accept. In Node only RGBAImage (and ImageData-like objects).
 * In a page, drawables become an ImageBitmap that is transferred to the worker.
 */
export type ImageLike =
  | RGBAImage
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | HTMLVideoElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | VideoFrame;

/**
 * Named normalisations:
 *  - 'imagenet' (default): torchvision eval transform: centre crop 0.875, v/255, ImageNet mean/std.
 *  - 'unit': v/255.  - 'minus1to1': v/127.5 − 1.  - 'raw255': v as is.
 */
export type PreprocessPreset = 'imagenet' | 'unit' | 'minus1to1' | 'raw255';

/**
 * Image → input tensor, done in C++ (the same code as the native CLI): bilinear resize (area-correct
 * when shrinking), fit, then (v · scale − mean[c]) / std[c] per RGB channel, in the chosen layout.
 * Unset fields take the preset's value, or the 'imagenet' defaults; width, height and layout default to
 * the model's input shape ([1,3,H,W] → NCHW, [1,H,W,3] → NHWC). Unknown keys are an error.
 */
export interface PreprocessOptions {
  preset?: PreprocessPreset;
  width?: number;
  height?: number;
  /** 'center-crop' (default) cuts the overhang evenly; 'letterbox' pads with padColor; 'stretch' ignores aspect. */
  fit?: 'center-crop' | 'letterbox' | 'stretch';
  /** center-crop: fraction of the covering crop kept, in (0, 1]; 0.875 = resize 256 + crop 224. */
  cropFraction?: number;
  /** letterbox bars, as 0..255 RGB pixel values (normalised like pixels). */
  padColor?: number | [number, number, number];
  scale?: number;
  mean?: number | [number, number, number];
  std?: number | [number, number, number];
  layout?: 'NCHW' | 'NHWC';
}

export interface ClassifyOptions {
  /** How many classes to return (default 5). */
  topK?: number;
  /** Class names by index; without them the label is the index as a string. */
  labels?: ArrayLike<string> | Record<number, string>;
  preprocess?: PreprocessPreset | PreprocessOptions;
  /**
   * Apply softmax to the first output before ranking. Default: only when the output does not already
   * look like probabilities (all in [0, 1], summing to 1).
   */
  softmax?: boolean;
}

export interface Classification {
  label: string;
  index: number;
  score: number;
}

export interface Progress {
  /** Bytes arrived so far, over all of the model's files. Never more than total. */
  loaded: number;
  /**
   * Bytes expected over all files, as far as known: file sizes (Content-Length, Blob.size, file size),
   * and for a TF.js model the bytes its weightsManifest says the weights take. null while a single file
   * of unknown size (e.g. a compressed HTTP response) is arriving. The last report has total === loaded.
   */
  total: number | null;
}

export interface LoadOptions {
  /** Called as the files arrive. If it throws, reading stops and load() rejects with what it threw. */
  onProgress?: (progress: Progress) => void;
  /**
   * Run inference in a Web Worker (worker.js next to this module). Default: true in a page with Worker
   * support, false in Node and inside workers (there the calling thread runs it). In Node, true is refused
   * (INVALID_ARGUMENT): workers are a browser feature.
   */
  worker?: boolean;
}

/** A convolution as the engine runs it (after BatchNorm folding and activation fusion). */
export interface ConvLayer {
  /** The node's name in the model file. */
  name: string;
  /** [O, I/group, kH, kW] */
  weights: number[];
  group: number;
}

export interface RunOptions {
  /**
   * Names of convolution layers (Model.layers()) whose outputs to return as well, in result.captured.
   * A new set of layers re-plans the model once; asking for the same set again costs only the copies.
   */
  capture?: string[];
}

/**
 * Outputs by name; with RunOptions.capture also `captured`: each layer's output, float32 NHWC [N, H, W, C]
 * (an 8-bit layer's dequantized with its output scale and zero point).
 */
export type RunResult = Record<string, OutputTensor> & { captured?: Record<string, OutputTensor<Float32Array>> };

export interface Model {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  /** Which importer read the model. */
  readonly format: 'onnx' | 'tfjs' | 'tflite';
  /** Size of the model's files in bytes (model.json and shards for TF.js). */
  readonly bytes: number;
  /**
   * Runs the model. Rejects with a WebcnnError carrying the engine's message (naming the input or node):
   * code 'INVALID_ARGUMENT' for inputs of the wrong shape, dtype or name.
   */
  run(inputs: Record<string, InputValue>, options?: RunOptions): Promise<RunResult>;
  /** Preprocesses the image into the model's single image input and runs the model. */
  runImage(image: ImageLike, options?: { preprocess?: PreprocessPreset | PreprocessOptions } & RunOptions): Promise<RunResult>;
  /** Top-K classes of the first output for the image. */
  classify(image: ImageLike, options?: ClassifyOptions): Promise<Classification[]>;
  /**
   * The convolutions (float and 8-bit) in execution order. Empty for a model with free input dimensions
   * until its first run fixes the shapes.
   */
  layers(): Promise<ConvLayer[]>;
  /**
   * One convolution's weights as the engine uses them (BatchNorm folded in; an 8-bit layer's dequantized
   * per output channel), float32 [O, I/group, kH, kW], recovered from the packed form the kernels keep:
   * for inspection, not for every frame.
   */
  filters(layer: string): Promise<OutputTensor<Float32Array>>;
  /** Where a run's time goes: `warmup` + `runs` runs (default 10 + 40) with a clock reading around every node. */
  profile(inputs: Record<string, InputValue>, options?: { warmup?: number; runs?: number }): Promise<Profile>;
  /**
   * null while the model works. After an engine restart ('workerrestart' with failed > 0) that could not
   * load this model again: the Error every call now rejects with. dispose() it and load it again.
   */
  readonly lost: Error | null;
  /** Frees the model's wasm memory; later calls reject. Resolves when freed. */
  dispose(): Promise<void>;
}

export interface NodeTiming {
  /** The node's name in the model file. */
  name: string;
  /** The op and what decides its kernel, e.g. 'Conv 1x1', 'Conv 3x3 dw s2', 'MaxPool 3x3 s2'. */
  kind: string;
  outputShape: number[];
  /** Multiply-accumulates (Conv, ConvTranspose, Gemm, MatMul), else 0. */
  macs: number;
  /** Median milliseconds per run. */
  ms: number;
}

export interface Profile {
  /** In execution order; nodes that only re-shape their input (no work) are left out. */
  nodes: NodeTiming[];
  /** Median of whole runs, clock readings included. */
  wholeRunMs: number;
  /** The largest working set of one node (its non-constant inputs and outputs), and that node. */
  largestStepBytes: number;
  largestStep: string;
}

export interface Features {
  /** WebAssembly SIMD128 is available. The module requires it: load() rejects with a clear Error without it. */
  simd: boolean;
  /**
   * The build web/wasm_loader.js chose: enabled = the multi-threaded one (needs SharedArrayBuffer, i.e.
   * a cross-origin isolated page, or Node), count = threads per inference, reason = why (or why not).
   */
  threads: { enabled: boolean; count: number; reason: string };
  /**
   * The build uses relaxed SIMD: its matrix products and depthwise convolutions multiply-add with
   * f32x4.relaxed_madd (fused where the CPU has FMA: faster, results differ from the SIMD128 build in the last
   * bits). True where WebAssembly accepts relaxed SIMD (Chrome/Edge 114+; Node only with
   * --experimental-wasm-relaxed-simd) unless configure({relaxedSimd: false}) or, in Node,
   * WEBCNN_RELAXED_SIMD=0 keeps the SIMD128 build; false again if the relaxed build failed to load.
   */
  relaxedSimd: boolean;
  /** Size of the .wasm file in bytes; null until the module has been loaded (first load() or memory()). */
  wasmBytes: number | null;
}

export const features: Features;

export interface Settings {
  /**
   * Where a page finds webcnn's own files: the URL of a directory laid out as the package's `web/` folder
   * (`worker.js`, `webcnn/`, `dist/` with the .wasm modules, their loaders and the pthread worker).
   * Default (null): next to the module itself, as `new URL('./dist/…', import.meta.url)`, which Vite and
   * webpack 5 follow (they copy the files and rewrite the URLs); set it when the bundler leaves those
   * URLs alone (esbuild, Rollup without a plugin) and you copy `node_modules/webcnn/web/` to your site,
   * or when you serve the files from a directory of your own. A relative string is resolved against
   * the page's base URL; a trailing '/' is added. On another origin (a CDN) its server must allow CORS
   * (Access-Control-Allow-Origin): browsers start workers only from the page's origin, so webcnn starts
   * them from blob: URLs of the page that import or hold the scripts. Node keeps it as given (code shared
   * with pages may set it) and ignores it: it reads the installed package's files.
   */
  assetBase?: string | URL | null;
  /**
   * false: keep the SIMD128 build even where relaxed SIMD is available (to compare, or to step around a
   * problem); true (the default): use the relaxed-SIMD build there. See Features.relaxedSimd.
   */
  relaxedSimd?: boolean;
}

/**
 * Changes settings for every later load: call it before the first load(), preprocess() or memory()
 * (the engine and its worker start then). Returns the settings in force (in a page assetBase as an
 * absolute URL string, or null). Throws a TypeError for an assetBase that is no string or URL (or, in a
 * page, no valid URL).
 *
 * ```js
 * import * as webcnn from 'webcnn';
 * webcnn.configure({ assetBase: '/static/webcnn/' }); // cp -r node_modules/webcnn/web public/static/webcnn
 * ```
 */
export function configure(settings?: Settings): { assetBase: string | null; relaxedSimd: boolean };

/**
 * A TF.js graph model given in parts. Shards are matched to the manifest's paths by path, else by file
 * name alone.
 */
export interface TfjsModelParts {
  /** model.json: its text, its parsed object, or a Blob/File. */
  modelJson: string | object | Blob;
  weights: Record<string, ArrayBuffer | ArrayBufferView | Blob>;
}

/**
 * What load() reads:
 *  - a URL or path (Node) of an .onnx file, or of a TF.js model.json (the name ends in .json, or the file
 *    starts with '{'); the weight shards model.json names are fetched/read beside it;
 *  - ONNX bytes (ArrayBuffer, typed array) or one Blob/File;
 *  - a FileList or array of Files/Blobs: a model.json and its .bin shards (matched by file name), or one .onnx;
 *  - TfjsModelParts.
 * Errors name the file, e.g. "cannot load weights shard 'group1-shard2of3.bin' beside models/x.json: HTTP 404"
 * (code 'INVALID_ARGUMENT'; a file that is read but is no model: 'INVALID_MODEL').
 */
export type ModelSource = string | URL | ArrayBuffer | ArrayBufferView | Blob | ArrayLike<Blob> | FileList | TfjsModelParts;

/**
 * Loads an ONNX, TFLite or TF.js graph model. Rejects with a WebcnnError: 'INVALID_MODEL', 'UNSUPPORTED_OP',
 * 'RESOURCE_EXHAUSTED', 'INVALID_ARGUMENT' (the source cannot be read or is of the wrong type), 'INTERNAL'.
 */
export function load(source: ModelSource, options?: LoadOptions): Promise<Model>;

/** detail of the 'workerrestart' event. */
export interface WorkerRestart {
  /** What broke the engine, e.g. 'RuntimeError: unreachable'. */
  reason: string;
  /** Live models loaded into the new engine (their Model objects keep working). */
  restored: number;
  /** Live models that could not be loaded again (their calls reject with the reason, also in Model.lost). */
  failed: number;
}

/**
 * Events from webcnn. 'workerrestart' (CustomEvent<WorkerRestart>): the wasm instance trapped or the
 * worker died; a fresh one has been started and the live models loaded into it again. The calls that
 * were in flight rejected with an Error whose code is 'WORKER_RESTARTED'. In Node (in-process) the
 * same happens to the wasm engine.
 */
export const events: EventTarget;

/**
 * What kind of error a call rejected with (WebcnnError.code):
 *  - 'INVALID_MODEL': the model file is malformed or inconsistent (bad protobuf, a model.json that is no
 *    JSON or no TF.js model, weights that do not fit the graph);
 *  - 'UNSUPPORTED_OP': the model uses ops or Keras layers the engine does not implement (the message
 *    names all of them, with their nodes);
 *  - 'INVALID_ARGUMENT': the caller's arguments: inputs of the wrong shape, dtype or name, bad options,
 *    an image that cannot be decoded, a file or URL that cannot be read, a disposed model;
 *  - 'RESOURCE_EXHAUSTED': the memory budget (1 GiB for a plan's intermediate tensors and outputs), the
 *    node limit (200,000 nodes) or an allocation refused the model or the run;
 *  - 'INTERNAL': a bug in webcnn, or an environment it cannot run in (no WebAssembly SIMD, the wasm
 *    files missing or damaged);
 *  - 'WORKER_RESTARTED': the engine broke during the call and was restarted (see `events`).
 */
export type ErrorCode =
  | 'INVALID_MODEL'
  | 'UNSUPPORTED_OP'
  | 'INVALID_ARGUMENT'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'WORKER_RESTARTED';

/** The codes by name: `if (e.code === webcnn.ErrorCode.UNSUPPORTED_OP) ...`. */
export const ErrorCode: { readonly [K in ErrorCode]: K };

/**
 * What every webcnn call rejects with: an Error (a TypeError when an argument has the wrong type) whose
 * message is the engine's or webcnn.js's sentence, unchanged, and whose code says its kind. The same in
 * Node and through the Web Worker.
 */
export interface WebcnnError extends Error {
  code: ErrorCode;
}

/** An Error from a call that was in flight when the engine was restarted. */
export interface WorkerRestartedError extends WebcnnError {
  code: 'WORKER_RESTARTED';
}

/**
 * Tests of the recovery path only: traps the wasm instance. Rejects with a WorkerRestartedError.
 * @internal
 */
export function __testOnlyTrapEngine(options?: { worker?: boolean; how?: 'trap' | 'uncaught' }): Promise<never>;

/** The preprocessing classify()/runImage() do, on its own: defaults 224×224 NCHW 'imagenet'. */
export function preprocess(
  image: ImageLike,
  options?: PreprocessPreset | PreprocessOptions,
  where?: { worker?: boolean },
): Promise<OutputTensor<Float32Array>>;

/** The wasm heap: memory size, and bytes malloc has handed out and not had back. */
export function memory(where?: { worker?: boolean }): Promise<{ heapBytes: number; usedBytes: number }>;

/**
 * Gives wasm memory back: a wasm heap never shrinks, so after a run on a huge input the heap stays at that
 * run's peak. When the heap is more than twice the bytes in use plus 64 MiB, a fresh engine (or worker)
 * replaces the current one and the live models are loaded into it again from their kept bytes; Model
 * objects keep working and no call in flight fails. `failed` counts models that could not be loaded
 * again (their calls then reject with the reason).
 */
export function releaseMemory(where?: { worker?: boolean }): Promise<
  | { released: false; heapBytes: number; usedBytes: number }
  | { released: true; heapBytesBefore: number; heapBytes: number; usedBytes: number; failed: number }
>;
