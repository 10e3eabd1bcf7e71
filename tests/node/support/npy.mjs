// .npy (format 1.0 written; 1.0/2.0/3.0 read, C order, little-endian) for handing tensors to and from
// the native CLI (`webcnn run`). Reading checks the header as strictly as the CLI does.
import { readFileSync, writeFileSync } from 'node:fs';

const ARRAY_OF = { '<f4': Float32Array, '<i4': Int32Array, '<i8': BigInt64Array, '|u1': Uint8Array, '|i1': Int8Array, '|b1': Uint8Array };
const DESCR_OF = { float32: '<f4', int32: '<i4', int64: '<i8', uint8: '|u1', bool: '|b1' };

/** Writes `data` (a typed array) with `shape` and `dtype` ('float32', 'int32', 'int64', 'uint8', 'bool'). */
export function writeNpy(path, { dtype = 'float32', shape, data }) {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`${path}: shape [${shape}] needs ${count} elements, have ${data.length}`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10 + header.length);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  head.writeUInt16LE(header.length, 8);
  head.write(header, 10, 'latin1');
  writeFileSync(path, Buffer.concat([head, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

/** Reads a .npy file into {descr, shape, data}. Throws on anything the CLI would refuse. */
export function readNpy(path) {
  const file = readFileSync(path);
  if (file.length < 10 || file.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = file[6];
  if (![1, 2, 3].includes(major) || file[7] !== 0) throw new Error(`${path}: .npy version ${major}.${file[7]}`);
  const start = major === 1 ? 10 : 12;
  const headerLength = major === 1 ? file.readUInt16LE(8) : file.readUInt32LE(8);
  if (start + headerLength > file.length) throw new Error(`${path}: header runs past the end`);
  const header = file.subarray(start, start + headerLength).toString('latin1');
  const m = /^\{'descr': '([^']+)', 'fortran_order': (True|False), 'shape': \(([\d, ]*)\), \} *\n$/.exec(header);
  if (!m) throw new Error(`${path}: unexpected header ${JSON.stringify(header)}`);
  const [, descr, fortran, dims] = m;
  if (fortran !== 'False') throw new Error(`${path}: Fortran order`);
  const ArrayType = ARRAY_OF[descr];
  if (!ArrayType) throw new Error(`${path}: dtype ${descr} not handled`);
  const shape = dims.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const payload = file.subarray(start + headerLength);
  if (payload.length !== count * ArrayType.BYTES_PER_ELEMENT) throw new Error(`${path}: ${payload.length} data bytes for [${shape}]`);
  const copy = new Uint8Array(payload); // aligned copy
  return { descr, shape, data: new ArrayType(copy.buffer, 0, count) };
}
