// Comparing outputs of two engines: the error measures the tests state their tolerances in.

/** {maxAbs, maxRef, rel: maxAbs / maxRef} over two equally long float arrays. */
export function relativeError(actual, expected) {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let maxAbs = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; ++i) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return { maxAbs, maxRef, rel: maxRef > 0 ? maxAbs / maxRef : maxAbs };
}
