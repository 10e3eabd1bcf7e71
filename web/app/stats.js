// Inference time and frame rate over the last N frames, as medians so one slow frame (a garbage
// collection, a model download) does not swing the numbers.
const median = (values) => {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export class FrameStats {
  constructor(window = 30) {
    this.window = window;
    this.reset();
  }
  reset() {
    this.inferenceMs = [];
    this.intervals = [];
    this.lastDone = null;
  }
  /** One frame's result arrived after `ms` of inference, at time `now` (performance.now()). */
  record(ms, now, { live }) {
    this.inferenceMs.push(ms);
    if (this.inferenceMs.length > this.window) this.inferenceMs.shift();
    if (live && this.lastDone !== null) {
      this.intervals.push(now - this.lastDone);
      if (this.intervals.length > this.window) this.intervals.shift();
    }
    this.lastDone = live ? now : null;
  }
  get medianMs() { return median(this.inferenceMs); }
  /** Frames per second from the median gap between results; NaN for still pictures. */
  get fps() {
    const gap = median(this.intervals);
    return gap > 0 ? 1000 / gap : NaN;
  }
}
