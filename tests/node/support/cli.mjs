// Driving the native `webcnn` CLI and the model generator from node tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { photosDir } from './photos.mjs';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI binary: $WEBCNN_CLI, default build/webcnn. */
export const cliPath = process.env.WEBCNN_CLI || join(repoRoot, 'build', 'webcnn');
export const testImages = photosDir;
const python = '/usr/bin/python3';
const generators = {
  mobilenetv2: join(repoRoot, 'models', 'make_mobilenetv2_onnx.py'),
  resnet: join(repoRoot, 'models', 'make_resnet_onnx.py'),
  qdq: join(repoRoot, 'models', 'make_qdq_onnx.py'),
};

export function scratchDir(prefix = 'webcnn-cli-tests-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs the CLI; returns {status, stdout, stderr}. */
export function runCli(args) {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build the webcnn target or set WEBCNN_CLI`);
  const r = spawnSync(cliPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes a generated ONNX model ('mobilenetv2', 'resnet' or 'qdq', models/make_*_onnx.py) to `path`. */
export function makeModel(kind, path, args = []) {
  const r = spawnSync(python, [generators[kind], path, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${generators[kind]} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return path;
}

/** The CLI's output file name for a graph output name. */
export function sanitize(name) {
  return (name.replace(/[^A-Za-z0-9._-]/g, '_') || '_') + '.npy';
}

/** max|a−b| and max|b| over two equally long arrays (NaN counts as infinitely wrong). */
export function compare(actual, expected) {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; ++i) {
    const d = Math.abs(actual[i] - expected[i]);
    maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return { maxAbs, maxRef };
}
