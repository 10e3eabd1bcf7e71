#!/usr/bin/env node
// Where webcnn and LiteRT.js part ways inside a .tflite: every intermediate tensor compared, in op order.
//   node models/tflite_bisect.mjs MODEL.tflite [--photo face.jpg] [--per-op] [--ops 5,6]
// 1. chain: a copy of the model whose subgraph outputs are every op output (a new outputs vector appended,
//    the SignatureDefs emptied so LiteRT builds its signature from the subgraph; names shortened in place to
//    t<index> so the CLI's output files stay short) runs in LiteRT.js (Chromium) and in `build/webcnn run`
//    on the same photo tensor; each tensor's mismatch is printed (8-bit: elements more than 1 unit off).
// 2. --per-op: each op alone (the operators vector shrunk in place to that op, its non-constant inputs made
//    the graph inputs) runs in webcnn on LiteRT.js's values of its inputs from step 1, so an op's own error
//    shows without what earlier ops pass on. ne = elements that differ at all.
// Test-side tool for our own models: it trusts the file. Scratch files go to $TMPDIR/webcnn-bisect.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readFlags } from '../bench/options.mjs';
import { repoRoot } from '../tests/node/support/cli.mjs';
import { startLiteRt } from '../tests/node/support/litert.mjs';
import { TFLITE_MODELS, photoInput } from '../tests/node/support/tflite_cases.mjs';

const o = { photo: ['face.jpg'], 'per-op': false, ops: [] };
const args = process.argv.slice(2);
const file = args.shift();
readFlags(args, { '--photo': { list: true }, '--per-op': { flag: true }, '--ops': { list: true } }, (flag, v) => { o[flag.slice(2)] = v ?? true; });
const only = o.ops.length ? o.ops.map(Number) : null;
const cli = join(repoRoot, 'build', 'webcnn');
const dir = join(tmpdir(), 'webcnn-bisect');
mkdirSync(dir, { recursive: true });

const bytes = new Uint8Array(readFileSync(file));
const v = new DataView(bytes.buffer);
const ref = (p) => p + v.getUint32(p, true);
function table(pos) {
  const vt = pos - v.getInt32(pos, true);
  const size = v.getUint16(vt, true);
  const at = (id) => (4 + 2 * id < size && v.getUint16(vt + 4 + 2 * id, true) ? pos + v.getUint16(vt + 4 + 2 * id, true) : 0);
  const vec = (id, read) => {
    const p = at(id) ? ref(at(id)) : 0;
    return p ? Array.from({ length: v.getUint32(p, true) }, (_, i) => read(p + 4 + 4 * i)) : [];
  };
  return {
    at,
    u8: (id) => (at(id) ? v.getUint8(at(id)) : 0),
    u32: (id) => (at(id) ? v.getUint32(at(id), true) : 0),
    i32s: (id) => vec(id, (p) => v.getInt32(p, true)),
    f32s: (id) => vec(id, (p) => v.getFloat32(p, true)),
    tables: (id) => vec(id, (p) => table(ref(p))),
    table: (id) => (at(id) ? table(ref(at(id))) : null),
    string: (id) => (at(id) ? new TextDecoder().decode(bytes.subarray(ref(at(id)) + 4, ref(at(id)) + 4 + v.getUint32(ref(at(id)), true))) : ''),
    stringPos: (id) => (at(id) ? ref(at(id)) : 0),
  };
}
const model = table(v.getUint32(0, true));
const graph = model.tables(2)[0];
const tensors = graph.tables(0);
const buffers = model.tables(4);
const opsVector = ref(graph.at(3));
const ops = graph.tables(3).map((op, k) => ({ inputs: op.i32s(1), outputs: op.i32s(2), pos: ref(opsVector + 4 + 4 * k) }));
const isConstant = (t) => {
  const b = buffers[tensors[t].u32(2)];
  return Boolean(b && b.at(0) && v.getUint32(ref(b.at(0)), true) > 0);
};
const TYPES = { 0: ['float32', '<f4', Float32Array], 2: ['int32', '<i4', Int32Array], 3: ['uint8', '|u1', Uint8Array],
  4: ['int64', '<i8', BigInt64Array], 6: ['bool', '|b1', Uint8Array], 9: ['int8', '|i1', Int8Array] };
const typeOf = (t) => TYPES[tensors[t].u8(1)] ?? ['?', '?', Uint8Array];

