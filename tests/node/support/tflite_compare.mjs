// The oracle tolerances for TFLite models (issue 14), one rule per output dtype; see tflite_oracle.test.mjs.
import assert from 'node:assert/strict';

// Largest element without spreading (DeepLabV3's 263,169 pixels would overflow the call stack).
export const maxOf = (values) => values.reduce((m, v) => (v > m ? v : m), -Infinity);
const fraction = (n, of) => `${n}/${of} (${((100 * n) / of).toFixed(2)} %)`;
const maxBad = (n) => Math.floor(0.01 * n); // "≥ 99 % of elements"

/** Asserts webcnn's output `got` against LiteRT.js's `want` by the rule for its dtype; returns a summary. */
export function assertAgrees(label, got, want, fileSpec) {
  assert.deepEqual(Array.from(got.shape), Array.from(want.shape), `${label}: shape`);
  const a = Array.from(got.data, Number);
  const b = Array.from(want.data, Number);
  const n = b.length;
  if (want.dtype === 'uint8' || want.dtype === 'int8') {
    const bad = b.filter((v, i) => Math.abs(a[i] - v) > 1).length;
    const worst = maxOf(b.map((v, i) => Math.abs(a[i] - v)));
    assert.ok(bad <= maxBad(n), `${label}: ${fraction(bad, n)} elements differ by more than 1 unit (worst ${worst})`);
    return `${fraction(bad, n)} beyond 1 unit, worst ${worst} units`;
  }
  if (want.dtype === 'int64' || want.dtype === 'int32') {
    const bad = b.filter((v, i) => a[i] !== v).length;
    assert.ok(bad <= maxBad(n), `${label}: ${fraction(bad, n)} values differ`);
    return `${fraction(bad, n)} differ`;
  }
  const diffs = b.map((v, i) => Math.abs(a[i] - v));
  const source = fileSpec?.dequantizedFrom;
  if (source?.scale.length === 1) {
    const unit = source.scale[0];
    const bad = diffs.filter((d) => d > unit * 1.0001).length;
    assert.ok(bad <= maxBad(n), `${label}: ${fraction(bad, n)} elements differ by more than 1 unit (${unit}) of ${source.name}; ` +
      `worst ${(maxOf(diffs) / unit).toFixed(2)} units`);
    return `${fraction(bad, n)} beyond 1 unit of ${source.dtype} ${source.name}, worst ${(maxOf(diffs) / unit).toFixed(2)} units`;
  }
  const maxAbs = maxOf(diffs);
  const tol = 1e-3 * Math.max(1, maxOf(b.map(Math.abs)));
  assert.ok(maxAbs <= tol, `${label}: max|a-b| = ${maxAbs} > ${tol}`);
  return `max|a-b| ${maxAbs.toExponential(2)} (tolerance ${tol.toExponential(1)})`;
}
