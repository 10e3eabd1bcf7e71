// The native doctest suite (tests/native/*.cc: microkernels, ops against their references, the ONNX
// conformance set from /usr/share/libonnx-testdata, ...) compiled to wasm with the SIMD128 backend and
// run by Node (scripts/build-wasm.sh builds it as build-wasm/webcnn_tests_wasm.js).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const suite = fileURLToPath(new URL('../../build-wasm/webcnn_tests_wasm.js', import.meta.url));

test('the native doctest suite passes in wasm (SIMD128 backend)', { timeout: 60 * 60 * 1000 }, () => {
  assert.ok(existsSync(suite), `${suite} is missing: run scripts/build-wasm.sh`);
  const r = spawnSync(process.execPath, [suite, '--no-colors'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${r.stdout}${r.stderr}`;
  const summary = output.split('\n').filter((l) => /test cases:|assertions:|Status:/.test(l)).join('\n');
  console.log(summary);
  assert.equal(r.status, 0, `webcnn_tests_wasm exited with ${r.status}:\n${output.slice(-6000)}`);
  assert.match(output, /Status: SUCCESS!/);
});
