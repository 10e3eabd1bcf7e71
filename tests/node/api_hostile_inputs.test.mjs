// The JS API (web/webcnn.js) against hostile or mistaken arguments (issue 18): {worker: true} in Node,
// inputs checked before anything is converted, no copy kept of a model that failed to load, TF.js shard
// paths that decode to an escape from model.json's directory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';

import { scratch, smallCnnFile } from './support/wasm_models.mjs';
import { randomFloats } from './support/wasm_onnx.mjs';

const webcnnUrl = new URL('../../web/webcnn.js', import.meta.url).href;
const webcnn = await import(webcnnUrl);
const { backend } = await import('../../web/webcnn/backends.js');
const { readableMessage } = await import('../../web/webcnn/errors.js');

const invalid = (code, pattern) => (e) => {
  assert.equal(e.code, code, e.message);
  if (pattern) assert.match(e.message, pattern);
  return true;
};

test('{worker: true} in Node, after an in-process load: refused with INVALID_ARGUMENT, the process lives on', () => {
  // In a child process: before the fix the worker thread died of "self is not defined" and took the process with it.
  const script = `
    const webcnn = await import(${JSON.stringify(webcnnUrl)});
    const path = ${JSON.stringify(smallCnnFile())};
    const model = await webcnn.load(path);
    const outcome = async (p) => p.then(() => 'resolved', (e) => ({ code: e.code, message: e.message }));
    const results = {
      load: await outcome(webcnn.load(path, { worker: true })),
      preprocess: await outcome(webcnn.preprocess({ data: new Uint8Array(4), width: 1, height: 1 }, 'unit', { worker: true })),
      memory: await outcome(webcnn.memory({ worker: true })),
    };
    await new Promise((resolve) => setTimeout(resolve, 500)); // an error event from a thread would end us here
    results.inProcessStillWorks = (await model.run({ image: new Float32Array(3 * 16 * 16) })).probs.data.length;
    console.log(JSON.stringify(results));
  `;
  const file = join(scratch, 'worker_in_node.mjs');
  writeFileSync(file, script);
  const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, `exit ${child.status}: ${child.stderr}`);
  const results = JSON.parse(child.stdout.trim().split('\n').at(-1));
  for (const call of ['load', 'preprocess', 'memory']) {
    assert.equal(results[call].code, 'INVALID_ARGUMENT', `${call}: ${JSON.stringify(results[call])}`);
    assert.match(results[call].message, /browser feature.*\{worker: false\}/);
  }
  assert.equal(results.inProcessStillWorks, 10);
});

test('a load that fails keeps no copy of the bytes; a model that loads keeps one until dispose()', async () => {
  const engine = await backend(false);
  const live = engine.live.size;
  // Count the Blobs webcnn makes (its copies for restarts are Blobs).
  const RealBlob = globalThis.Blob;
  let copies = 0;
  globalThis.Blob = class CountingBlob extends RealBlob {
    constructor(...args) {
      super(...args);
      ++copies;
    }
  };
  try {
    const notAModel = new Uint8Array(1 << 20).fill(0xab);
    for (let i = 0; i < 20; ++i) await assert.rejects(webcnn.load(notAModel), invalid('INVALID_MODEL'));
    assert.equal(copies, 0, 'copies made for failed loads');
    assert.equal(engine.live.size, live);
    const model = await webcnn.load(readFileSync(smallCnnFile()));
    assert.equal(copies, 1);
    assert.equal(engine.live.size, live + 1);
    await model.dispose();
    assert.equal(engine.live.size, live);
  } finally {
    globalThis.Blob = RealBlob;
  }
});

