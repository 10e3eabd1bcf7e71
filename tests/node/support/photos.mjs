// The test photos: tests/data/photos in the repository (credits and licences in ATTRIBUTION.md there), so a
// clone alone passes. Every Node test finds them here; nothing reads photos from outside the repository
// (scripts/check-self-contained.sh checks it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decodeBmp } from './bmp.mjs';

export const photosDir = fileURLToPath(new URL('../../data/photos/', import.meta.url));

/** The path of a test photo; throws if the repository has no such photo (never falls back elsewhere). */
export function photoPath(name) {
  const path = join(photosDir, name);
  if (!existsSync(path)) throw new Error(`no test photo ${name} in ${photosDir} (add it with its credit line to ATTRIBUTION.md)`);
  return path;
}

/**
 * A photo as {width, height, rgb: Uint8Array (row-major, top row first)}: BMPs decoded in plain JS, other
 * formats by ffmpeg (rgb24), so that every engine compared on it gets identical bytes.
 */
export function decodePhoto(name) {
  const path = photoPath(name);
  if (extname(name).toLowerCase() === '.bmp') return decodeBmp(path);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height',
    '-of', 'csv=p=0', path], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`ffprobe could not read ${path}: ${probe.stderr || probe.error}`);
  const [width, height] = probe.stdout.trim().split(',').map(Number);
  const r = spawnSync('ffmpeg', ['-loglevel', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg could not decode ${path}: ${r.stderr || r.error}`);
  const rgb = new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
  if (rgb.byteLength !== width * height * 3) throw new Error(`ffmpeg gave ${rgb.byteLength} bytes for ${width}x${height} ${name}`);
  return { width, height, rgb };
}

/** Whether the repository has the photo (tests that need one skip or fail by their own rule). */
export const hasPhoto = (name) => existsSync(join(photosDir, name));

/** The image padded with black to a square (centred), as MoveNet's examples feed it. */
export function padToSquare(image) {
  const side = Math.max(image.width, image.height);
  const rgb = new Uint8Array(side * side * 3);
  const ox = (side - image.width) >> 1;
  const oy = (side - image.height) >> 1;
  for (let y = 0; y < image.height; ++y)
    rgb.set(image.rgb.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((y + oy) * side + ox) * 3);
  return { width: side, height: side, rgb };
}

/** Bilinear resize (half-pixel centres, like tfjs_oracle.test.mjs) to w x h, rounded to uint8 RGB. */
export function resizeRgb(image, w, h) {
  const out = new Uint8Array(w * h * 3);
  const px = (x, y, c) => image.rgb[(y * image.width + x) * 3 + c];
  for (let y = 0; y < h; ++y) {
    const sy = Math.min(Math.max(((y + 0.5) * image.height) / h - 0.5, 0), image.height - 1);
    const y0 = Math.floor(sy), y1 = Math.min(y0 + 1, image.height - 1), fy = sy - y0;
    for (let x = 0; x < w; ++x) {
      const sx = Math.min(Math.max(((x + 0.5) * image.width) / w - 0.5, 0), image.width - 1);
      const x0 = Math.floor(sx), x1 = Math.min(x0 + 1, image.width - 1), fx = sx - x0;
      for (let c = 0; c < 3; ++c) {
        const v = (px(x0, y0, c) * (1 - fx) + px(x1, y0, c) * fx) * (1 - fy) + (px(x0, y1, c) * (1 - fx) + px(x1, y1, c) * fx) * fy;
        out[(y * w + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return out;
}
