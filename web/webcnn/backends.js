// Which backend answers: one engine in this thread, one in a Web Worker, each started on first use.

import { features, SIMD_REQUIRED } from '../wasm_loader.js';
import { Engine } from './engine.js';
import { codedError, ErrorCode, withCode } from './errors.js';
import { isWindow } from './environment.js';
import { InProcessBackend } from './in_process_backend.js';
import { WorkerBackend } from './worker_backend.js';

let inProcess = null; // Promise<InProcessBackend>
let inWorker = null; // Promise<WorkerBackend>

export function backend(useWorker) {
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
