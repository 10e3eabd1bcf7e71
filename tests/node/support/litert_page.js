// Runs in the page that tests/node/support/litert.mjs opens: LiteRT.js (@litertjs/core) on its wasm CPU
// backend (XNNPACK), one thread. It drives LiteRT.js's Embind layer (liteRt.liteRtWasm) directly instead of
// CompiledModel.run(), because the public Tensor class takes and returns float32/int32/uint8 only: it
// refuses to even describe a model with an int64 output (DeepLabV3's ARG_MAX) and cannot make int8
// tensors. Here every tensor is raw bytes plus LiteRT's element type, so any dtype goes in and out.
import { loadLiteRt } from '/node_modules/@litertjs/core/dist/index.js';

// litert::ElementType → [dtype name, bytes per element] (LiteRT.js's ElementType table).
const ELEMENT_TYPES = { 1: ['float32', 4], 2: ['int32', 4], 3: ['uint8', 1], 4: ['int64', 8], 6: ['bool', 1], 7: ['int16', 2],
  9: ['int8', 1], 10: ['float16', 2], 11: ['float64', 8], 16: ['uint32', 4], 17: ['uint16', 2] };

let liteRt = null;
let wasm = null;
const models = new Map();
let nextId = 1;

/** Loads the LiteRT.js wasm module: `file` is one of the .js files in @litertjs/core/wasm/, or '' for the
 * directory (LiteRT.js then picks the relaxed-SIMD build if the browser has relaxed SIMD, else "compat"). */
export async function start(file) {
  const dir = '/node_modules/@litertjs/core/wasm/';
  liteRt = await loadLiteRt(file ? dir + file : dir);
  wasm = liteRt.liteRtWasm;
  const script = [...document.scripts].map((s) => s.src).find((s) => s.includes('/wasm/litert_')) ?? '';
  return { script: script.slice(script.lastIndexOf('/') + 1), threads: wasm.getThreadCount() };
}

function describe(tensorType, name, index) {
  const layout = tensorType.layout();
  const dims = layout.dimensions();
  const shape = Array.from({ length: dims.size() }, (_, i) => dims.get(i));
  dims.delete();
  layout.delete();
  const code = tensorType.elementType().value;
  const bytes = tensorType.bytes();
  tensorType.delete();
  const [dtype] = ELEMENT_TYPES[code] ?? [`element type ${code}`];
  return { name, index, dtype, elementType: code, shape, bytes };
}

const names = (vector) => {
  const out = Array.from({ length: vector.size() }, (_, i) => vector.get(i));
  vector.delete();
  return out;
};

/** Fetches and compiles a model for the wasm accelerator on `threads` threads; returns its id and tensors. */
export async function open(url, threads = 1) {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const env = liteRt.getDefaultEnvironment();
  const ptr = wasm._malloc(bytes.byteLength); // LiteRT reads the flatbuffer in place: kept until dispose
  wasm.HEAPU8.set(bytes, ptr);
  const model = wasm.loadModel(env.liteRtEnvironment, ptr, bytes.byteLength);
  const options = { environment: env, accelerator: 'wasm', cpuOptions: { numThreads: threads }, gpuOptions: {}, webNNOptions: {} };
  const compiled = await wasm.compileModel(env.liteRtEnvironment, model, options);
  const signature = model.getSignature(0);
  const inputs = names(signature.inputNames()).map((n, i) => describe(model.getInputTensorType(0, i), n, i));
  const outputs = names(signature.outputNames()).map((n, i) => describe(model.getOutputTensorType(0, i), n, i));
  signature.delete();
  const id = nextId++;
  models.set(id, { ptr, model, compiled, env, inputs, outputs, buffers: null });
  return { id, inputs, outputs, fullyAccelerated: compiled.isFullyAccelerated() };
}

/** Makes the model's input buffers from raw bytes fetched from `urls` (one per input, in order). */
export async function setInputs(id, urls) {
  const m = models.get(id);
  const raw = await Promise.all(urls.map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())));
  freeInputs(m);
  m.buffers = m.inputs.map((spec, i) => {
    if (raw[i].byteLength !== spec.bytes) throw new Error(`input ${spec.name}: ${raw[i].byteLength} bytes, the model takes ${spec.bytes}`);
    const type = m.model.getInputTensorType(0, i);
    const buffer = wasm.LiteRtTensorBuffer.createManaged(m.env.liteRtEnvironment, wasm.LiteRtTensorBufferType.HOST_MEMORY, type, spec.bytes);
    type.delete();
    const p = buffer.lock(wasm.LiteRtTensorBufferLockMode.WRITE);
    wasm.HEAPU8.set(raw[i], p);
    buffer.unlock();
    return buffer;
  });
}

function freeInputs(m) {
  for (const b of m.buffers ?? []) b.delete();
  m.buffers = null;
}

/** One inference on the current inputs; the outputs copied out of the wasm heap (as every engine hands
 * its results back), their buffers freed. */
async function runOnce(m) {
  const outs = await m.compiled.run(0, m.buffers);
  const copies = [];
  for (const [i, b] of outs.entries()) {
    const p = b.lock(wasm.LiteRtTensorBufferLockMode.READ);
    copies.push(wasm.HEAPU8.slice(p, p + m.outputs[i].bytes));
    b.unlock();
    b.delete();
  }
  return copies;
}

function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Runs once; returns each output's raw bytes as base64 (playwright moves strings cheaply). */
export async function run(id) {
  return (await runOnce(models.get(id))).map(toBase64);
}

/** `warmup` untimed runs, then `runs` runs each timed on the page's clock; returns the times in ms. */
export async function time(id, warmup, runs) {
  const m = models.get(id);
  for (let i = 0; i < warmup; ++i) await runOnce(m);
  const samples = [];
  for (let i = 0; i < runs; ++i) {
    const t0 = performance.now();
    await runOnce(m);
    samples.push(performance.now() - t0);
  }
  return samples;
}

export function dispose(id) {
  const m = models.get(id);
  if (!m) return;
  freeInputs(m);
  m.compiled.delete();
  m.model.delete();
  wasm._free(m.ptr);
  models.delete(id);
}
