// The hostile inputs of the probe, per category, as data: each case is a pure function of (seed, index).
//   {category, name, surfaces: ['cli', 'js'], kind, ...}  kinds: model (onnx/tflite bytes), tfjs (files),
//   image, npy (CLI only), recipe (JS API misuse, run by js_child.mjs), http (server, run by the driver).
// expect: 'refuse' (a success is wrong: e.g. a shard path escaping its directory) or 'accept' (a valid
// file: an error is wrong), else either is fine as long as it is clean.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';

import { node, onnxModel, smallCnn, tensor, valueInfo } from '../node/support/wasm_onnx.mjs';
import { caseSeed, mutateBytes, mutateProtobufLength, prng } from './mutate.mjs';

const root = new URL('../../', import.meta.url).pathname;
const read = (p) => new Uint8Array(readFileSync(p));
const cached = (fn) => { let v; return () => (v ??= fn()); };

// ---- seeds -------------------------------------------------------------------------------------------
const ONNX_TESTDATA = '/usr/share/libonnx-testdata/data';
const onnxSeeds = cached(() => {
  const files = [];
  const walk = (dir, depth) => {
    if (!existsSync(dir) || depth > 3) return;
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(join(dir, e.name), depth + 1);
      else if (e.name.endsWith('.onnx')) files.push(join(dir, e.name));
    }
  };
  walk(ONNX_TESTDATA, 0);
  return files;
});
const smallCnnBytes = cached(() => smallCnn());
export const smallCnnModel = smallCnnBytes;

