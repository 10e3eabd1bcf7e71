// Builds small ONNX models in JavaScript for the wasm tests: a protobuf writer for the few ModelProto
// messages a test needs, so the tests depend on nothing but Node. Field numbers are onnx.proto3's.
//
//   const bytes = onnxModel({
//     inputs: [valueInfo('x', 'float32', [1, 3, 8, 8])], outputs: [valueInfo('y', 'float32', [1, 8, 8, 8])],
//     initializers: [tensor('w', 'float32', [8, 3, 3, 3], weights)],
//     nodes: [node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] })],
//   });

const ELEM_TYPE = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9 };

class Writer {
  constructor() {
    this.bytes = [];
  }
  varint(v) {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x) b |= 0x80;
      this.bytes.push(b);
    } while (x);
    return this;
  }
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  float(field, v) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    this.bytes.push(...b);
    return this;
  }
  raw(field, bytes) {
    this.tag(field, 2).varint(bytes.length);
    for (let i = 0; i < bytes.length; i += 65536) this.bytes.push(...bytes.subarray(i, i + 65536));
    return this;
  }
  string(field, s) {
    return this.raw(field, new TextEncoder().encode(s));
  }
  message(field, w) {
    return this.raw(field, w.finish());
  }
  finish() {
    return Uint8Array.from(this.bytes);
  }
}

/** A TensorProto with raw_data. `data` is a typed array matching dtype. */
export function tensor(name, dtype, dims, data) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, ELEM_TYPE[dtype]);
  w.string(8, name);
  w.raw(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return w;
}

/** A ValueInfoProto; a string dim becomes a named free dimension. */
export function valueInfo(name, dtype, shape) {
  const dims = new Writer();
  for (const d of shape) {
    const dim = new Writer();
    if (typeof d === 'string') dim.string(2, d);
    else dim.int(1, d);
    dims.message(1, dim);
  }
  const tensorType = new Writer().int(1, ELEM_TYPE[dtype]).message(2, dims);
  const type = new Writer().message(1, tensorType);
  return new Writer().string(1, name).message(2, type);
}

function attribute(name, value) {
  const w = new Writer().string(1, name);
  if (typeof value === 'number' && Number.isInteger(value)) return w.int(3, value).int(20, 2);
  if (typeof value === 'number') return w.float(2, value).int(20, 1);
  if (typeof value === 'string') return w.string(4, value).int(20, 3);
  if (Array.isArray(value) && value.every(Number.isInteger)) {
    for (const v of value) w.int(8, v);
    return w.int(20, 7);
  }
  if (Array.isArray(value)) {
    for (const v of value) w.float(7, v);
    return w.int(20, 6);
  }
  throw new TypeError(`attribute ${name}: unsupported value ${value}`);
}

/** A NodeProto. Integer-valued numbers become INT attributes; write 1.5 etc. for FLOAT ones. */
export function node(opType, inputs, outputs, attributes = {}, name = `${opType}_${outputs[0]}`) {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const [k, v] of Object.entries(attributes)) w.message(5, attribute(k, v));
  return w;
}

/** ModelProto bytes (IR version 8, default-domain opset 13 unless given). */
export function onnxModel({ nodes, inputs, outputs, initializers = [], opset = 13, name = 'test' }) {
  const graph = new Writer();
  for (const n of nodes) graph.message(1, n);
  graph.string(2, name);
  for (const t of initializers) graph.message(5, t);
  for (const i of inputs) graph.message(11, i);
  for (const o of outputs) graph.message(12, o);
  const opsetId = new Writer().string(1, '').int(2, opset);
  return new Writer().int(1, 8).string(2, 'webcnn-tests').message(7, graph).message(8, opsetId).finish();
}

/** Deterministic pseudo-random floats in [lo, hi) (mulberry32), so failures reproduce. */
export function randomFloats(count, seed, lo = -1, hi = 1) {
  let s = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; ++i) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/**
 * A small CNN in the shape of a MobileNet block stack: 3×3 stride-2 conv + ReLU6 (Clip), depthwise 3×3 +
 * ReLU, pointwise 1×1 conv, residual Add, global average pool, Gemm classifier, Softmax. withLogits adds
 * the Gemm output as a second graph output (softmax hides small differences).
 */
export function smallCnn({ channels = 8, size = 16, classes = 10, seed = 1, withLogits = false } = {}) {
  const c = channels;
  let k = seed;
  const init = (name, dims, scale = 0.5) =>
    tensor(name, 'float32', dims, randomFloats(dims.reduce((a, b) => a * b, 1), k++, -scale, scale));
  return onnxModel({
    inputs: [valueInfo('image', 'float32', [1, 3, size, size])],
    outputs: [valueInfo('probs', 'float32', [1, classes]), ...(withLogits ? [valueInfo('logits', 'float32', [1, classes])] : [])],
    initializers: [
      init('stem_w', [c, 3, 3, 3]), init('stem_b', [c], 0.1),
      init('dw_w', [c, 1, 3, 3]), init('dw_b', [c], 0.1),
      init('pw_w', [c, c, 1, 1]), init('pw_b', [c], 0.1),
      init('fc_w', [classes, c]), init('fc_b', [classes], 0.1),
      tensor('clip_min', 'float32', [], new Float32Array([0])),
      tensor('clip_max', 'float32', [], new Float32Array([6])),
      tensor('flat_shape', 'int64', [2], new BigInt64Array([1n, BigInt(c)])),
    ],
    nodes: [
      node('Conv', ['image', 'stem_w', 'stem_b'], ['stem'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }),
      node('Clip', ['stem', 'clip_min', 'clip_max'], ['stem_act']),
      node('Conv', ['stem_act', 'dw_w', 'dw_b'], ['dw'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: c }),
      node('Relu', ['dw'], ['dw_act']),
      node('Conv', ['dw_act', 'pw_w', 'pw_b'], ['pw'], { kernel_shape: [1, 1] }),
      node('Add', ['pw', 'stem_act'], ['res']),
      node('GlobalAveragePool', ['res'], ['pooled']),
      node('Reshape', ['pooled', 'flat_shape'], ['flat']),
      node('Gemm', ['flat', 'fc_w', 'fc_b'], ['logits'], { transB: 1 }),
      node('Softmax', ['logits'], ['probs'], { axis: 1 }),
    ],
  });
}
