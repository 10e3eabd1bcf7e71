// Types for web/webcnn.js: CNN inference in the browser and in Node (WebAssembly SIMD128).

export type DType = 'float32' | 'int32' | 'int64' | 'uint8' | 'bool';

/** The typed array each dtype uses; bool is one byte per element (0 or 1). */
export interface DTypeArrays {
  float32: Float32Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}
export type TypedArray = DTypeArrays[DType];

export interface TensorSpec {
  name: string;
  /** -1 marks a dimension set when the model runs (e.g. batch). */
  shape: number[];
  dtype: DType;
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
  loaded: number;
  /** Bytes expected in all, or null while unknown (e.g. a compressed HTTP response). */
  total: number | null;
}

export interface LoadOptions {
  onProgress?: (progress: Progress) => void;
  /**
   * Run inference in a Web Worker (worker.js next to this module). Default: true in a page with Worker
   * support, false in Node and inside workers (there the calling thread runs it).
   */
  worker?: boolean;
}

export interface Model {
  readonly inputs: TensorSpec[];
  readonly outputs: TensorSpec[];
  /** Runs the model. Rejects with an Error carrying the engine's message (naming the input or node). */
  run(inputs: Record<string, InputValue>): Promise<Record<string, OutputTensor>>;
  /** Preprocesses the image into the model's single image input and runs the model. */
  runImage(image: ImageLike, options?: { preprocess?: PreprocessPreset | PreprocessOptions }): Promise<Record<string, OutputTensor>>;
  /** Top-K classes of the first output for the image. */
  classify(image: ImageLike, options?: ClassifyOptions): Promise<Classification[]>;
  /** Frees the model's wasm memory; later calls reject. Resolves when freed. */
  dispose(): Promise<void>;
}

export interface Features {
  /** WebAssembly SIMD128 is available. The module requires it: load() rejects with a clear Error without it. */
  simd: boolean;
  /** The build is single-threaded (false): it needs no SharedArrayBuffer or cross-origin isolation. */
  threads: boolean;
  /** Size of the .wasm file in bytes; null until the module has been loaded (first load() or memory()). */
  wasmBytes: number | null;
}

export const features: Features;

/** Loads an ONNX model from a URL, a path (Node), an ArrayBuffer, a typed array or a Blob. */
export function load(source: string | URL | ArrayBuffer | ArrayBufferView | Blob, options?: LoadOptions): Promise<Model>;

/** The preprocessing classify()/runImage() do, on its own: defaults 224×224 NCHW 'imagenet'. */
export function preprocess(
  image: ImageLike,
  options?: PreprocessPreset | PreprocessOptions,
  where?: { worker?: boolean },
): Promise<OutputTensor<Float32Array>>;

/** The wasm heap: memory size, and bytes malloc has handed out and not had back. */
export function memory(where?: { worker?: boolean }): Promise<{ heapBytes: number; usedBytes: number }>;
