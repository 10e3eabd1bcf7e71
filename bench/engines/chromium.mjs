// The one headless Chromium page the browser-side bench engines share (litert.mjs, webcnn_chromium.mjs):
// started on first use by tests/node/support/litert.mjs (127.0.0.1-only server of the repository, the
// browser tests' flags, LiteRT.js loaded), closed by stop(). Sharing a page means every engine runs on
// the same main thread of the same V8, one at a time, as interleave.mjs takes turns.
import { startLiteRt } from '../../tests/node/support/litert.mjs';

let session = null;

/** The shared page (the object startLiteRt resolves to), started on first call. */
export function chromiumPage() {
  session ??= startLiteRt({ build: process.env.WEBCNN_LITERT_BUILD || 'relaxed-simd' });
  return session;
}

export async function stopChromium() {
  if (!session) return;
  const s = session;
  session = null;
  await (await s).close();
}
