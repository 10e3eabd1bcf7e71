// One round of timing for the in-process engines on one model. After each engine's warm-up, the engines
// take turns in short blocks (A B C, B C A, ...): one untimed run that brings the engine's weights back into
// cache, then `block` timed runs. A burst of load from another process then lands on all engines alike
// instead of on whichever engine happened to be timing its long block, while every timed run still sees
// the warm caches of back-to-back inference (a webcam loop), not the ones the other engines left behind.
// An engine in a browser page times its own runs on the page's clock (handle.timeOnce(): ms), so the
// round trip to this process is not part of its samples.

export async function interleavedSamples(handles, { warmup, runs, block = 5, rotate = 0 }) {
  for (const h of handles) for (let i = 0; i < warmup; ++i) await h.runOnce();
  const samples = handles.map(() => []);
  const n = handles.length;
  for (let turn = 0; samples.some((s) => s.length < runs); ++turn) {
    for (let k = 0; k < n; ++k) {
      const j = (k + turn + rotate) % n;
      const todo = Math.min(block, runs - samples[j].length);
      if (todo <= 0) continue;
      await handles[j].runOnce();
      for (let i = 0; i < todo; ++i) {
        if (handles[j].timeOnce) {
          samples[j].push(await handles[j].timeOnce());
          continue;
        }
        const t0 = performance.now();
        await handles[j].runOnce();
        samples[j].push(performance.now() - t0);
      }
    }
  }
  return samples;
}
