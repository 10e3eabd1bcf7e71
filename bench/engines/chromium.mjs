// The headless Chromium pages the browser-side bench engines use (litert.mjs, webcnn_chromium.mjs): one per
// LiteRT.js build (a page holds one LiteRT.js module), started on first use by tests/node/support/litert.mjs
// (127.0.0.1-only server of the repository, the browser tests' flags, LiteRT.js loaded), closed by stop().
// webcnn shares the relaxed-SIMD page with LiteRT.js: same main thread, same V8, one engine at a time, as
// interleave.mjs takes turns.
import { startLiteRt } from '../../tests/node/support/litert.mjs';

const sessions = new Map(); // build → Promise of the startLiteRt() object

/** The page with LiteRT.js's `build` ('relaxed-simd' or 'simd') loaded, started on first call. */
export function chromiumPage(build = 'relaxed-simd') {
  if (!sessions.has(build)) sessions.set(build, startLiteRt({ build }));
  return sessions.get(build);
}

export async function stopChromium() {
  const all = [...sessions.values()];
  sessions.clear();
  for (const s of all) await (await s).close();
}
