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
