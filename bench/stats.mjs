// Order statistics of timing samples. Medians, not means: one preemption by another process on a shared
// machine adds tens of milliseconds to a single run and would drag a mean.

export function quantile(samples, q) {
  if (samples.length === 0) return NaN;
  const s = Float64Array.from(samples).sort();
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export const median = (samples) => quantile(samples, 0.5);

/** Geometric mean of positive numbers (how loaded a round was, over engines of different speeds). */
export function geomean(values) {
  return Math.exp(values.reduce((a, v) => a + Math.log(v), 0) / values.length);
}

/** max|a−b| and max|b| over two equally long arrays (NaN counts as infinitely wrong). */
export function compare(actual, expected) {
  if (actual.length !== expected.length) return { maxAbs: Infinity, maxRef: 0, note: `length ${actual.length} vs ${expected.length}` };
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; ++i) {
    const d = Math.abs(actual[i] - expected[i]);
    maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return { maxAbs, maxRef };
}
