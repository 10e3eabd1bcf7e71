// What both backends (in this thread: in_process_backend.js; in a Web Worker: worker_backend.js) share:
// ids for models, the live models' bytes for reloading them into a fresh engine, and how a restart is
// announced (WORKER_RESTARTED errors for the calls in flight, a 'workerrestart' event).

import { isNode } from './environment.js';
import { codedError, ErrorCode, withCode } from './errors.js';

/** 'workerrestart' events (CustomEvent, detail {reason, restored, failed}) after a restart. */
export const events = new EventTarget();

/** A trap of the wasm instance: the module's state can no longer be trusted. */
export function isTrap(error) {
  return typeof WebAssembly === 'object' && error instanceof WebAssembly.RuntimeError;
}

export function restartedError(reason, where) {
  return codedError(`webcnn: the ${where} failed (${reason}) and was restarted; this call did not complete, ` +
    'the loaded models are available again', ErrorCode.WORKER_RESTARTED);
}

export function dispatchRestart(detail) {
  const event = typeof CustomEvent === 'function' ? new CustomEvent('workerrestart', { detail }) : Object.assign(new Event('workerrestart'), { detail });
  events.dispatchEvent(event);
}

// A heap this far above the bytes in use is worth a fresh engine: a wasm instance starts at 16 MiB and a
// reload peaks at about the model files' size again, so below this little would come back.
const RELEASE_SLACK_BYTES = 64 * 2 ** 20;
const worthReleasing = (usedBytes) => 2 * usedBytes + RELEASE_SLACK_BYTES;

/**
 * Copies of a payload's bytes that survive the engine (and a transfer of the originals). owned: the bytes
 * were read by webcnn and nobody else holds them; in Node these are kept as they are (a Blob there is only
 * another copy in memory, and copying 14 MB costs a load 15-30 ms), elsewhere and for a caller's bytes a
 * Blob is made.
 */
function retain(payload, owned) {
  const keep = owned && isNode ? (bytes) => bytes : (bytes) => new Blob([bytes]);
  if (payload.format === 'tfjs') {
    const shards = {};
    for (const [path, bytes] of Object.entries(payload.shards)) shards[path] = keep(bytes);
    return { format: 'tfjs', json: payload.json, shards };
  }
  return { format: payload.format, bytes: keep(payload.bytes) };
}

async function restore(retained) {
  const bytes = async (kept) => (ArrayBuffer.isView(kept) ? kept : new Uint8Array(await kept.arrayBuffer()));
  if (retained.format === 'tfjs') {
    const shards = {};
    for (const [path, blob] of Object.entries(retained.shards)) shards[path] = await bytes(blob);
    return { format: 'tfjs', json: retained.json, shards };
  }
  return { format: retained.format, bytes: await bytes(retained.bytes) };
}

export function payloadBuffers(payload) {
  const views = payload.format === 'tfjs' ? Object.values(payload.shards) : [payload.bytes];
  return [...new Set(views.map((v) => v.buffer))];
}

/**
 * What both backends share: ids for models, and the models that are live, each with a copy of its
 * bytes, so that a replacement engine can load them again.
 *
 * Why keep bytes rather than re-read the source: sources may be Files, ArrayBuffers or objects that
 * have no URL; a URL may answer differently (or not at all, offline) by the time a restart happens; and
 * the bytes the engine already accepted are the ones known to load. The copies are Blobs, which
 * browsers keep outside the JS heap (and may page out); they cost the model's file size each, freed on
 * dispose().
 */
export class Backend {
  constructor(where) {
    this.where = where;
    this.live = new Map(); // id → {retained, broken: Error | null}
    this.nextId = 1;
    this.ready = null; // Promise: settles when a (re)started engine has its models again
  }

  /** owned: the payload's buffers were read by webcnn (see retain); transfer: hand them to the engine's thread. */
  async load(payload, { owned = false, transfer = false } = {}) {
    const id = this.nextId++;
    // Bytes we read ourselves go to a worker without a copy; the worker hands them back (transferred
    // again) with its answer. The copy for restarts is made only once the engine has accepted the model:
    // a load that fails keeps nothing (Blobs hold memory the garbage collector does not see).
    const { payload: returned, ...description } = await this.call('load', [payload, id], transfer ? payloadBuffers(payload) : []);
    this.live.set(id, { retained: retain(returned ?? payload, owned), broken: null });
    return description;
  }

  async modelCall(id, method, args, transfer = []) {
    const entry = this.live.get(id);
    if (entry?.broken) throw entry.broken;
    return this.call(method, [id, ...args], transfer);
  }

  /**
   * Wasm memory never shrinks: a run on a huge input leaves the heap at its peak. When the heap is well
   * above what is in use, start a fresh engine and load the live models into it again (as a restart does,
   * but planned: nothing in flight fails, no 'workerrestart' event). Subclasses provide replace().
   */
  async releaseMemory() {
    const before = await this.call('memory', []);
    if (before.heapBytes <= worthReleasing(before.usedBytes)) return { released: false, ...before };
    const failedBefore = [...this.live.values()].filter((e) => e.broken).length;
    await this.replace();
    const after = await this.call('memory', []);
    const failed = [...this.live.values()].filter((e) => e.broken).length - failedBefore;
    return { released: true, heapBytesBefore: before.heapBytes, failed, ...after };
  }

  lostReason(id) {
    return this.live.get(id)?.broken ?? null;
  }

  async dispose(id) {
    if (!this.live.delete(id)) return;
    await this.call('dispose', [id]);
  }

  /**
   * Loads the live models into a fresh engine. A model that fails to load again is marked broken (its
   * calls reject with the reason); if its loading broke the engine too (isCrash(error)), the result says
   * crashed and the caller starts yet another engine and calls this again, without that model.
   */
  async reloadLive(load, isCrash) {
    let restored = 0;
    for (const [id, entry] of this.live) {
      if (entry.broken) continue;
      try {
        await load(await restore(entry.retained), id);
        ++restored;
      } catch (e) {
        // The reason keeps its kind (e.g. RESOURCE_EXHAUSTED when the fresh engine had less room).
        entry.broken = codedError(`this model could not be loaded again after the ${this.where} restarted: ${e.message}`,
          withCode(e).code);
        if (isCrash(e)) return { crashed: true };
      }
    }
    const failed = [...this.live.values()].filter((e) => e.broken).length;
    return { crashed: false, restored, failed };
  }
}
