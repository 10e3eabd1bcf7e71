// Which backend answers: one engine in this thread, one in a Web Worker, each started on first use.

import { features, SIMD_REQUIRED } from '../wasm_loader.js';
import { Engine } from './engine.js';
import { codedError, ErrorCode, withCode } from './errors.js';
import { isNode, isWindow } from './environment.js';
import { InProcessBackend } from './in_process_backend.js';
import { WorkerBackend } from './worker_backend.js';

let inProcess = null; // Promise<InProcessBackend>
let inWorker = null; // Promise<WorkerBackend>

// web/worker.js is a Web Worker (self.onmessage): in Node it would start as a worker thread that dies at
// once, so the option is refused there before anything starts.
const NO_WORKERS_IN_NODE = 'webcnn: {worker: true} is a browser feature (inference in a Web Worker); in Node webcnn runs ' +
  'in the calling thread: omit the option or pass {worker: false} (to keep the main thread free, call webcnn from ' +
  'a node:worker_threads Worker of your own)';

export function backend(useWorker) {
  if (useWorker && isNode) return Promise.reject(codedError(NO_WORKERS_IN_NODE, ErrorCode.INVALID_ARGUMENT));
  if (!features.simd) return Promise.reject(codedError(SIMD_REQUIRED, ErrorCode.INTERNAL));
  if (useWorker) {
    inWorker ??= (async () => {
      const b = new WorkerBackend();
      await b.ready;
      return b;
    })();
    inWorker.catch(() => { inWorker = null; });
    return inWorker;
  }
  inProcess ??= Engine.create().then((engine) => {
    features.wasmBytes = engine.wasmBytes;
    return new InProcessBackend(engine);
  }, (e) => {
    throw withCode(e, ErrorCode.INTERNAL); // the wasm files could not be read or instantiated
  });
  inProcess.catch(() => { inProcess = null; });
  return inProcess;
}

export const defaultUseWorker = () => isWindow && typeof Worker !== 'undefined';
