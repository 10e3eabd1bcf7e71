// The inference worker web/webcnn.js starts in a page (a module worker): it owns the wasm module and
// answers {call, method, args} messages with {call, result} or {call, error, code, errorType} (the
// Error as plain data: structured cloning would drop its .code). An error never ends the worker; the
// next call (e.g. loading another model) works as usual.
//
// A trap of the wasm instance (WebAssembly.RuntimeError: 'unreachable', an out-of-bounds access, an
// abort such as running out of memory) is different: the module's stack and heap may be left
// inconsistent, so this worker answers that call, and any after it, with {call, error, fatal: true};
// webcnn.js then terminates it and starts a fresh one.
import { payloadBuffers } from './webcnn/backend.js';
import { Engine } from './webcnn/engine.js';
import { codedError, ErrorCode, errorToMessage } from './webcnn/errors.js';
import { applyWorkerLoaderSettings } from './wasm_loader.js';

const METHODS = new Set([
  'info', 'load', 'run', 'runImage', 'classify', 'layers', 'filters', 'profile', 'preprocess', 'dispose', 'memory', '__testOnlyTrap',
]);
// Made on the first message: webcnn.js's first call ('info') carries the loader settings (which build).
let engine = null;
let trapped = null; // the trap's message once the instance has trapped

// Results hold fresh typed arrays copied out of the wasm heap: their buffers go back without a copy.
function transferables(method, result) {
  if (method === 'load') return payloadBuffers(result.payload);
  if (method === 'run' || method === 'runImage')
    return [...Object.values(result.outputs), ...Object.values(result.captured ?? {})].map((t) => t.data.buffer);
  if (method === 'preprocess' || method === 'filters') return [result.data.buffer];
  return [];
}

self.onmessage = async ({ data: { call, method, args } }) => {
  if (trapped !== null) {
    self.postMessage({ call, error: trapped, fatal: true });
    return;
  }
  if (method === '__testOnlyUncaught') {
    // Tests of webcnn.js's recovery: the worker dies of an uncaught error without answering.
    setTimeout(() => {
      throw new Error('webcnn worker: uncaught error for a test');
    });
    return;
  }
  try {
    if (!METHODS.has(method)) throw codedError(`webcnn worker: unknown call '${method}'`, ErrorCode.INTERNAL);
    if (!engine) {
      if (method === 'info') applyWorkerLoaderSettings(args[0]);
      engine = Engine.create();
    }
    const e = await engine;
    let result = e[method](...args);
    // The model's bytes go back (transferred) so that webcnn.js keeps them for restarts only once loaded.
    if (method === 'load') result = { ...result, payload: args[0] };
    self.postMessage({ call, result }, transferables(method, result));
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      trapped = `${error.name}: ${error.message}`;
      self.postMessage({ call, error: trapped, fatal: true });
      return;
    }
    self.postMessage({ call, ...errorToMessage(error) });
  }
};
