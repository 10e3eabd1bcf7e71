// The inference worker web/webcnn.js starts in a page (a module worker): it owns the wasm module and
// answers {call, method, args} messages with {call, result} or {call, error}. An error never ends the
// worker; the next call (e.g. loading another model) works as usual.
import { Engine } from './webcnn.js';

const METHODS = new Set(['info', 'load', 'run', 'runImage', 'classify', 'preprocess', 'dispose', 'memory']);
const engine = Engine.create();

// Results hold fresh typed arrays copied out of the wasm heap: their buffers go back without a copy.
function transferables(method, result) {
  if (method === 'run' || method === 'runImage') return Object.values(result).map((t) => t.data.buffer);
  if (method === 'preprocess') return [result.data.buffer];
  return [];
}

self.onmessage = async ({ data: { call, method, args } }) => {
  try {
    if (!METHODS.has(method)) throw new Error(`webcnn worker: unknown call '${method}'`);
    const e = await engine;
    const result = e[method](...args);
    self.postMessage({ call, result }, transferables(method, result));
  } catch (error) {
    self.postMessage({ call, error: error instanceof Error ? error.message : String(error) });
  }
};
