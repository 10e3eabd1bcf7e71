// The demo page's browser tests' common ground: paths, when to skip, the demo server, headless Chromium and a fake webcam.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { chromiumPath, root } from './browser.mjs';
import { photoPath, photosDir } from './photos.mjs';

export { launchChromium, root } from './browser.mjs';
export const images = photosDir;
/** Screenshots, the fake webcam's clip and generated models go here. */
export const out = join(root, 'test-output', 'demo');

const modelsReady = existsSync(join(root, 'models', 'human', 'centernet.bin')) && existsSync(join(root, 'models', 'human', 'faceres.bin'));
const wasmReady = existsSync(join(root, 'web', 'dist', 'webcnn_wasm.wasm'));
/** Why the demo cannot be tested on this machine (a node:test `skip` value), or false. */
export const skip = (!existsSync(chromiumPath) && `no Chromium at ${chromiumPath}`) ||
  (!modelsReady && 'models missing: run node models/fetch-models.mjs') ||
  (!wasmReady && 'web/dist has no wasm build: run scripts/build-wasm.sh');

/** Flags for a camera that is always allowed and shows the clip y4m. */
export const fakeWebcamFlags = (y4m) => ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${y4m}`];

/** Runs cmd to completion; throws with its stderr if it fails. */
export function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
}

/**
 * The fake webcam: grace_hopper.bmp as a short looping YUV4MPEG2 clip, out/<fileName> (each test file its
 * own, so that one test's ffmpeg never rewrites a clip another's Chromium is reading). Needs `out` to exist.
 */
export function fakeWebcam(fileName) {
  const file = join(out, fileName);
  run('ffmpeg', ['-loglevel', 'error', '-y', '-loop', '1', '-i', photoPath('grace_hopper.bmp'), '-t', '1', '-r', '10',
    '-pix_fmt', 'yuv420p', file]);
  return file;
}

/** web/server.mjs on a free port of 127.0.0.1: {server, origin}; close with server.close(). */
export async function startDemoServer() {
  const { createDemoServer } = await import('../../../web/server.mjs');
  const server = createDemoServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://localhost:${server.address().port}` };
}
