// The backend that runs the engine in a Web Worker (worker.js), the default in a page: calls become
// messages, and a worker that traps or dies is replaced and given the live models again.

import { Backend, dispatchRestart, payloadBuffers, restartedError } from './backend.js';
import { codedError, ErrorCode, errorFromMessage } from './errors.js';
import { workerImagePayload } from './images.js';
import { configuredAssetBase, features, workerLoaderSettings } from '../wasm_loader.js';

// Browsers start workers only from the page's origin: a worker.js elsewhere (a CDN) is imported, with
// CORS, by a one-line module of this origin.
function workerScript(url) {
  if (url.origin === self.location.origin) return url;
  return URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
}

export class WorkerBackend extends Backend {
  constructor() {
    super('inference worker');
    this.pending = new Map(); // call number → {resolve, reject}
    this.nextCall = 1;
    this.worker = null;
    this.started = false; // the current worker has answered 'info'
    this.restoring = false;
    this.ready = this.spawn();
  }

  /** A new worker with the wasm module instantiated. */
  async spawn() {
    // The literal new Worker(new URL(...)) is the pattern Vite and webpack bundle as a worker; with an
    // asset directory configured, its worker.js (which finds dist/ beside itself) runs instead.
    const assetBase = configuredAssetBase();
    const worker = assetBase
      ? new Worker(workerScript(new URL('worker.js', assetBase)), { type: 'module', name: 'webcnn' })
      : new Worker(new URL('../worker.js', import.meta.url), { type: 'module', name: 'webcnn' });
    this.worker = worker;
    this.started = false;
    worker.onmessage = ({ data }) => {
      if (worker !== this.worker) return;
      if (data.fatal) {
        this.crashed(data.error);
        return;
      }
      const p = this.pending.get(data.call);
      if (!p) return;
      this.pending.delete(data.call);
      if (data.error !== undefined) p.reject(errorFromMessage(data));
      else p.resolve(data.result);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (worker === this.worker) this.crashed(event.message || 'the worker stopped with an uncaught error');
    };
    worker.onmessageerror = () => {
      if (worker === this.worker) this.crashed('a message from the worker could not be read');
    };
    // The first call carries the loader settings (configure({relaxedSimd})): the worker instantiates on it.
    const info = await this.post('info', [workerLoaderSettings()]);
    this.started = true;
    features.wasmBytes = info.wasmBytes;
    features.threads = info.threads; // what the worker chose, e.g. after the threaded build failed to load
    features.relaxedSimd = info.relaxedSimd;
  }

  async call(method, args, transfer = []) {
    for (;;) {
      const ready = this.ready;
      try {
        await ready;
      } catch (e) {
        // The last restart failed (the worker could not start): try once more for this call.
        if (ready === this.ready && !this.restoring) this.ready = this.restart(e.message);
        await this.ready;
      }
      if (ready !== this.ready) continue; // a restart began meanwhile: wait for it
      if (!this.worker) throw codedError('webcnn: the inference worker is not running', ErrorCode.INTERNAL);
      return this.post(method, args, transfer);
    }
  }

  post(method, args, transfer = []) {
    const call = this.nextCall++;
    let entry;
    const answer = new Promise((resolve, reject) => {
      entry = { resolve, reject };
      this.pending.set(call, entry);
      this.worker.postMessage({ call, method, args }, transfer);
    });
    entry.settled = answer.then(() => {}, () => {});
    return answer;
  }

  /** The worker trapped or died: end it, fail what it was doing, and bring up a fresh one. */
  crashed(reason) {
    const started = this.started;
    this.worker.terminate();
    this.worker = null;
    this.started = false;
    // A worker that never started (e.g. its script or the wasm is missing) is not restarted in a loop:
    // the call that started it fails with the reason.
    const error = started ? restartedError(reason, this.where)
      : codedError(`webcnn: the inference worker could not start: ${reason}`, ErrorCode.INTERNAL);
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (!started || this.restoring) return; // restart() learns of it through the call that failed
    this.ready = this.restart(reason);
    this.ready.catch(() => {});
  }

  async restart(reason, { announce = true } = {}) {
    this.restoring = true;
    try {
      for (;;) {
        await this.spawn();
        const { crashed, restored, failed } = await this.reloadLive(
          (payload, id) => this.post('load', [payload, id], payloadBuffers(payload)), (e) => e.code === 'WORKER_RESTARTED');
        if (crashed) continue;
        if (announce) dispatchRestart({ reason, restored, failed });
        return;
      }
    } finally {
      this.restoring = false;
    }
  }

  /**
   * A planned replacement (releaseMemory): calls made from now on wait for the new worker; the calls
   * already posted are answered by the old one before it is ended.
   */
  async replace() {
    await this.ready;
    const old = this.worker;
    const drained = (async () => {
      while (this.pending.size) await Promise.allSettled([...this.pending.values()].map((p) => p.settled));
    })();
    this.ready = drained.then(() => {
      if (this.worker !== old) return undefined; // it crashed meanwhile and crashed() restarted it
      old.terminate();
      this.worker = null;
      return this.restart('releaseMemory', { announce: false });
    });
    await this.ready;
  }

  // Pixels already in memory are copied once by postMessage; anything drawable becomes an ImageBitmap
  // that is transferred (no copy) and read by the worker.
  imagePayload(image) {
    return workerImagePayload(image);
  }
}
