// The probe's JS API runner: a child process (forked by scripts/hostile_probe.mjs with advanced
// serialisation) that takes one case at a time and answers {id, ok, error: {name, message, code}, detail}.
// A hang or a death of this process is the driver's to see: it kills and restarts it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { smallCnn } from '../node/support/wasm_onnx.mjs';
import { prng } from './mutate.mjs';

const webcnn = await import('../../web/webcnn.js');
// In the driver's scratch directory (argv[2]), which it removes: a killed child leaves nothing behind.
const scratch = mkdtempSync(join(process.argv[2] ?? tmpdir(), 'js-'));
const cnnPath = join(scratch, 'small_cnn.onnx');
writeFileSync(cnnPath, smallCnn());
const cnn = await webcnn.load(cnnPath, { worker: false });
const INPUT = 3 * 16 * 16;

/** After a successful load: one run on zeros when every input dimension is known and small, then dispose. */
async function exercise(model) {
  const feeds = {};
  for (const input of model.inputs) {
    const dims = input.shape.map((d) => (d < 0 ? 1 : d));
    const n = dims.reduce((a, b) => a * b, 1);
    if (!(n <= 1 << 22)) return 'loaded (inputs too large to run)';
    const Type = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, int8: Int8Array, bool: Uint8Array }[input.dtype] ?? Float32Array;
    feeds[input.name] = { data: new Type(n), shape: dims };
  }
  try {
    await model.run(feeds);
    return 'loaded and ran';
  } finally {
    model.dispose();
  }
}

// Values a caller might mistakenly pass as data, shapes and options.
const DATA = [
  () => ({ length: 2 ** 32 - 1 }), () => ({ length: -1 }), () => ({ length: NaN }), () => new ArrayBuffer(INPUT * 4),
  () => new DataView(new ArrayBuffer(INPUT * 4)), () => new Uint16Array(INPUT), () => Array(INPUT).fill('x'), () => Array(INPUT).fill(NaN),
  () => new BigInt64Array(INPUT), () => new Float64Array(INPUT).fill(Infinity), () => new Float32Array(12), () => new Float32Array(INPUT + 1),
  () => null, () => undefined, () => 42, () => 'abc', () => Symbol('s'), () => ({}), () => [[1, 2], [3]], () => new Float32Array(INPUT),
  () => new Proxy([], { get() { throw new Error('hostile getter'); } }), () => Array(INPUT).fill(1n), () => new Uint8ClampedArray(INPUT),
  () => Object.assign(Object.create(null), { length: INPUT }), () => new SharedArrayBuffer(16), () => [...Array(INPUT)].map(() => ({})),
];
const SHAPES = [
  [1, 3, 16, 16], [1, 3, 8000, 8000], [1, 3, -16, 16], [1, 3, NaN, 16], [1, 3, 16.5, 16], [1, 3, 2 ** 31, 2 ** 31], [], [768],
  Array(200000).fill(1), [1, 3, 16, 16, 1], [0, 3, 16, 16], null, 'shape', [1, 3, '16', 16], [1, 3, 16n, 16], [1, 3, Infinity, 16], [-1, 3, 16, 16],
];
const NUMS = [NaN, Infinity, -Infinity, 0, -1, 1e-300, 1e300, 2 ** 53, 0.5, '7', null, undefined, [], {}, true, 1e9];
const PREPROCESS = () => ({
  width: NUMS, height: NUMS, cropFraction: NUMS, scale: NUMS, mean: [...NUMS, [NaN, 0, 0], [1, 2]], std: [...NUMS, [0, 0, 0]],
  padColor: [...NUMS, [NaN, 1, 2], [1e9, 0, 0]], fit: ['bogus', 7, null, 'letterbox'], layout: ['NCHW', 'nchw', 'bogus', 3], preset: ['imagenet', 'bogus', 0],
});
const IMAGES = [
  () => ({ data: new Uint8Array(16 * 16 * 4), width: 16, height: 16 }), () => ({ data: new Uint8Array(12), width: 8000, height: 8000 }),
  () => ({ data: new Uint8Array(0), width: 0, height: 0 }), () => ({ data: new Uint8Array(64), width: NaN, height: 4 }),
  () => ({ data: new Uint8Array(64), width: -4, height: -4 }), () => ({ data: new Float32Array(64), width: 4, height: 4 }),
  () => ({ data: new Uint16Array(64), width: 4, height: 4 }), () => ({ data: new Uint8Array(64), width: 4.5, height: 4 }),
  () => ({ data: { length: 2 ** 32 - 1 }, width: 65536, height: 65536 }), () => null, () => 'image.jpg', () => new Uint8Array(64),
  () => ({ data: new Uint8Array(64 * 3), width: 8, height: 8 }), () => ({ width: 4, height: 4 }), () => ({ data: new Uint8Array(2 ** 20 * 4), width: 1, height: 2 ** 20 }),
];
const SOURCES = [null, undefined, 42, {}, [], '', 'nonexistent.onnx', '/', '/etc/passwd', 'http://127.0.0.1:9/x.onnx', 'file:///etc/passwd',
  { modelJson: '{' }, { modelJson: {}, weights: [] }, { modelJson: { modelTopology: {} }, weights: 'x' }, new ArrayBuffer(0), new Uint8Array(0),
  new DataView(new ArrayBuffer(8)), new Uint8Array(64).fill(0xff), 'x'.repeat(100000), 'blob:nope', Symbol('x')];

