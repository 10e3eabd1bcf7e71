// Live inference on camera frames without ever queueing: each new video frame starts inference only if
// the previous one has finished; otherwise it is dropped. So results lag the camera by at most one
// inference, however slow the model, and the main thread only grabs frames (a VideoFrame, no pixel
// copy) and draws results.
import { grabFrame } from './sources.js';
export class FrameLoop {
  /**
   * @param video the <video> element
   * @param onFrame async (frame: VideoFrame | ImageBitmap) => void; owns the frame (closes or transfers it)
   */
  constructor(video, onFrame) {
    this.video = video;
    this.onFrame = onFrame;
    this.running = false;
    this.busy = false;
    this.dropped = 0;
    this.processed = 0;
    this.tick = this.tick.bind(this);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.#schedule();
  }

  stop() {
    this.running = false;
  }

  #schedule() {
    if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(this.tick);
    else requestAnimationFrame(this.tick);
  }

  tick() {
    if (!this.running) return;
    this.#schedule();
    if (this.busy) {
      this.dropped++;
      return;
    }
    if (this.video.readyState < 2 || !this.video.videoWidth) return;
    this.busy = true;
    grabFrame(this.video)
      .then((frame) => this.onFrame(frame))
      .catch(() => {}) // onFrame reports its own errors; a frame that could not be grabbed is skipped
      .finally(() => {
        this.busy = false;
        this.processed++;
      });
  }
}
