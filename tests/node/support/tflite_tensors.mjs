// The dtype, shape and quantisation (scale, zero point) of a .tflite model's graph inputs and outputs, read
// straight from the FlatBuffer: LiteRT.js's API gives names, dtypes and shapes only, and the oracle needs an
// output's scale to state a tolerance in its units. Test-side code for our own models, not a hostile-input
// reader: it trusts the file (webcnn's importer is the bounds-checked one).
import { readFileSync } from 'node:fs';

const TENSOR_TYPES = ['float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64'];

function reader(bytes) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const table = (pos) => {
    const vtable = pos - v.getInt32(pos, true);
    const vsize = v.getUint16(vtable, true);
    const field = (id) => (4 + 2 * id < vsize ? v.getUint16(vtable + 4 + 2 * id, true) : 0);
    const at = (id) => (field(id) ? pos + field(id) : 0);
    const ref = (id) => (at(id) ? at(id) + v.getUint32(at(id), true) : 0);
    const vector = (id, size, read) => {
      const p = ref(id);
      if (!p) return [];
      return Array.from({ length: v.getUint32(p, true) }, (_, i) => read(p + 4 + i * size));
    };
    return {
      u8: (id, dflt = 0) => (at(id) ? v.getUint8(at(id)) : dflt),
      u32: (id, dflt = 0) => (at(id) ? v.getUint32(at(id), true) : dflt),
      i32: (id, dflt = 0) => (at(id) ? v.getInt32(at(id), true) : dflt),
      bytes: (id) => { const p = ref(id); return p ? bytes.subarray(p + 4, p + 4 + v.getUint32(p, true)) : null; },
      string: (id) => { const p = ref(id); return p ? new TextDecoder().decode(bytes.subarray(p + 4, p + 4 + v.getUint32(p, true))) : ''; },
      i32s: (id) => vector(id, 4, (p) => v.getInt32(p, true)),
      f32s: (id) => vector(id, 4, (p) => v.getFloat32(p, true)),
      i64s: (id) => vector(id, 8, (p) => Number(v.getBigInt64(p, true))),
      table: (id) => (ref(id) ? table(ref(id)) : null),
      tables: (id) => vector(id, 4, (p) => table(p + v.getUint32(p, true))),
    };
  };
  return table(v.getUint32(0, true));
}

const DEQUANTIZE = 6; // BuiltinOperator

/**
 * {inputs, outputs}: each [{name, dtype, shape, scale: number[], zeroPoint: number[]}] of subgraph 0. A float
 * output that a DEQUANTIZE makes from an 8-bit tensor also has `dequantizedFrom` (that tensor, described the
 * same way): its values are multiples of that tensor's scale, the unit an oracle's tolerance is stated in.
 */
export function tfliteTensors(pathOrBytes) {
  const bytes = typeof pathOrBytes === 'string' ? new Uint8Array(readFileSync(pathOrBytes)) : pathOrBytes;
  const model = reader(bytes);
  const graph = model.tables(2)[0];
  const tensors = graph.tables(0);
  const describe = (index) => {
    const t = tensors[index];
    const q = t.table(4);
    return { name: t.string(3), dtype: TENSOR_TYPES[t.u8(1)] ?? `type ${t.u8(1)}`, shape: t.i32s(0),
      scale: q ? q.f32s(2) : [], zeroPoint: q ? q.i64s(3) : [] };
  };
  // BuiltinOperator of an OperatorCode: the int8 deprecated_builtin_code (field 0) for codes < 127,
  // builtin_code (field 3) beside it since schema 3a; the larger of the two is the real one.
  const codes = model.tables(1).map((c) => Math.max(c.u8(0), c.i32(3)));
  const producer = new Map();
  for (const op of graph.tables(3)) for (const out of op.i32s(2)) producer.set(out, { code: codes[op.u32(0)], inputs: op.i32s(1) });
  const output = (index) => {
    const d = describe(index);
    const p = producer.get(index);
    if (p && p.code === DEQUANTIZE) d.dequantizedFrom = describe(p.inputs[0]);
    return d;
  };
  return { inputs: graph.i32s(1).map(describe), outputs: graph.i32s(2).map(output) };
}

const TYPED = { float32: Float32Array, int32: Int32Array, uint8: Uint8Array, int8: Int8Array };

/**
 * Subgraph 0 as it is stored: {tensors, ops}. tensors: [{name, dtype, shape, scale, zeroPoint, data}] with
 * `data` a typed array of a constant's bytes (null for activations); ops: [{code (BuiltinOperator),
 * inputs, outputs (tensor indices, -1 for an absent optional input), options (the builtin options table:
 * .i32(field), .u8(field)...)}] in execution order.
 */
export function tfliteGraph(pathOrBytes) {
  const bytes = typeof pathOrBytes === 'string' ? new Uint8Array(readFileSync(pathOrBytes)) : pathOrBytes;
  const model = reader(bytes);
  const graph = model.tables(2)[0];
  const buffers = model.tables(4);
  const tensors = graph.tables(0).map((t) => {
    const q = t.table(4);
    const dtype = TENSOR_TYPES[t.u8(1)] ?? `type ${t.u8(1)}`;
    const raw = buffers[t.u32(2)]?.bytes(0);
    const T = TYPED[dtype];
    const data = raw && raw.length && T ? new T(raw.slice().buffer) : null; // copied: aligned
    return { name: t.string(3), dtype, shape: t.i32s(0), scale: q ? q.f32s(2) : [], zeroPoint: q ? q.i64s(3) : [], data };
  });
  const codes = model.tables(1).map((c) => Math.max(c.u8(0), c.i32(3)));
  const ops = graph.tables(3).map((op) => ({ code: codes[op.u32(0)], inputs: op.i32s(1), outputs: op.i32s(2), options: op.table(4) }));
  return { tensors, ops };
}

