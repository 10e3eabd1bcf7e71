// The test photos as RGB pixels, decoded outside every engine under test so that all of them get identical
// input bytes: BMP in plain JS (bmp.mjs), JPEG through ffmpeg (rgb24), then resized here.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { decodeBmp } from './bmp.mjs';
import { repoRoot, testImages } from './cli.mjs';

/** The photos in the repository, or ../shared/testdata/images (same names) before they were copied in. */
export const photosDir = existsSync(join(repoRoot, 'tests', 'data', 'photos')) ? join(repoRoot, 'tests', 'data', 'photos') : testImages;

export const photoPath = (name) => join(photosDir, name);
export const hasPhoto = (name) => existsSync(photoPath(name));

/** {width, height, rgb: Uint8Array} of a photo in photosDir (BMP or anything ffmpeg reads). */
export function decodePhoto(name) {
  const path = photoPath(name);
  if (/\.bmp$/i.test(name)) return decodeBmp(path);
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path],
    { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`ffprobe ${path}: ${probe.stderr || probe.error}`);
  const [width, height] = probe.stdout.trim().split(',').map(Number);
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 64 << 20 });
  if (r.status !== 0 || r.stdout.length !== width * height * 3) throw new Error(`ffmpeg ${path}: ${r.stderr || r.error}`);
  return { width, height, rgb: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length) };
}

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
