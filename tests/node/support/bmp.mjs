// Decoding the uncompressed BMP test photos (tests/data/photos) in plain JS, so every engine gets identical bytes.
import { readFileSync } from 'node:fs';

/** Uncompressed 24/32-bit BMP → {width, height, rgb: Uint8Array (row-major, top row first)}. */
export function decodeBmp(path) {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 2) !== 'BM') throw new Error(`${path}: not a BMP`);
  const offset = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  if ((bpp !== 24 && bpp !== 32) || compression !== 0) throw new Error(`${path}: only uncompressed 24/32-bit BMPs`);
  const height = Math.abs(rawHeight);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; ++y) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; ++x) {
      const p = row + x * (bpp / 8);
      rgb.set([b[p + 2], b[p + 1], b[p]], (y * width + x) * 3);
    }
  }
  return { width, height, rgb };
}
