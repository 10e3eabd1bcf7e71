// Model files for the wasm tests: small CNNs written in JS, MobileNetV2 from models/make_mobilenetv2_onnx.py.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { smallCnn } from './wasm_onnx.mjs';

/** A directory of this process's own, removed when it exits. */
export const scratch = mkdtempSync(join(tmpdir(), 'webcnn-wasm-tests-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

/** Writes smallCnn(options) to a scratch file and returns its path. */
export function smallCnnFile(options = {}) {
  const path = join(scratch, `small_cnn_${JSON.stringify(options).replace(/\W+/g, '_')}.onnx`);
  if (!existsSync(path)) writeFileSync(path, smallCnn(options));
  return path;
}

const generator = fileURLToPath(new URL('../../../models/make_mobilenetv2_onnx.py', import.meta.url));

/**
 * MobileNetV2 (random deterministic weights) as an .onnx path, or {skip: reason} when the generator or
 * Debian's python3-onnx is missing.
 */
export function mobileNetV2File(options = {}) {
  const result = generateMobileNetV2(options);
  // CI installs python3-onnx: there a missing model is a failure, not a skip.
  if (result.skip && process.env.CI) throw new Error(result.skip);
  return result;
}

function generateMobileNetV2({ width = 1.0, size = 224 } = {}) {
  if (!existsSync(generator)) return { skip: 'models/make_mobilenetv2_onnx.py is missing' };
  // Generated once and kept between test runs (the name changes when the generator does).
  const cache = join(tmpdir(), 'webcnn-wasm-tests-cache');
  mkdirSync(cache, { recursive: true });
  const { mtimeMs, size: generatorSize } = statSync(generator);
  const path = join(cache, `mobilenetv2_w${width}_s${size}_${Math.round(mtimeMs)}_${generatorSize}.onnx`);
  if (!existsSync(path)) {
    // The PyTorch-style head (Shape→Gather→Unsqueeze→Concat→Reshape) is kept: constant folding must
    // resolve it in wasm as it does natively.
    const partial = `${path}.${process.pid}.tmp`;
    const r = spawnSync('/usr/bin/python3', [generator, partial, '--width', String(width), '--size', String(size)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) return { skip: `make_mobilenetv2_onnx.py failed: ${(r.stderr || r.error?.message || '').trim()}` };
    renameSync(partial, path);
  }
  return { path };
}