/** The model with `inputs`, `outputs` as the subgraph's, optionally only op `k`; names of `rename` shortened. */
function patched({ inputs, outputs, k = -1, rename = [] }) {
  const end = (bytes.length + 3) & ~3;
  const out = new Uint8Array(end + 12 + 4 * (inputs.length + outputs.length));
  out.set(bytes);
  const w = new DataView(out.buffer);
  let at = end;
  const vector = (field, values) => {
    w.setUint32(at, values.length, true);
    values.forEach((x, i) => w.setInt32(at + 4 + 4 * i, x, true));
    w.setUint32(field, at - field, true);
    at += 4 + 4 * values.length;
  };
  vector(graph.at(1), inputs);
  vector(graph.at(2), outputs);
  if (model.at(7)) vector(model.at(7), []); // SignatureDefs name the original outputs only
  if (k >= 0) {
    w.setUint32(opsVector, 1, true);
    w.setUint32(opsVector + 4, ops[k].pos - (opsVector + 4), true);
  }
  const names = {};
  for (const t of [...inputs, ...outputs]) {
    names[t] = tensors[t].string(3);
    const p = tensors[t].stringPos(3);
    const short = `t${t}`;
    if (!rename.includes(t) || !p || short.length > w.getUint32(p, true)) continue;
    w.setUint32(p, short.length, true);
    out.set(new TextEncoder().encode(`${short}\0`), p + 4);
    names[t] = short;
  }
  return { bytes: out, names };
}

function writeNpy(path, t, data) {
  const shape = tensors[t].i32s(0);
  let header = `{'descr': '${typeOf(t)[1]}', 'fortran_order': False, 'shape': (${shape.length === 1 ? `${shape[0]},` : shape.join(', ')}), }`;
  header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
  const head = Buffer.alloc(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  head.write(header, 10, 'latin1');
  writeFileSync(path, Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}
function readNpy(path, t) {
  const f = readFileSync(path);
  const raw = new Uint8Array(f.subarray(10 + f.readUInt16LE(8)));
  const T = typeOf(t)[2];
  return new T(raw.buffer, 0, raw.byteLength / T.BYTES_PER_ELEMENT);
}
/** Runs the CLI; returns the outputs in order as typed arrays. */
function webcnn(modelBytes, feeds, outputs, tag) {
  const m = join(dir, `${tag}.tflite`);
  writeFileSync(m, modelBytes);
  const cmd = ['run', m, '--output', join(dir, `${tag}-out`)];
  for (const { name, t, data } of feeds) {
    const p = join(dir, `${tag}-in${t}.npy`);
    writeNpy(p, t, data);
    cmd.push('--input', `${name}=${p}`);
  }
  const r = spawnSync(cli, cmd, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${tag}: ${r.stderr.trim()}`);
  return r.stdout.trim().split('\n').map((l, i) => readNpy(l.split(' -> ')[1], outputs[i]));
}
function compare(label, t, got, want) {
  const float = typeOf(t)[0] === 'float32';
  let bad = 0;
  let differ = 0;
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(Number(got[i]) - Number(want[i]));
    if (d > (float ? 1e-4 : 1)) bad++;
    if (d > 0) differ++;
    if (d > worst) [worst, at] = [d, i];
  }
  const q = tensors[t].table(4);
  const scale = q ? q.f32s(2) : [];
  console.log(`${label} #${t} ${typeOf(t)[0]}[${tensors[t].i32s(0)}]${scale.length === 1 ? ` scale ${scale[0].toPrecision(4)}` : ''} ` +
    `bad ${bad}/${want.length} ne ${((100 * differ) / want.length).toFixed(2)}% worst ${worst}` +
    `${at >= 0 ? ` @${at} (webcnn ${got[at]}, LiteRT.js ${want[at]})` : ''} ${tensors[t].string(3).slice(-60)}${bad ? '  <<<' : ''}`);
}

// 1. chain
const graphIn = graph.i32s(1);
const original = graph.i32s(2);
const every = [...original];
for (const op of ops) for (const t of op.outputs) if (!every.includes(t)) every.push(t);
const all = patched({ inputs: graphIn, outputs: every, rename: every });
const lr = await startLiteRt();
const values = new Map();
let input;
try {
  const m = await lr.open(all.bytes);
  const name = Object.keys(TFLITE_MODELS).find((n) => file.endsWith(TFLITE_MODELS[n].file)) ?? 'movenet_single_pose_lightning_ptq';
  input = photoInput(name, m.inputs[0], o.photo[0]);
  (await m.run([input])).forEach((y, i) => values.set(every[i], y.data));
} finally {
  await lr.close();
}
values.set(graphIn[0], input.data);
for (const [t, data] of values) writeNpy(join(dir, `litert-t${t}.npy`), t, data); // for experiments beside the tool
const mine = webcnn(all.bytes, [{ name: tensors[graphIn[0]].string(3), t: graphIn[0], data: input.data }], every, 'all');
if (!o['per-op']) {
  every.forEach((t, i) => compare(`out ${i}`, t, mine[i], values.get(t)));
} else {
  // 2. per op, on LiteRT.js's inputs
  ops.forEach((op, k) => {
    if (only && !only.includes(k)) return;
    const inputs = [...new Set(op.inputs.filter((t) => t >= 0 && !isConstant(t)))];
    const one = patched({ inputs, outputs: op.outputs, k, rename: [...inputs, ...op.outputs] });
    const got = webcnn(one.bytes, inputs.map((t) => ({ name: one.names[t], t, data: values.get(t) })), op.outputs, `op${k}`);
    op.outputs.forEach((t, j) => compare(`op ${k}`, t, got[j], values.get(t)));
  });
}
