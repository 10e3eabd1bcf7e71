// The native doctest suite (tests/native/*.cc: microkernels, ops against their references, the ONNX
// conformance set from /usr/share/libonnx-testdata, ...) compiled to wasm with the SIMD128 backend and
// run by Node (scripts/build-wasm.sh builds it as build-wasm/webcnn_tests_wasm.js).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const suite = fileURLToPath(new URL('../../build-wasm/webcnn_tests_wasm.js', import.meta.url));
// The same tests linked with the wasm_relaxed kernel table (f32x4.relaxed_madd in the GEMM and depthwise conv;
// kernel_table_test.cc's FMA tolerance), run by Node with relaxed SIMD enabled. Only the kernel and op tests,
// as webcnn_tests_avx2 does natively (the rest of the suite does not depend on the table).
const relaxedSuite = fileURLToPath(new URL('../../build-wasm/webcnn_tests_wasm_relaxed.js', import.meta.url));
const RELAXED_TEST_FILES = ['kernel_table', 'gemm', 'conv', 'dwconv', 'conv_threads', 'matmul', 'residual_fusion', 'activation',
  'elementwise', 'pool', 'reduce', 'resize', 'softmax', 'normalization', 'exp', 'q8_kernels', 'qlinear_ops', 'qlinear_pool',
  'qlinear_misc', 'tflite_import'].map((f) => `*/${f}_test.cc`).join(',');

test('the native doctest suite passes in wasm (SIMD128 backend)', { timeout: 60 * 60 * 1000 }, () => {
  assert.ok(existsSync(suite), `${suite} is missing: run scripts/build-wasm.sh`);
  const r = spawnSync(process.execPath, [suite, '--no-colors'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${r.stdout}${r.stderr}`;
  const summary = output.split('\n').filter((l) => /test cases:|assertions:|Status:/.test(l)).join('\n');
  console.log(summary);
  assert.equal(r.status, 0, `webcnn_tests_wasm exited with ${r.status}:\n${output.slice(-6000)}`);
  assert.match(output, /Status: SUCCESS!/);
});

test('the kernel and op tests pass in wasm on the relaxed-SIMD table', { timeout: 30 * 60 * 1000 }, () => {
  assert.ok(existsSync(relaxedSuite), `${relaxedSuite} is missing: run scripts/build-wasm.sh`);
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', relaxedSuite, '--no-colors', `--source-file=${RELAXED_TEST_FILES}`],
    { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, WEBCNN_ISA: 'wasm_relaxed' } });
  const output = `${r.stdout}${r.stderr}`;
  console.log(output.split('\n').filter((l) => /test cases:|assertions:|Status:/.test(l)).join('\n'));
  assert.equal(r.status, 0, `webcnn_tests_wasm_relaxed exited with ${r.status}:\n${output.slice(-6000)}`);
  assert.match(output, /Status: SUCCESS!/);
});