test('run(): data is checked against the shape before it is read or converted', async () => {
  const model = await webcnn.load(smallCnnFile());
  const shape = [1, 3, 16, 16];
  // An array-like that counts reads of its elements: a length mismatch is refused without reading any.
  let reads = 0;
  const arrayLike = (length) => new Proxy({ length }, {
    get(target, key) {
      if (key !== 'length' && typeof key === 'string' && /^\d+$/.test(key) && ++reads > 1000) throw new Error('read too far');
      return key === 'length' ? length : 0;
    },
  });
  await assert.rejects(model.run({ image: { data: arrayLike(3072), shape } }), invalid('INVALID_ARGUMENT', /got an object/));
  await assert.rejects(model.run({ image: { data: arrayLike(2 ** 32 - 1), shape } }), invalid('INVALID_ARGUMENT', /data must be a typed array or an Array/));
  assert.equal(reads, 0);
  // A sparse Array of 2^32 - 1 holes: refused by its length, nothing converted.
  await assert.rejects(model.run({ image: { data: new Array(2 ** 32 - 1), shape } }),
    invalid('INVALID_ARGUMENT', /data has 17179869180 bytes, the shape needs 3072/));
  // Bytes rather than a typed array (before: "data has 0 bytes").
  for (const data of [new ArrayBuffer(3072), new DataView(new ArrayBuffer(3072))]) {
    await assert.rejects(model.run({ image: { data, shape } }),
      invalid('INVALID_ARGUMENT', new RegExp(`got an? ${data.constructor.name} \\(wrap the bytes .*new Float32Array\\(buffer\\)`)));
  }
  // Strings would become NaN.
  await assert.rejects(model.run({ image: { data: Array(768).fill('0.5'), shape } }), invalid('INVALID_ARGUMENT', /element 0 is a string/));
  await assert.rejects(model.run({ image: { data: [...Array(767).fill(0), {}], shape } }), invalid('INVALID_ARGUMENT', /element 767 is an object/));
  // Shapes: bounded rank and element count, integers only.
  await assert.rejects(model.run({ image: { data: new Float32Array(1), shape: { length: 2 ** 32 - 1 } } }), invalid('INVALID_ARGUMENT', /shape must be an array/));
  await assert.rejects(model.run({ image: { data: new Float32Array(1), shape: Array(100).fill(1) } }), invalid('INVALID_ARGUMENT', /rank 100, at most 8/));
  await assert.rejects(model.run({ image: { data: new Float32Array(1), shape: [65536, 65536, 65536] } }), invalid('INVALID_ARGUMENT', /more than the limit/));
  await assert.rejects(model.run({ image: { data: new Float32Array(1), shape: [1.5] } }), invalid('INVALID_ARGUMENT', /shape entry 0 is not an integer/));
  // profile() takes inputs through the same check.
  await assert.rejects(model.profile({ image: { data: new ArrayBuffer(3072), shape } }, { warmup: 0, runs: 1 }), invalid('INVALID_ARGUMENT', /ArrayBuffer/));
  // What was accepted before still is: another typed array or an Array of numbers of the right length.
  const floats = randomFloats(768, 3);
  const expected = (await model.run({ image: { data: floats, shape } })).probs.data;
  assert.deepEqual((await model.run({ image: { data: Array.from(floats), shape } })).probs.data, expected);
  assert.deepEqual((await model.run({ image: { data: Float64Array.from(floats), shape } })).probs.data, expected);
  await model.dispose();
});

