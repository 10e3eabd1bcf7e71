// .npy files (format 1.0, C order) for handing tensors to and from the native CLI (`webcnn run`).
import { readFileSync, writeFileSync } from 'node:fs';

const DESCR = { float32: '<f4', int32: '<i4', int64: '<i8', uint8: '|u1', bool: '|b1' };
const ARRAYS = { '<f4': Float32Array, '<i4': Int32Array, '<i8': BigInt64Array, '|u1': Uint8Array, '|b1': Uint8Array };

export function writeNpy(path, dtype, shape, data) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = new Uint8Array(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(head.buffer).setUint16(8, header.length, true);
  head.set(new TextEncoder().encode(header), 10);
  writeFileSync(path, Buffer.concat([head, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)]));
}

export function readNpy(path) {
  const file = readFileSync(path);
  if (file.readUInt32BE(0) !== 0x934e554d) throw new Error(`${path}: not a .npy file`);
  const major = file[6];
  const headerLength = major === 1 ? file.readUInt16LE(8) : file.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = file.subarray(start, start + headerLength).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  const Array_ = ARRAYS[descr];
  if (!Array_) throw new Error(`${path}: dtype ${descr} not handled`);
  const bytes = file.subarray(start + headerLength);
  const copy = new Uint8Array(bytes); // aligned copy
  return { shape, data: new Array_(copy.buffer, 0, copy.byteLength / Array_.BYTES_PER_ELEMENT) };
}
