// What callers give as inputs, checked before anything is converted, copied or allocated: tensors
// ({data, shape} for run() and profile()) and RGBA pixels ({data, width, height} for runImage(),
// classify() and preprocess()). Types, lengths and bounds first, so that a hostile `{length: 2**32 - 1}`
// or an ArrayBuffer is refused at once with a sentence saying what to pass instead.

import { invalidArgument, invalidArgumentType } from './errors.js';

const TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  bool: Uint8Array,
};

// The engine's limits (engine/include/webcnn/tensor.h kMaxElements, bindings/js_values.cc's rank limit,
// engine/include/webcnn/image.h kMaxDecodeSide): checked here too, before any copy is made.
const MAX_ELEMENTS = 2 ** 31 - 1;
const MAX_RANK = 8;
export const MAX_IMAGE_SIDE = 16384;

const isTypedArray = (x) => ArrayBuffer.isView(x) && !(x instanceof DataView);

/** What a value is, for messages: 'an ArrayBuffer', 'a DataView', 'a Uint16Array', 'a string', ... */
function describe(x) {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an Array';
  if (typeof x === 'object' || typeof x === 'function') {
    const name = x.constructor?.name;
    return name && name !== 'Object' ? `${/^[AEIO]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
  }
  if (x === undefined) return 'undefined';
  return `${/^[aeio]/.test(typeof x) ? 'an' : 'a'} ${typeof x}`;
}

function checkedShape(name, shape) {
  if (!Array.isArray(shape) && !isTypedArray(shape))
    throw invalidArgumentType(`input '${name}': shape must be an array of integers, got ${describe(shape)}`);
  if (shape.length > MAX_RANK) throw invalidArgument(`input '${name}': shape has rank ${shape.length}, at most ${MAX_RANK} is supported`);
  const dims = Array.from(shape, Number);
  let elements = 1;
  for (const [i, d] of dims.entries()) {
    if (!(Number.isInteger(d) && d >= 0 && d <= MAX_ELEMENTS))
      throw invalidArgument(`input '${name}': shape entry ${i} is not an integer in 0..${MAX_ELEMENTS}`);
    elements *= d;
  }
  if (elements > MAX_ELEMENTS)
    throw invalidArgument(`input '${name}': shape [${dims}] has ${elements} elements, more than the limit of ${MAX_ELEMENTS}`);
  return { dims, elements };
}

// The element an Array may hold for a dtype; anything else (a string, an object) would become NaN or 0.
const ELEMENT_OK = {
  int64: (x) => typeof x === 'bigint' || Number.isInteger(x),
  bool: (x) => typeof x === 'boolean' || typeof x === 'number',
};
const isNumber = (x) => typeof x === 'number';

/**
 * {data, shape} (or a bare typed array/Array when the declared shape is fully known) for the input
 * `spec` ({name, shape, dtype}) → {data: the typed array the engine wants for the dtype, shape}. The
 * data's kind and length are checked against the shape before anything is converted.
 */
export function normalizeFeed(spec, value) {
  const { name } = spec;
  const bare = isTypedArray(value) || Array.isArray(value);
  const data = bare ? value : value?.data;
  let shape = bare ? undefined : value?.shape;
  if (data == null) throw invalidArgumentType(`input '${name}': expected {data, shape} or a typed array`);
  const Want = TYPED_ARRAYS[spec.dtype];
  if (!Want) throw invalidArgument(`input '${name}' has dtype ${spec.dtype}, which webcnn cannot feed`);
  if (!isTypedArray(data) && !Array.isArray(data)) {
    const hint = data instanceof ArrayBuffer || data instanceof DataView
      ? ` (wrap the bytes in the typed array of the dtype, e.g. new ${Want.name}(buffer))` : '';
    throw invalidArgumentType(`input '${name}' (${spec.dtype}): data must be a typed array or an Array of numbers, got ${describe(data)}${hint}`);
  }
  if (shape === undefined) {
    if (spec.shape.some((d) => d < 0))
      throw invalidArgumentType(`input '${name}' has shape [${spec.shape}] with free dimensions: pass {data, shape}`);
    shape = spec.shape;
  }
  const { dims, elements } = checkedShape(name, shape);
  if (data.length !== elements) {
    throw invalidArgument(`input '${name}' (${spec.dtype}, shape [${dims}]): data has ${data.length * Want.BYTES_PER_ELEMENT} bytes, ` +
      `the shape needs ${elements * Want.BYTES_PER_ELEMENT} (${data.length} elements given, ${elements} needed)`);
  }
  const ok = data instanceof Want || (Want === Uint8Array && data instanceof Uint8ClampedArray);
  if (ok) return { data, shape: dims };
  if (Array.isArray(data)) {
    const elementOk = ELEMENT_OK[spec.dtype] ?? isNumber;
    for (let i = 0; i < data.length; ++i) {
      if (!elementOk(data[i]))
        throw invalidArgumentType(`input '${name}' (${spec.dtype}): element ${i} is ${describe(data[i])}, not a number`);
    }
  }
  if (Want === BigInt64Array) {
    try {
      return { data: BigInt64Array.from(data, (x) => BigInt(x)), shape: dims };
    } catch {
      throw invalidArgumentType(`input '${name}' is int64: pass a BigInt64Array or integers`);
    }
  }
  return { data: Want.from(data, Number), shape: dims };
}

/**
 * Whether `x` is given as pixels in memory ({data, width, height}) rather than something to draw
 * (a bitmap, canvas, <img>, <video>): then checkPixels() applies.
 */
export const isPixelObject = (x) => x != null && typeof x === 'object' && 'data' in x && 'width' in x && 'height' in x;

/** {data: Uint8Array | Uint8ClampedArray of width·height·4 RGBA bytes, width, height}, checked; else throws. */
export function checkPixels(image) {
  const { data, width, height } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 1 && height >= 1 && width <= MAX_IMAGE_SIDE &&
    height <= MAX_IMAGE_SIDE))
    throw invalidArgument(`image width and height must be integers in 1..${MAX_IMAGE_SIDE}, got ${width}x${height}`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw invalidArgumentType(`image data must be a Uint8Array or Uint8ClampedArray of RGBA bytes (4 per pixel), got ${describe(data)}` +
      (isTypedArray(data) ? ' (convert the pixels to 8 bits per channel first)' : ''));
  }
  const need = width * height * 4;
  if (data.length !== need)
    throw invalidArgument(`image ${width}x${height} RGBA: data has ${data.length} bytes, the shape needs ${need}`);
  return image;
}