test('pixels for runImage(), classify() and preprocess(): RGBA bytes of the stated size, checked first', async () => {
  const model = await webcnn.load(smallCnnFile());
  const cases = [
    [{ data: new Uint16Array(16 * 16 * 4), width: 16, height: 16 }, /Uint8Array or Uint8ClampedArray.*got a Uint16Array \(convert/],
    [{ data: new Float32Array(16 * 16 * 4), width: 16, height: 16 }, /got a Float32Array/],
    [{ data: new ArrayBuffer(16 * 16 * 4), width: 16, height: 16 }, /got an ArrayBuffer/],
    [{ data: Array(16 * 16 * 4).fill(0), width: 16, height: 16 }, /got an Array/],
    [{ data: new Uint8Array(10), width: 16, height: 16 }, /image 16x16 RGBA: data has 10 bytes, the shape needs 1024/],
    [{ data: new Uint8Array(4), width: 2 ** 20, height: 2 ** 20 }, /integers in 1\.\.16384, got 1048576x1048576/],
    [{ data: new Uint8Array(4), width: '1', height: 1 }, /integers in 1\.\.16384/],
  ];
  for (const [image, pattern] of cases) {
    await assert.rejects(model.runImage(image, { preprocess: 'unit' }), invalid('INVALID_ARGUMENT', pattern));
    await assert.rejects(model.classify(image, { preprocess: 'unit' }), invalid('INVALID_ARGUMENT', pattern));
    await assert.rejects(webcnn.preprocess(image, 'unit'), invalid('INVALID_ARGUMENT', pattern));
  }
  const ok = { data: new Uint8ClampedArray(16 * 16 * 4).fill(128), width: 16, height: 16 };
  assert.equal((await model.runImage(ok, { preprocess: 'unit' })).probs.data.length, 10);
  await model.dispose();
});

const ESCAPES = ['%2e%2e/%2e%2e/outside.bin', '%2E%2E/outside.bin', '.%2e/outside.bin', 'a/%2e%2e/%2e%2e/outside.bin',
  '..%2foutside.bin', '..%5Coutside.bin', '%252e%252e/outside.bin', '%2foutside.bin', '..\\outside.bin', 'C:/outside.bin',
  '%zz.bin', 'a%00.bin'];

const manifest = (path) => JSON.stringify({
  format: 'graph-model',
  modelTopology: { node: [] },
  weightsManifest: [{ paths: [path], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }],
});

test('TF.js shard paths that decode to an escape are refused (INVALID_MODEL, naming the path) before any is fetched', async () => {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push(req.url);
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const match = /^\/m(\d+)\/d\/model\.json$/.exec(path);
    if (match) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(manifest(ESCAPES[Number(match[1])]));
    } else {
      res.writeHead(200);
      res.end(Buffer.alloc(4));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${server.address().port}`;
    for (const [i, path] of ESCAPES.entries()) {
      const shown = new RegExp(`shard path '${path.replace(/[\\.*+?^${}()|[\]]/g, '\\$&')}' must be relative to model.json`);
      await assert.rejects(webcnn.load(`${base}/m${i}/d/model.json`), invalid('INVALID_MODEL', shown), path);
      await assert.rejects(webcnn.load({ modelJson: manifest(path), weights: { [path]: new Uint8Array(4), 'outside.bin': new Uint8Array(4) } }),
        invalid('INVALID_MODEL', shown), path);
    }
    assert.deepEqual(requests, ESCAPES.map((_, i) => `/m${i}/d/model.json`), 'only the model.json files were fetched');
  } finally {
    server.close();
  }
  // A path that stays beside model.json, with an escape in it, is still read from there.
  await assert.rejects(webcnn.load({ modelJson: manifest('a%20b.bin'), weights: {} }), invalid('INVALID_ARGUMENT', /'a%20b.bin' named by modelJson is missing/));
});

test('an oversized model.json is refused before it is parsed or copied into wasm memory', async () => {
  await webcnn.memory(); // the engine is up, so the heap size below is the engine's own
  const { heapBytes } = await webcnn.memory();
  const limit = 256 * 2 ** 20;
  // Valid JSON all the way: only its size is wrong.
  const text = `{"format":"graph-model","modelTopology":{"node":[]},"padding":"${' '.repeat(limit)}"}`;
  const tooLarge = invalid('INVALID_MODEL', new RegExp(`is ${text.length} bytes, more than the limit of ${limit}`));
  await assert.rejects(webcnn.load({ modelJson: text, weights: {} }), tooLarge);
  const bytes = new TextEncoder().encode(text);
  await assert.rejects(webcnn.load(bytes), tooLarge);
  await assert.rejects(webcnn.load([new File([bytes], 'model.json')]), tooLarge);
  const after = await webcnn.memory();
  assert.ok(after.heapBytes - heapBytes < 16 * 2 ** 20, `the heap grew from ${heapBytes} to ${after.heapBytes} bytes`);
});

test('releaseMemory() gives back the heap a huge run left behind; live models keep their results', async () => {
  const small = await webcnn.load(smallCnnFile({ seed: 7 }));
  const input = { image: randomFloats(3 * 16 * 16, 3) };
  const before = (await small.run(input)).probs.data;
  // A run at 2048x2048 plans a couple of hundred MiB of activations: the heap grows to that and stays there.
  const big = await webcnn.load(smallCnnFile({ seed: 7, size: 2048 }));
  await big.run({ image: randomFloats(3 * 2048 * 2048, 4) });
  await big.dispose();
  const grown = await webcnn.memory();
  assert.ok(grown.heapBytes > 128 * 2 ** 20, `the big run should have grown the heap (${grown.heapBytes} bytes)`);

  const released = await webcnn.releaseMemory();
  assert.equal(released.released, true);
  assert.equal(released.failed, 0);
  assert.equal(released.heapBytesBefore, grown.heapBytes);
  assert.ok(released.heapBytes < grown.heapBytes / 3, `heap ${grown.heapBytes} -> ${released.heapBytes} bytes`);
  assert.deepEqual((await small.run(input)).probs.data, before, 'the model, loaded again, gives the same result');
  assert.equal((await webcnn.memory()).heapBytes, released.heapBytes);

  const again = await webcnn.releaseMemory();
  assert.equal(again.released, false, 'nothing to give back: no fresh engine');
  await small.dispose();
});

test('the engine checks pixels against the stated size before it makes room for them', async () => {
  // Below the JS API (whose checkPixels refuses this first): the Embind module itself, as any caller of
  // the module would reach it.
  const { Engine } = await import('../../web/webcnn/engine.js');
  const engine = await Engine.create();
  const { heapBytes } = engine.memory();
  const r = engine.module.preprocess({ data: new Uint8Array(4), width: 16384, height: 16384 }, undefined);
  assert.match(r.error, /image 16384x16384 RGBA: data has 4 bytes, the size needs 1073741824/);
  assert.equal(engine.memory().heapBytes, heapBytes, 'no heap growth for a claim the data does not back');
  engine.terminate();
});

test('messages that quote caller input stay readable: capped at 4096 characters, control bytes as \\xNN', async () => {
  // Found by scripts/hostile_probe.mjs: a 100k-character path came back in a 100k-character message, and
  // a control byte in model.json reached the message through JSON.parse's excerpt.
  const longPath = `/nonexistent/${'x'.repeat(100_000)}.onnx`;
  await assert.rejects(webcnn.load(longPath), (e) => {
    assert.equal(e.code, 'INVALID_ARGUMENT');
    assert.ok(e.message.length <= 4096, `${e.message.length} characters`);
    assert.match(e.message, /^cannot open model file \/nonexistent\/x+\.\.\. \(\d+ characters in all\)$/);
    return true;
  });
  const dir = join(scratch, 'control_byte_json');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), '{"format": \u0001}');
  await assert.rejects(webcnn.load(join(dir, 'model.json')), (e) => {
    assert.equal(e.code, 'INVALID_MODEL');
    assert.match(e.message, /is not valid JSON: .*\\x01/);
    // eslint-disable-next-line no-control-regex -- control characters are what must not be there
    assert.doesNotMatch(e.message, /[\x00-\x08\x0b-\x1f]/);
    return true;
  });
  // A byte that is not UTF-8 is named by its offset, not quoted back as U+FFFD.
  writeFileSync(join(dir, 'model.json'), Buffer.from([...Buffer.from('{"format": '), 0xff, 0x7d]));
  await assert.rejects(webcnn.load(join(dir, 'model.json')), invalid('INVALID_MODEL', /model\.json is not valid JSON: not UTF-8 text at byte 11$/));
});

test('readableMessage: control characters as \\xNN as the engine writes them, the cap never cuts an escape or a character', () => {
  // The same \xNN as engine/src/core/status.cc (newline and tab stay here: a caller's own message may have lines).
  assert.equal(readableMessage('a\x01\x1f\x7f\0 b\nc\td'), 'a\\x01\\x1f\\x7f\\x00 b\nc\td');
  assert.equal(readableMessage('3×3 → é 😀'), '3×3 → é 😀');
  // At the cap after escaping: whole. An escape across the cut ("... (4105 characters in all)" leaves 4068): left out whole.
  assert.equal(readableMessage(`${'a'.repeat(4092)}\x01`), `${'a'.repeat(4092)}\\x01`);
  assert.equal(readableMessage(`${'a'.repeat(4066)}\x01${'b'.repeat(35)}`), `${'a'.repeat(4066)}... (4105 characters in all)`);
  const emoji = readableMessage('😀'.repeat(3000));
  assert.equal(emoji, `${'😀'.repeat(2034)}... (6000 characters in all)`);
  const controls = readableMessage('\x02'.repeat(3000));
  assert.equal(controls, `${'\\x02'.repeat(1016)}... (12000 characters in all)`);
  assert.equal(readableMessage(controls), controls, 'idempotent');
});

test('options that are not objects (null, a number) are refused with INVALID_ARGUMENT, naming the call', async () => {
  // Found by scripts/hostile_probe.mjs: run(feeds, null) and classify(image, {preprocess: null}) threw
  // JavaScript's "Cannot destructure property ... as it is null", a TypeError without a code.
  const model = await webcnn.load(smallCnnFile());
  const image = { data: new Uint8Array(16 * 16 * 4), width: 16, height: 16 };
  const feeds = { image: new Float32Array(3 * 16 * 16) };
  const calls = {
    run: () => model.run(feeds, null),
    runImage: () => model.runImage(image, 7),
    classify: () => model.classify(image, null),
    profile: () => model.profile(feeds, null),
    load: () => webcnn.load(smallCnnFile(), null),
    preprocess: () => webcnn.preprocess(image, 'unit', null),
    memory: () => webcnn.memory(null),
    releaseMemory: () => webcnn.releaseMemory('yes'),
  };
  // onProgress that is not a function: refused before anything is read (it failed as "this.onProgress is
  // not a function", code INTERNAL, once the file had arrived).
  await assert.rejects(webcnn.load(smallCnnFile(), { onProgress: 7 }), invalid('INVALID_ARGUMENT', /^load: onProgress must be a function, got number$/));
  for (const [call, f] of Object.entries(calls)) {
    await assert.rejects(f(), (e) => {
      assert.equal(e.code, 'INVALID_ARGUMENT', `${call}: ${e.message}`);
      assert.match(e.message, new RegExp(`^${call}: options must be an object, got (null|number|string)$`));
      return true;
    });
  }
  for (const preprocess of [null, 7]) {
    await assert.rejects(model.classify(image, { preprocess }), invalid('INVALID_ARGUMENT', /^preprocess must be a preset name or an options object, got (null|number)$/));
    await assert.rejects(webcnn.preprocess(image, preprocess), invalid('INVALID_ARGUMENT', /^preprocess must be a preset name or an options object/));
  }
  assert.equal((await model.run(feeds, undefined)).probs.data.length, 10, 'options left out still work');
  await model.dispose();
});

test('an onProgress that throws: load rejects with what it threw, untouched, and stops reading', async () => {
  // It used to reject with the callback's Error re-coded INTERNAL ("a bug in webcnn"), or, reading a Blob,
  // wrapped as "cannot read ...: <its message>" INVALID_ARGUMENT.
  const mine = new Error('my progress bar broke');
  let calls = 0;
  const onProgress = () => {
    calls += 1;
    throw mine;
  };
  await assert.rejects(webcnn.load(smallCnnFile(), { onProgress }), (e) => {
    assert.equal(e, mine);
    assert.equal(e.code, undefined);
    assert.equal(e.message, 'my progress bar broke');
    return true;
  });
  assert.equal(calls, 1, 'called once, then no more');
  const blob = new Blob([readFileSync(smallCnnFile())]);
  calls = 0;
  await assert.rejects(webcnn.load(blob, { onProgress }), (e) => e === mine);
  assert.equal(calls, 1);
  // A thrown non-Error value comes back as it is too.
  await assert.rejects(webcnn.load(smallCnnFile(), { onProgress: () => { throw 'stop'; } }), (e) => e === 'stop');
  // The next load with a working callback is unaffected.
  const progress = [];
  const model = await webcnn.load(smallCnnFile(), { onProgress: (p) => progress.push(p) });
  assert.ok(progress.length >= 1);
  await model.dispose();
});