const tfliteSeeds = cached(() => [
  ...readdirSync(join(root, 'tests/data/tflite')).filter((f) => f.endsWith('.tflite')).sort().map((f) => join(root, 'tests/data/tflite', f)),
  join(root, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite'),
].filter(existsSync));

const TFJS_SEEDS = ['antispoof', 'emotion', 'liveness'];
export const tfjsSeedDir = join(root, 'models/human');
const tfjsSeeds = cached(() => TFJS_SEEDS.filter((m) => existsSync(join(tfjsSeedDir, `${m}.json`)))
  .map((m) => ({ model: m, json: JSON.parse(readFileSync(join(tfjsSeedDir, `${m}.json`), 'utf8')) })));

// ---- small image and .npy writers ----------------------------------------------------------------------
export function bmp(width, height, { topDown = false, bpp = 24 } = {}) {
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  const size = 54 + rowBytes * height;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b[0] = 0x42; b[1] = 0x4d;
  v.setUint32(2, size, true); v.setUint32(10, 54, true); v.setUint32(14, 40, true);
  v.setInt32(18, width, true); v.setInt32(22, topDown ? -height : height, true);
  v.setUint16(26, 1, true); v.setUint16(28, bpp, true); v.setUint32(34, rowBytes * height, true);
  for (let i = 54; i < size; ++i) b[i] = (i * 37) & 255;
  return b;
}

const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc32 = (bytes) => { let c = 0xffffffff; for (const x of bytes) c = crcTable[(c ^ x) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function pngChunk(type, data) {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
export function png(width, height) {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width); v.setUint32(4, height); ihdr[8] = 8; ihdr[9] = 2;
  const raw = new Uint8Array((width * 3 + 1) * height).map((_, i) => (i * 31) & 255);
  for (let y = 0; y < height; ++y) raw[y * (width * 3 + 1)] = 0;
  return Uint8Array.from([...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], ...pngChunk('IHDR', ihdr),
    ...pngChunk('IDAT', zlib.deflateSync(raw)), ...pngChunk('IEND', new Uint8Array(0))]);
}
export function npy(header, data) {
  const h = new TextEncoder().encode(header);
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, h.length, true);
  out.set(h, 10);
  out.set(data, 10 + h.length);
  return out;
}
const npyHeader = (descr, shape, fortran = 'False') => {
  const s = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${shape}), }`;
  return s + ' '.repeat(63 - ((s.length + 10) % 64)) + '\n';
};

// ---- ONNX: byte mutations and structural lies ----------------------------------------------------------
const f32 = (n, v = 0.5) => new Float32Array(n).fill(v);
const identity = (name, dims) => ({ inputs: [valueInfo('x', 'float32', dims)], outputs: [valueInfo('y', 'float32', dims)], name });
const ONNX_STRUCT = [
  ['giant-dims', () => onnxModel({ ...identity('g', [1 << 30, 1 << 30, 1 << 30]), nodes: [node('Relu', ['x'], ['y'])] })],
  ['dim-minus5', () => onnxModel({ ...identity('g', [1, -5]), nodes: [node('Relu', ['x'], ['y'])] })],
  ['dim-int64-min', () => onnxModel({ ...identity('g', [1, -(2n ** 63n)]), nodes: [node('Relu', ['x'], ['y'])] })],
  ['dim-int64-max', () => onnxModel({ ...identity('g', [1, 2n ** 63n - 1n]), nodes: [node('Relu', ['x'], ['y'])] })],
  ['rank-200k', () => onnxModel({ ...identity('g', Array(200000).fill(1)), nodes: [node('Relu', ['x'], ['y'])] })],
  ['cycle', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b']), node('Relu', ['b'], ['y'])] })],
  ['self-loop', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Add', ['x', 'y'], ['y'])] })],
  ['missing-initializer', () => onnxModel({ ...identity('g', [1, 3, 8, 8]), nodes: [node('Conv', ['x', 'w_missing'], ['y'], { kernel_shape: [3, 3] })] })],
  ['empty-input-name', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Relu', [''], ['y'])] })],
  ['duplicate-output', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Relu', ['x'], ['y']), node('Relu', ['x'], ['y'])] })],
  ['undefined-graph-output', () => onnxModel({ inputs: [valueInfo('x', 'float32', [1, 4])], outputs: [valueInfo('nowhere', 'float32', [1, 4])], nodes: [node('Relu', ['x'], ['y'])] })],
  ['no-nodes', () => onnxModel({ ...identity('g', [1, 4]), nodes: [] })],
  ['expand-2e8', () => onnxModel({ inputs: [valueInfo('x', 'float32', [1])], outputs: [valueInfo('y', 'float32', [200000000])],
    initializers: [tensor('s', 'int64', [1], new BigInt64Array([200000000n]))], nodes: [node('Expand', ['x', 's'], ['y'])] })],
  ['expand-2e12', () => onnxModel({ inputs: [valueInfo('x', 'float32', [1])], outputs: [valueInfo('y', 'float32', [2000000, 1000000])],
    initializers: [tensor('s', 'int64', [2], new BigInt64Array([2000000n, 1000000n]))], nodes: [node('Expand', ['x', 's'], ['y'])] })],
  ['int-div-zero', () => onnxModel({ inputs: [valueInfo('x', 'int32', [4])], outputs: [valueInfo('y', 'int32', [4])],
    initializers: [tensor('z', 'int32', [4], new Int32Array(4))], nodes: [node('Div', ['x', 'z'], ['y'])] })],
  ['int-mod-zero', () => onnxModel({ inputs: [valueInfo('x', 'int32', [4])], outputs: [valueInfo('y', 'int32', [4])],
    initializers: [tensor('z', 'int32', [4], new Int32Array(4))], nodes: [node('Mod', ['x', 'z'], ['y'])] })],
  ['maxpool-pads-ge-kernel', () => onnxModel({ ...identity('g', [1, 1, 4, 4]), nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: [2, 2], pads: [3, 3, 3, 3] })] })],
  ['conv-weight-shape-lie', () => onnxModel({ ...identity('g', [1, 3, 8, 8]), initializers: [tensor('w', 'float32', [4, 3, 3, 3], f32(10))],
    nodes: [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3] })] })],
  ['conv-kernel-huge', () => onnxModel({ ...identity('g', [1, 3, 8, 8]), initializers: [tensor('w', 'float32', [4, 3, 1, 1], f32(12))],
    nodes: [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [1 << 30, 1 << 30], strides: [0, 0], dilations: [1 << 30, 1 << 30] })] })],
  ['reshape-negative', () => onnxModel({ ...identity('g', [1, 4]), initializers: [tensor('s', 'int64', [2], new BigInt64Array([-1n, -1n]))], nodes: [node('Reshape', ['x', 's'], ['y'])] })],
  ['gather-oob', () => onnxModel({ ...identity('g', [4]), initializers: [tensor('i', 'int64', [1], new BigInt64Array([1n << 40n]))], nodes: [node('Gather', ['x', 'i'], ['y'])] })],
  ['concat-axis-99', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Concat', ['x', 'x'], ['y'], { axis: 99 })] })],
  ['transpose-perm-lie', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Transpose', ['x'], ['y'], { perm: [0, 0] })] })],
  ['slice-huge-steps', () => onnxModel({ ...identity('g', [8]), initializers: [tensor('s', 'int64', [1], new BigInt64Array([0n])), tensor('e', 'int64', [1], new BigInt64Array([2n ** 62n])),
    tensor('a', 'int64', [1], new BigInt64Array([0n])), tensor('t', 'int64', [1], new BigInt64Array([0n]))], nodes: [node('Slice', ['x', 's', 'e', 'a', 't'], ['y'])] })],
  ['unknown-op', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('NoSuchOp', ['x'], ['y'])] })],
  ['opset-999', () => onnxModel({ ...identity('g', [1, 4]), nodes: [node('Relu', ['x'], ['y'])], opset: 999 })],
  ['initializer-raw-short', () => onnxModel({ ...identity('g', [1, 4]), initializers: [tensor('b', 'float32', [1000000], f32(1))], nodes: [node('Add', ['x', 'b'], ['y'])] })],
  ['chain-20k', () => { const n = 20000; const nodes = []; for (let i = 0; i < n; ++i) nodes.push(node('Identity', [i ? `t${i - 1}` : 'x'], [i === n - 1 ? 'y' : `t${i}`])); return onnxModel({ ...identity('g', [1, 4]), nodes }); }],
];

function onnxCase(rng, index) {
  if (index % 5 === 0) {
    const [name, make] = ONNX_STRUCT[(index / 5) % ONNX_STRUCT.length];
    return { name: `struct:${name}`, bytes: make() };
  }
  const seeds = onnxSeeds();
  const useCnn = !seeds.length || rng.chance(0.25);
  const seedPath = useCnn ? null : rng.pick(seeds);
  const seedBytes = useCnn ? smallCnnBytes() : read(seedPath);
  const seedName = useCnn ? 'small_cnn' : seedPath.slice(ONNX_TESTDATA.length + 1).replace(/\/model\.onnx$/, '');
  const [how, bytes] = rng.chance(0.4) ? mutateProtobufLength(rng, seedBytes) : mutateBytes(rng, seedBytes);
  return { name: `${seedName}:${how}`, bytes };
}

// ---- TFLite ----------------------------------------------------------------------------------------------
function tfliteCase(rng) {
  const seedPath = rng.pick(tfliteSeeds());
  const seed = read(seedPath);
  let how;
  let bytes;
  if (rng.chance(0.5)) {
    // a u32 in the flatbuffer's tables (offsets, vector lengths, indices): mostly in the first 4 KiB
    bytes = Uint8Array.from(seed);
    const span = Math.min(bytes.length, rng.chance(0.7) ? 4096 : bytes.length);
    const at = rng.int(Math.max(1, span - 4)) & ~3;
    const v = rng.pick([0, 1, 4, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc, bytes.length, bytes.length - 4, 1 << 24, rng.int(bytes.length)]);
    new DataView(bytes.buffer).setUint32(at, v >>> 0, true);
    how = `fb-u32@${at}=${v >>> 0}`;
  } else {
    [how, bytes] = mutateBytes(rng, seed);
  }
  return { name: `${seedPath.split('/').pop()}:${how}`, bytes };
}

// ---- TF.js model.json ------------------------------------------------------------------------------------
const ESCAPES = ['%2e%2e/%2e%2e/outside.bin', '%2e%2e/outside.bin', '../outside.bin', '..%2foutside.bin', '%2E%2E%2Foutside.bin',
  'sub/../../outside.bin', '%252e%252e/outside.bin', '/etc/passwd', 'file:///etc/passwd', '..\\outside.bin', '.%2e/outside.bin'];
const ODD_PATHS = ['', '%', '%zz', 'x\u0000.bin', 'a'.repeat(5000), 'http://127.0.0.1:9/x.bin', 'nonexistent.bin', '.', './', 'model.json'];
const HOSTILE_VALUES = [null, -1, 0, 1e308, -1e308, 2 ** 53, '', 'x'.repeat(100000), {}, [], [[[]]], true, 'NaN', -0.5, 4294967296, ['a']];

function walkJson(value, visit, path = []) {
  if (value && typeof value === 'object') for (const k of Object.keys(value)) { visit(value, k, path); walkJson(value[k], visit, [...path, k]); }
}

function tfjsCase(rng, index) {
  const seeds = tfjsSeeds();
  if (!seeds.length) return null;
  const { model, json: original } = rng.pick(seeds);
  const json = structuredClone(original);
  const group = json.weightsManifest[0];
  const weights = group.weights;
  let how;
  let expect;
  let text;
  let shard = 'same';
  switch (index % 9) {
    case 0: how = `escape:${group.paths[0] = rng.pick(ESCAPES)}`; expect = 'refuse'; break;
    case 1: how = `path:${JSON.stringify(group.paths[0] = rng.pick(ODD_PATHS)).slice(0, 40)}`; break;
    case 2: { const w = rng.pick(weights); w.dtype = rng.pick(['float16', 'int64', 'complex64', 'string', 'bool', 'bogus', 7, null, 'uint8']); how = `dtype:${w.name}=${w.dtype}`; break; }
    case 3: { const w = rng.pick(weights); w.shape = rng.pick([[-1], [2 ** 31, 2 ** 31], [1e20], 'abc', [null], [], [0], Array(1000).fill(1), [w.shape?.[0] ?? 1, 1e9]]); how = `shape:${w.name}=${JSON.stringify(w.shape).slice(0, 30)}`; break; }
    case 4: shard = rng.pick(['short', 'long', 'empty']); how = `shard-size:${shard}`; break;
    case 5: text = '\uFEFF' + JSON.stringify(json); how = 'bom'; expect = 'accept'; break;
    case 6: { // a random value in the JSON replaced
      const spots = [];
      walkJson(json, (obj, key) => spots.push([obj, key]));
      const [obj, key] = rng.pick(spots);
      obj[key] = rng.pick(HOSTILE_VALUES);
      how = `value:${key}=${JSON.stringify(obj[key])?.slice(0, 20)}`;
      break;
    }
    case 7: { const w = rng.pick(weights); if (w.quantization || rng.chance(0.5)) { w.quantization = { dtype: rng.pick(['uint8', 'uint16', 'float16', 'bogus']), scale: rng.pick([0, NaN, 1e-30, -1]), min: rng.pick([0, -1e308]) }; } how = `quant:${w.name}`; break; }
    // raw bytes, not decoded to text: a damaged byte must reach the loaders as it is, not as U+FFFD
    default: { const [m, bytes] = mutateBytes(rng, new TextEncoder().encode(JSON.stringify(json))); text = bytes; how = `bytes:${m}`; }
  }
  return { name: `${model}:${how}`, model, text: text ?? JSON.stringify(json), shard, expect };
}

// ---- images (CLI classify) -------------------------------------------------------------------------------
const smallBmp = cached(() => bmp(40, 30));
const smallPng = cached(() => png(40, 30));
const jpegSeed = cached(() => read(join(root, 'tests/data/photos/face.jpg')));
const bmpPhoto = cached(() => read(join(root, 'tests/data/photos/bird.bmp')));

function imageCase(rng, index) {
  const fixed = [
    ['bmp-top-down', () => bmp(40, 30, { topDown: true }), 'accept'],
    ['bmp-0x0', () => bmp(0, 0)],
    ['bmp-1x1', () => bmp(1, 1), 'accept'],
    ['bmp-huge-header', () => { const b = bmp(4, 3); new DataView(b.buffer).setInt32(18, 100000, true); new DataView(b.buffer).setInt32(22, -100000, true); return b; }],
    ['bmp-int32-min-height', () => { const b = bmp(4, 3); new DataView(b.buffer).setInt32(22, -2147483648, true); return b; }],
    ['png-0x0', () => png(0, 0)],
    ['png-huge-ihdr', () => { const b = png(4, 3); new DataView(b.buffer).setUint32(16, 0x7fffffff); new DataView(b.buffer).setUint32(20, 0x7fffffff); return b; }],
    ['empty-file', () => new Uint8Array(0)],
  ];
  if (index % 4 === 0) {
    const [name, make, expect] = fixed[(index / 4) % fixed.length];
    return { name, ext: name.split('-')[0] === 'png' ? 'png' : 'bmp', bytes: make(), expect };
  }
  const kind = rng.pick(['bmp', 'bmp', 'png', 'png', 'jpg', 'jpg', 'bmp-photo']);
  const seed = kind === 'bmp' ? smallBmp() : kind === 'png' ? smallPng() : kind === 'jpg' ? jpegSeed() : bmpPhoto();
  const bytes = Uint8Array.from(seed);
  const dv = new DataView(bytes.buffer);
  let how;
  if (rng.chance(0.5)) {
    const lie = rng.pick([0, 1, -1, 65535, 65536, 0x7fffffff, -0x80000000, 100000]);
    if (kind.startsWith('bmp')) {
      const field = rng.pick([[2, 'size'], [10, 'offset'], [14, 'hdrsize'], [18, 'width'], [22, 'height'], [28, 'bpp16'], [30, 'compression'], [34, 'imagesize'], [46, 'colors']]);
      if (field[1] === 'bpp16') dv.setUint16(28, rng.pick([0, 1, 2, 4, 8, 15, 16, 32, 64, 65535]), true); else dv.setInt32(field[0], lie, true);
      how = `bmp-${field[1]}=${field[1] === 'bpp16' ? dv.getUint16(28, true) : lie}`;
    } else if (kind === 'png') {
      const field = rng.pick([[16, 'width'], [20, 'height'], [24, 'depth-type']]);
      if (field[1] === 'depth-type') { bytes[24] = rng.pick([0, 1, 2, 4, 8, 16, 3, 255]); bytes[25] = rng.pick([0, 2, 3, 4, 6, 7]); } else dv.setUint32(field[0], lie >>> 0);
      if (rng.chance(0.7)) dv.setUint32(29, crc32(bytes.subarray(12, 29))); // keep the IHDR CRC valid
      how = `png-${field[1]}=${lie >>> 0}`;
    } else {
      let sof = -1;
      for (let i = 2; i + 9 < bytes.length; ++i) if (bytes[i] === 0xff && (bytes[i + 1] === 0xc0 || bytes[i + 1] === 0xc2)) { sof = i; break; }
      if (sof < 0) [how] = mutateBytes(rng, bytes);
      else {
        const field = rng.pick([[5, 'height'], [7, 'width'], [9, 'components']]);
        if (field[1] === 'components') bytes[sof + 9] = rng.pick([0, 1, 2, 4, 255]); else dv.setUint16(sof + field[0], lie & 0xffff);
        how = `jpeg-${field[1]}=${field[1] === 'components' ? bytes[sof + 9] : lie & 0xffff}`;
      }
    }
    return { name: `${kind}:${how}`, ext: kind === 'bmp-photo' ? 'bmp' : kind, bytes };
  }
  const [m, mutated] = mutateBytes(rng, seed);
  return { name: `${kind}:${m}`, ext: kind === 'bmp-photo' ? 'bmp' : kind, bytes: mutated };
}

// ---- .npy (CLI run) ----------------------------------------------------------------------------------------
function npyCase(rng, index) {
  const data = new Uint8Array(new Float32Array(3 * 16 * 16).fill(0.25).buffer);
  const good = npy(npyHeader('<f4', '1, 3, 16, 16'), data);
  const fixed = [
    ['magic-only', () => good.slice(0, 6)],
    ['magic-version', () => good.slice(0, 8)],
    ['header-len-huge', () => { const b = Uint8Array.from(good); new DataView(b.buffer).setUint16(8, 0xffff, true); return b; }],
    ['version-9', () => { const b = Uint8Array.from(good); b[6] = 9; return b; }],
    ['v2-len-4g', () => { const b = Uint8Array.from([...good.subarray(0, 8), 0, 0, 0, 0, ...good.subarray(10)]); b[6] = 2; new DataView(b.buffer).setUint32(8, 0xffffffff, true); return b; }],
    ['f8', () => npy(npyHeader('<f8', '1, 3, 16, 16'), new Uint8Array(new Float64Array(768).buffer))],
    ['big-endian', () => npy(npyHeader('>f4', '1, 3, 16, 16'), data)],
    ['object', () => npy(npyHeader('|O', '1, 3, 16, 16'), data)],
    ['unicode', () => npy(npyHeader('<U3', '1, 3, 16, 16'), data)],
    ['fortran', () => npy(npyHeader('<f4', '1, 3, 16, 16', 'True'), data)],
    ['shape-huge', () => npy(npyHeader('<f4', '1, 3, 8000000000, 8000000000'), data)],
    ['shape-negative', () => npy(npyHeader('<f4', '1, -3, 16, 16'), data)],
    ['shape-mismatch', () => npy(npyHeader('<f4', '1, 3, 32, 32'), data)],
    ['data-short', () => npy(npyHeader('<f4', '1, 3, 16, 16'), data.slice(0, 100))],
    ['rank-5000', () => npy(npyHeader('<f4', Array(5000).fill(1).join(', ')), data)],
    ['unterminated', () => npy("{'descr': '<f4', 'shape': (1, 3", data)],
    ['non-ascii', () => npy("{'descr': '<f4\u00ff\u00fe', 'fortran_order': False, 'shape': (1, 3, 16, 16), }\n", data)],
    ['empty-header', () => npy('', data)],
    ['scalar', () => npy(npyHeader('<f4', ''), data.slice(0, 4))],
  ];
  if (index % 3 === 0) {
    const [name, make, expect] = fixed[(index / 3) % fixed.length];
    return { name, bytes: make(), expect };
  }
  if (rng.chance(0.5)) {
    const descr = rng.pick(['<f4', '<f8', '<i8', '<i4', '|u1', '|b1', '<f2', '<c8', 'bogus', '']);
    const shape = rng.pick(['1, 3, 16, 16', '768', '1, 768', '1, 3, 16, 16, 1', '0, 3, 16, 16', '1,3,16,16,', '(1, 3)', '1.5, 3', 'x']);
    return { name: `descr=${descr}:shape=${shape}`, bytes: npy(npyHeader(descr, shape), data) };
  }
  const [m, bytes] = mutateBytes(rng, good.subarray(0, 400));
  return { name: `bytes:${m}`, bytes: Uint8Array.from([...bytes, ...good.subarray(400)]) };
}

// ---- the categories ----------------------------------------------------------------------------------------
export const CATEGORIES = {
  onnx: { surfaces: ['cli', 'js'], kind: 'model', make: onnxCase },
  tflite: { surfaces: ['cli', 'js'], kind: 'model', make: tfliteCase },
  tfjs: { surfaces: ['cli', 'js'], kind: 'tfjs', make: tfjsCase },
  image: { surfaces: ['cli'], kind: 'image', make: imageCase },
  npy: { surfaces: ['cli'], kind: 'npy', make: npyCase },
  'js-args': { surfaces: ['js'], kind: 'recipe', make: (rng, index) => ({ name: `recipe#${index}`, recipe: index, recipeSeed: rng.int(2 ** 31) }) },
  server: { surfaces: ['server'], kind: 'http', make: null }, // made by server_cases.mjs (needs the live server)
};

export function makeCase(seed, category, index) {
  const { make, surfaces, kind } = CATEGORIES[category];
  const c = make(prng(caseSeed(seed, category, index)), index);
  return c && { category, index, surfaces, kind, ...c };
}
