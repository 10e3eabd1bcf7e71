// The backend that runs the engine in the calling thread (Node, or {worker: false} in a page). A trap of
// the wasm instance replaces the engine and reloads the live models (Backend.reloadLive).

import { Backend, dispatchRestart, isTrap, restartedError } from './backend.js';
import { Engine } from './engine.js';
import { withCode } from './errors.js';
import { inProcessImagePayload } from './images.js';

export class InProcessBackend extends Backend {
  constructor(engine) {
    super('wasm engine');
    this.engine = engine;
    this.ready = Promise.resolve();
  }

  async call(method, args) {
    await this.ready;
    try {
      return this.engine[method](...args);
    } catch (e) {
      if (!isTrap(e)) throw withCode(e); // the engine's errors have their code; anything else is ours
      // The instance trapped mid-call: its heap and stack may be inconsistent. Replace it.
      const reason = `${e.name}: ${e.message}`;
      this.ready = this.replaceEngine(reason);
      throw restartedError(reason, this.where);
    }
  }

  async replaceEngine(reason, { announce = true } = {}) {
    for (;;) {
      this.engine.terminate();
      this.engine = await Engine.create();
      const { crashed, restored, failed } = await this.reloadLive((payload, id) => this.engine.load(payload, id), isTrap);
      if (crashed) continue;
      if (announce) dispatchRestart({ reason, restored, failed });
      return;
    }
  }

  /** A planned replacement (releaseMemory): calls here are synchronous, so none is in flight. */
  async replace() {
    await this.ready;
    this.ready = this.replaceEngine('releaseMemory', { announce: false });
    await this.ready;
  }

  // Images go to Engine.pixels as they are.
  imagePayload(image) {
    return inProcessImagePayload(image);
  }
}