/** A JS API misuse, chosen and varied by the case's index and seed: [name, () => Promise]. */
function recipe(index, seed) {
  const rng = prng(seed);
  const pickOption = (table) => {
    const key = rng.pick(Object.keys(table));
    const value = rng.pick(table[key]);
    return [key, value];
  };
  switch (index % 10) {
    case 0: case 1: case 2: {
      const d = rng.int(DATA.length);
      const s = rng.int(SHAPES.length);
      const wrap = rng.int(4);
      const data = DATA[d]();
      const feed = wrap === 0 ? { data, shape: SHAPES[s] } : wrap === 1 ? data : wrap === 2 ? { data, shape: SHAPES[s], dtype: rng.pick(['float16', 'int64', 'bogus', 7]) } : { data: new Float32Array(INPUT), shape: SHAPES[s] };
      const name = rng.pick(['image', 'image', 'image', 'nope', '', '__proto__', 'constructor']);
      const extra = rng.chance(0.2) ? { other: new Float32Array(4) } : {};
      return [`run(${name}: data#${d}, shape#${s}, wrap${wrap})`, () => cnn.run({ [name]: feed, ...extra })];
    }
    case 3: {
      const img = rng.int(IMAGES.length);
      return [`runImage(image#${img})`, () => cnn.runImage(IMAGES[img]())];
    }
    case 4: case 5: {
      const options = {};
      const n = 1 + rng.int(3);
      for (let i = 0; i < n; ++i) { const [k, v] = pickOption(PREPROCESS()); options[k] = v; }
      const via = rng.pick(['classify', 'runImage', 'preprocess']);
      const image = IMAGES[0]();
      const describe = `${via}(preprocess ${JSON.stringify(options, (k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))})`;
      if (via === 'preprocess') return [describe, () => webcnn.preprocess(image, options, { worker: false })];
      return [describe, () => cnn[via](image, { preprocess: options })];
    }
    case 6: {
      const options = rng.pick([{ topK: NaN }, { topK: -1 }, { topK: Infinity }, { topK: 1e12 }, { topK: '3' }, { labels: 'abc' }, { labels: [undefined, null, {}] },
        { labels: new Proxy({}, { get() { throw new Error('hostile labels'); } }) }, { softmax: 'yes' }, { preprocess: 'bogus' }, { preprocess: null }, null]);
      return [`classify(${JSON.stringify(options)?.slice(0, 60)})`, () => cnn.classify(IMAGES[0](), options)];
    }
    case 7: {
      const s = rng.int(SOURCES.length);
      const options = rng.pick([{ worker: false }, { worker: true }, { worker: false, onProgress: () => { throw new Error('hostile onProgress'); } }, { worker: false, onProgress: 7 }, { worker: 'yes' }]);
      return [`load(source#${s}, ${JSON.stringify(options)})`, () => webcnn.load(SOURCES[s], options).then(exercise)];
    }
    case 8: {
      const what = rng.pick(['worker-load', 'worker-preprocess', 'worker-memory', 'profile-nan', 'profile-inf', 'profile-neg', 'disposed-run', 'double-dispose', 'filters-bogus', 'release']);
      const calls = {
        'worker-load': () => webcnn.load(cnnPath, { worker: true }),
        'worker-preprocess': () => webcnn.preprocess(IMAGES[0](), 'unit', { worker: true }),
        'worker-memory': () => webcnn.memory({ worker: true }),
        'profile-nan': () => cnn.profile({ image: new Float32Array(INPUT) }, { warmup: NaN, runs: NaN }),
        'profile-inf': () => cnn.profile({ image: new Float32Array(INPUT) }, { warmup: 0, runs: Infinity }),
        'profile-neg': () => cnn.profile({ image: new Float32Array(INPUT) }, { warmup: -1, runs: -5 }),
        'disposed-run': async () => { const m = await webcnn.load(cnnPath, { worker: false }); m.dispose(); return m.run({ image: new Float32Array(INPUT) }); },
        'double-dispose': async () => { const m = await webcnn.load(cnnPath, { worker: false }); m.dispose(); m.dispose(); return 'ok'; },
        'filters-bogus': () => cnn.filters(rng.pick([-1, 'nope', NaN, 1e9, null])),
        release: () => webcnn.releaseMemory({ worker: false }),
      };
      return [what, calls[what]];
    }
    default: {
      const feeds = rng.pick([null, undefined, 'image', [], new Map([['image', new Float32Array(INPUT)]]), { image: { data: new Float32Array(INPUT), shape: [1, 3, 16, 16] }, capture: 1 }]);
      const options = rng.pick([undefined, null, { capture: ['nope'] }, { capture: 'x' }, { capture: Array(100000).fill('y') }]);
      return [`run(feeds ${String(feeds)?.slice(0, 20)}, options ${JSON.stringify(options)?.slice(0, 30)})`, () => cnn.run(feeds, options)];
    }
  }
}

/** Runs one case: {name (recipes: what was called), result}; a rejection carries the name too. */
async function handle(c) {
  if (c.kind === 'recipe') {
    const [name, call] = recipe(c.recipe, c.recipeSeed);
    try {
      return { name, result: await call() };
    } catch (e) {
      throw Object.assign(new Error(), { probeName: name, cause: e });
    }
  }
  if (c.kind === 'model') return { result: await exercise(await webcnn.load(c.bytes, { worker: false })) };
  if (c.kind === 'tfjs') return { result: await exercise(await webcnn.load(c.path, { worker: false })) };
  throw new Error(`js_child: unknown kind ${c.kind}`);
}

const describeError = (e) => (e instanceof Error ? { name: e.name, message: e.message, code: e.code } : { nonError: String(e) });

process.on('message', async ({ id, c }) => {
  let reply;
  try {
    const { name, result } = await handle(c);
    reply = { id, ok: true, name, detail: typeof result === 'string' ? result : undefined };
  } catch (e) {
    const name = e?.probeName;
    reply = { id, ok: false, name, error: describeError(name ? e.cause : e) };
  }
  reply.maxRss = process.resourceUsage().maxRSS * 1024;
  process.send(reply);
});
process.send({ ready: true });
