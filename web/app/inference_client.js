// The page's side of the demo worker (inference_worker.js): requests with ids, replies as promises,
// download progress as callbacks. A frame passed to infer() is transferred: the caller must not use it
// afterwards.
//
// Recovery (issue 6). Two things can break, and the page hears of both as a 'restart' event on `events`
// (CustomEvent, detail {restarted: 'engine' | 'worker', reason, restored, failed, failedKeys, gaveUp};
// failedKeys: the models that could not be loaded again, gone from the worker until loaded anew):
//  - the wasm instance traps inside the worker: webcnn replaces it and loads the models again by itself;
//    the call that trapped rejects (code 'WORKER_RESTARTED'), the worker stays (restarted: 'engine');
//  - the worker itself dies (an uncaught error, a message that cannot be read, or a 'fatal' reply): it
//    is terminated and a fresh one started, the models the page had loaded are loaded into it again from
//    the same sources (URLs come back from the HTTP cache, Files are read again), the requests in flight
//    reject with an Error whose .code === 'DEMO_WORKER_RESTARTED', and requests made meanwhile wait until
//    the models are back (restarted: 'worker'). A worker that dies more than RESTART_LIMIT times within
//    RESTART_WINDOW_MS is not started again (gaveUp: true): every request then rejects.
export const events = new EventTarget();

/** Errors from calls that were cut short by a restart: the 'restart' event tells the page about it. */
export const isRestartError = (e) => e?.code === 'DEMO_WORKER_RESTARTED' || e?.code === 'WORKER_RESTARTED';

const RESTART_LIMIT = 3;
const RESTART_WINDOW_MS = 60_000;

let worker = null;
let generation = 0; // bumped per worker: replies and errors of a replaced worker are ignored
const pending = new Map(); // id → {resolve, reject, onProgress, loads: {key, source} | undefined}
const loadedSources = new Map(); // key → source of its last successful load, to load it into a new worker
let nextId = 1;
let ready = Promise.resolve(); // settles when a replacement worker has its models again
let recentRestarts = []; // performance.now() of each worker restart within RESTART_WINDOW_MS
let gaveUp = null; // the Error every request rejects with, once the worker kept dying

function announce(detail) {
  events.dispatchEvent(new CustomEvent('restart', { detail }));
}

function spawn() {
  const mine = ++generation;
  worker = new Worker(new URL('./inference_worker.js', import.meta.url), { type: 'module', name: 'webcnn-demo' });
  const current = (handler) => (event) => { if (mine === generation) handler(event); };
  worker.onmessage = current(({ data }) => onReply(data));
  worker.onerror = current((event) => {
    event.preventDefault();
    replaceWorker(event.message || 'an uncaught error');
  });
  worker.onmessageerror = current(() => replaceWorker('a reply could not be read'));
}

function onReply(data) {
  if (data.type === 'engine-restarted') {
    const failedKeys = data.failedKeys ?? [];
    for (const key of failedKeys) loadedSources.delete(key);
    announce({ restarted: 'engine', reason: data.reason, restored: data.restored, failed: data.failed, failedKeys, gaveUp: false });
    return;
  }
  if (data.type === 'fatal') {
    replaceWorker(data.reason);
    return;
  }
  const p = pending.get(data.id);
  if (!p) return;
  if (data.progress) {
    p.onProgress?.(data.progress);
    return;
  }
  pending.delete(data.id);
  if (data.error !== undefined) {
    p.reject(Object.assign(new Error(data.error), data.code ? { code: data.code } : {}));
    return;
  }
  if (p.loads) loadedSources.set(p.loads.key, p.loads.source);
  p.resolve(data.result);
}

// Posts at once, to the current worker (the reload after a restart uses this directly).
function send(type, payload, { transfer = [], onProgress } = {}) {
  if (gaveUp) return Promise.reject(gaveUp);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const loads = type === 'load' ? { key: payload.key, source: payload.source } : undefined;
    pending.set(id, { resolve, reject, onProgress, loads });
    worker.postMessage({ id, type, ...payload }, transfer);
  });
}

// Waits until the worker has its models (again), then posts.
async function request(type, payload = {}, options = {}) {
  for (let r = ready; ; r = ready) {
    await r;
    if (r === ready) break; // another restart happened meanwhile: wait for that one too
  }
  return send(type, payload, options);
}

function replaceWorker(reason) {
  worker.onmessage = worker.onerror = worker.onmessageerror = null;
  worker.terminate();
  const error = new Error(`The inference worker stopped (${reason}) and was restarted; this request did not complete.`);
  error.code = 'DEMO_WORKER_RESTARTED';
  for (const p of pending.values()) p.reject(error);
  pending.clear();

  const now = performance.now();
  recentRestarts = [...recentRestarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
  if (recentRestarts.length > RESTART_LIMIT) {
    gaveUp = new Error(`The inference worker keeps stopping (${reason}); reload the page to try again.`);
    ++generation;
    worker = null;
    announce({ restarted: 'worker', reason, restored: 0, failed: loadedSources.size, failedKeys: [...loadedSources.keys()], gaveUp: true });
    return;
  }
  spawn();
  const mine = generation;
  ready = reloadModels().then(({ restored, failedKeys }) => {
    if (mine === generation) announce({ restarted: 'worker', reason, restored, failed: failedKeys.length, failedKeys, gaveUp: false });
  });
}

// The models the page had, into the fresh worker. One that fails is forgotten here (its calls then fail
// with the worker's message) and named in the event's failedKeys.
async function reloadModels() {
  const mine = generation;
  const entries = [...loadedSources];
  const results = await Promise.allSettled(entries.map(([key, source]) => send('load', { key, source })));
  let restored = 0;
  const failedKeys = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') ++restored;
    else {
      failedKeys.push(entries[i][0]);
      // Cut short by yet another restart: that one loads it again.
      if (mine === generation && loadedSources.get(entries[i][0]) === entries[i][1]) loadedSources.delete(entries[i][0]);
    }
  });
  return { restored, failedKeys };
}

spawn();

export const loadModel = (key, source, onProgress) => request('load', { key, source }, { onProgress });
export function disposeModel(key) {
  loadedSources.delete(key);
  return request('dispose', { key });
}
export const infer = (pipeline, frame, options) => request('infer', { pipeline, frame, options }, { transfer: [frame] });
export const resetTracking = () => request('reset');
export const layers = (key) => request('layers', { key });
export const filters = (key, layer) => request('filters', { key, layer });
export const engineFeatures = () => request('features');

/**
 * For tests of the recovery path only: 'trap' makes the wasm instance in the worker trap (webcnn
 * replaces it; rejects with code 'WORKER_RESTARTED'); 'uncaught' kills the worker with an uncaught error
 * (this module replaces it; rejects with code 'DEMO_WORKER_RESTARTED').
 */
export const __testOnlyBreakWorker = (how) => request('__testOnlyBreak', { how });
