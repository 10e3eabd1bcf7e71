// The demo page survives a broken engine and a dead worker (issue 6), in headless Chromium:
//  - Faces mode on a fake webcam (grace_hopper.bmp as .y4m) finds her face;
//  - the wasm instance in the demo's worker traps (test-only hook): the call rejects with code
//    'WORKER_RESTARTED', the page shows a notice naming the trap with all 4 models the page had loaded
//    (CenterNet at start, then BlazeFace, expression, FaceRes) reloaded, and a new frame shows her face;
//  - the demo's worker dies of an uncaught error (test-only hook): the call rejects with code
//    'DEMO_WORKER_RESTARTED', a fresh worker is started (the wasm module is requested again), the notice
//    says so, and the live camera shows her face again in a new result;
//  - the same on an uploaded photo (face.jpg, nothing in flight): it is analysed again by itself;
//  - a fresh worker that cannot load one model again (its server answers 503) says so; once the server
//    is back, choosing Faces again loads it anew (model_library.js forgot it) and the photo is analysed;
//  - notices are dismissable; no uncaught page error, no console error (but the 503s).
// Screenshots: test-output/demo/20-*.png … 24-*.png.
// And, in Node with a scripted stand-in for Worker, the restart rules of web/app/inference_client.js:
// what is reloaded (successful loads, not failed or disposed ones), requests waiting for the reload, a
// 'fatal' reply, the forwarded engine restart, and giving up after more than 3 restarts in a minute.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { fakeWebcam, fakeWebcamFlags, images, launchChromium, out, skip, startDemoServer } from './support/demo_fixture.mjs';

// A Worker that records what it is sent and answers only when the test says so.
class ScriptedWorker {
  static all = [];
  constructor(url, options) {
    Object.assign(this, { url: String(url), options, posted: [], terminated: false });
    ScriptedWorker.all.push(this);
  }
  postMessage(message) { this.posted.push(message); }
  terminate() { this.terminated = true; }
  sent(type) { return this.posted.filter((m) => m.type === type); }
  answer(message, reply) { this.onmessage({ data: { id: message.id, ...reply } }); }
  die(message) { this.onerror({ message, preventDefault() {} }); }
}
const settle = () => new Promise((resolve) => setImmediate(resolve));
const outcome = (promise) => promise.then((result) => ({ result }), (e) => ({ error: e.message, code: e.code }));

test('inference_client.js: a dead worker is replaced, loaded models are reloaded, callers wait or fail clearly', async () => {
  const savedWorker = globalThis.Worker;
  globalThis.Worker = ScriptedWorker;
  try {
    const client = await import(`../../web/app/inference_client.js?scripted=${Date.now()}`);
    const restarts = [];
    client.events.addEventListener('restart', (e) => restarts.push(e.detail));
    const [first] = ScriptedWorker.all;
    assert.equal(ScriptedWorker.all.length, 1);
    assert.match(first.url, /inference_worker\.js$/);

    // a: loaded; b: failed to load; c: loaded then disposed. Only a is loaded again after a restart.
    const loads = ['a', 'b', 'c'].map((key) => outcome(client.loadModel(key, `http://x/${key}.json`)));
    await settle();
    const [la, lb, lc] = first.sent('load');
    first.answer(la, { result: { bytes: 1 } });
    first.answer(lb, { error: 'b is corrupt' });
    first.answer(lc, { result: { bytes: 3 } });
    assert.deepEqual(await Promise.all(loads), [{ result: { bytes: 1 } }, { error: 'b is corrupt', code: undefined }, { result: { bytes: 3 } }]);
    const disposed = client.disposeModel('c');
    await settle();
    first.answer(first.sent('dispose')[0], { result: true });
    await disposed;

    // An error reply keeps its code (webcnn's WORKER_RESTARTED after a trap) and isRestartError knows it.
    const trapped = outcome(client.infer('faces', {}, {}));
    await settle();
    first.answer(first.sent('infer')[0], { error: 'webcnn: the wasm engine failed', code: 'WORKER_RESTARTED' });
    assert.equal((await trapped).code, 'WORKER_RESTARTED');
    assert.ok(client.isRestartError({ code: 'WORKER_RESTARTED' }) && !client.isRestartError(new Error('x')));
    first.onmessage({ data: { type: 'engine-restarted', reason: 'RuntimeError: unreachable', restored: 1, failed: 0 } });
    assert.deepEqual(restarts.pop(), { restarted: 'engine', reason: 'RuntimeError: unreachable', restored: 1, failed: 0, failedKeys: [], gaveUp: false });

    // The worker dies with a request in flight.
    const inFlight = outcome(client.infer('faces', {}, {}));
    await settle();
    first.die('boom');
    const lost = await inFlight;
    assert.equal(lost.code, 'DEMO_WORKER_RESTARTED');
    assert.match(lost.error, /stopped \(boom\) and was restarted/);
    assert.ok(first.terminated);
    const second = ScriptedWorker.all[1];
    assert.ok(second, 'a fresh worker was started');
    assert.deepEqual(second.posted.map((m) => [m.type, m.key, m.source]), [['load', 'a', 'http://x/a.json']]);

    // A request made during the reload waits for it; replies from the dead worker are ignored.
    const waiting = outcome(client.infer('faces', {}, {}));
    await settle();
    assert.deepEqual(second.sent('infer'), [], 'not sent before the models are back');
    assert.equal(restarts.length, 0, 'announced once the models are back');
    second.answer(second.sent('load')[0], { result: { bytes: 1 } });
    await settle();
    assert.deepEqual(restarts.pop(), { restarted: 'worker', reason: 'boom', restored: 1, failed: 0, failedKeys: [], gaveUp: false });
    const [queued] = second.sent('infer');
    assert.ok(queued, 'sent once the models are back');
    second.answer(queued, { result: { faces: [] } });
    assert.deepEqual(await waiting, { result: { faces: [] } });

    // A 'fatal' reply replaces the worker too; a model failing to load again is reported by key.
    second.onmessage({ data: { type: 'fatal', reason: 'a request to the inference worker could not be read' } });
    const third = ScriptedWorker.all[2];
    assert.ok(second.terminated && third);
    third.answer(third.sent('load')[0], { error: 'gone' });
    await settle();
    assert.deepEqual(restarts.pop(), { restarted: 'worker', reason: 'a request to the inference worker could not be read', restored: 0,
      failed: 1, failedKeys: ['a'], gaveUp: false });

    // Third restart within a minute: still replaced (nothing left to reload). The fourth: given up.
    third.die('again');
    await settle();
    assert.equal(restarts.pop().restored, 0);
    ScriptedWorker.all[3].die('and again');
    assert.equal(ScriptedWorker.all.length, 4, 'no fifth worker');
    assert.equal(restarts.pop().gaveUp, true);
    const refused = await outcome(client.infer('faces', {}, {}));
    assert.match(refused.error, /keeps stopping \(and again\); reload the page/);
  } finally {
    globalThis.Worker = savedWorker;
  }
});

// Enough of a document for model_library.js's progress bars.
function fakeDocument() {
  const element = () => ({ append() {}, remove() {}, setAttribute() {}, removeAttribute() {} });
  return { baseURI: 'http://demo/', createElement: element, getElementById: element };
}

test('model_library.js: a model the worker lost in a restart is loaded anew when next needed; others stay loaded', async () => {
  const saved = { Worker: globalThis.Worker, document: globalThis.document };
  globalThis.Worker = ScriptedWorker;
  globalThis.document = fakeDocument();
  ScriptedWorker.all = [];
  try {
    const library = await import(`../../web/app/model_library.js?scripted=${Date.now()}`);
    const client = await import('../../web/app/inference_client.js'); // the instance model_library.js uses
    const [first] = ScriptedWorker.all;
    const restarts = [];
    client.events.addEventListener('restart', (e) => restarts.push(e.detail));
    const answerLoads = (worker, reply) => worker.sent('load').filter((m) => !m.answered).forEach((m) => {
      m.answered = true;
      worker.answer(m, reply);
    });

    const blaze = library.getModel('blazeface');
    const emotion = library.getModel('emotion');
    await settle();
    assert.deepEqual(first.sent('load').map((m) => [m.key, m.source]),
      [['blazeface', 'http://demo/models/human/blazeface.json'], ['emotion', 'http://demo/models/human/emotion.json']]);
    answerLoads(first, { result: { inputs: [], outputs: [], bytes: 7 } });
    assert.equal((await blaze).bytes, 7);
    await emotion;
    await library.getModel('blazeface');
    assert.equal(first.sent('load').length, 2, 'loaded once');

    // The engine restarts inside the worker and could not load blazeface again: only blazeface loads anew.
    first.onmessage({ data: { type: 'engine-restarted', reason: 'RuntimeError: unreachable', restored: 1, failed: 1, failedKeys: ['blazeface'] } });
    assert.deepEqual(restarts.pop().failedKeys, ['blazeface']);
    const blazeAgain = library.getModel('blazeface');
    await library.getModel('emotion');
    await settle();
    assert.deepEqual(first.sent('load').map((m) => m.key), ['blazeface', 'emotion', 'blazeface']);
    answerLoads(first, { result: { inputs: [], outputs: [], bytes: 8 } });
    assert.equal((await blazeAgain).bytes, 8);

    // The worker dies; the replacement cannot load emotion: emotion loads anew when next asked for.
    first.die('boom');
    const second = ScriptedWorker.all[1];
    await settle();
    assert.deepEqual(second.sent('load').map((m) => m.key).sort(), ['blazeface', 'emotion']);
    second.sent('load').forEach((m) => second.answer(m, m.key === 'emotion' ? { error: 'out of memory' } : { result: { bytes: 8 } }));
    await settle();
    assert.deepEqual(restarts.pop(), { restarted: 'worker', reason: 'boom', restored: 1, failed: 1, failedKeys: ['emotion'], gaveUp: false });
    const emotionAgain = library.getModel('emotion');
    await library.getModel('blazeface');
    await settle();
    assert.deepEqual(second.sent('load').map((m) => m.key).sort(), ['blazeface', 'emotion', 'emotion']);
    answerLoads(second, { result: { inputs: [], outputs: [], bytes: 9 } });
    assert.equal((await emotionAgain).bytes, 9);
  } finally {
    globalThis.Worker = saved.Worker;
    globalThis.document = saved.document;
  }
});

test('demo page in Chromium: an engine trap and a dead worker are announced, models reloaded, faces found again',
  { skip, timeout: 150_000 }, async () => {
    mkdirSync(out, { recursive: true });
    const y4m = fakeWebcam('resilience_grace_hopper.y4m');
    const { server, origin } = await startDemoServer();
    const browser = await launchChromium(fakeWebcamFlags(y4m));
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      let wasmRequests = 0; // the context sees the workers' requests too
      // Either build: the page is cross-origin isolated, so the threaded one (webcnn_wasm_mt.wasm) is likely.
      context.on('request', (r) => { if (/\/dist\/webcnn_wasm(_mt)?(_relaxed)?\.wasm$/.test(r.url())) ++wasmRequests; });
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      const consoleErrors = [];
      page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
      const shot = (name) => page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
      const notices = page.locator('#messages .message.notice');

      await page.goto(`${origin}/`);
      // Objects mode loads CenterNet at start; then Faces loads its three models: 4 models in the worker.
      await page.locator('#stat-model', { hasText: 'CenterNet' }).waitFor({ timeout: 60_000 });
      await page.locator('#tab-faces').click();
      await page.locator('#stat-model', { hasText: 'BlazeFace' }).waitFor({ timeout: 60_000 });
      await page.evaluate(async () => {
        const client = await import('/app/inference_client.js');
        window.__restarts = [];
        client.events.addEventListener('restart', (e) => window.__restarts.push(e.detail));
      });
      await page.locator('#camera-toggle').click();
      await page.locator('#face-list li.face').first().waitFor({ timeout: 20_000 });
      await shot('20-resilience-webcam-face');

      // Waits for a result analysed after now, and returns its number of faces.
      const markResult = () => page.evaluate(() => { window.__before = window.webcnnDemo.lastResult; });
      const newFaces = async () => {
        await page.waitForFunction(() => window.webcnnDemo.lastResult && window.webcnnDemo.lastResult !== window.__before, null, { timeout: 30_000 });
        return page.evaluate(() => window.webcnnDemo.lastResult.faces.length);
      };
      const breakWorker = (how) => page.evaluate(async (how) => {
        const client = await import('/app/inference_client.js');
        try {
          await client.__testOnlyBreakWorker(how);
          return { resolved: true };
        } catch (e) {
          return { message: e.message, code: e.code };
        }
      }, how);

      // 1. The wasm instance traps: webcnn replaces it inside the same worker.
      const wasmBefore = wasmRequests;
      const trapped = await breakWorker('trap');
      assert.equal(trapped.code, 'WORKER_RESTARTED', JSON.stringify(trapped));
      const engineNotice = notices.filter({ hasText: 'The inference engine stopped' });
      await engineNotice.waitFor({ timeout: 30_000 });
      const engineText = await engineNotice.textContent();
      assert.match(engineText, /RuntimeError: unreachable/);
      assert.match(engineText, /was restarted; 4 models reloaded/);
      await markResult();
      assert.equal(await newFaces(), 1, 'her face is found again after the engine restart');
      await page.locator('#face-list li.face').first().waitFor();
      await shot('21-resilience-engine-trap');
      assert.deepEqual(await page.evaluate(() => window.__restarts.map((d) => [d.restarted, d.restored, d.failed, d.gaveUp])),
        [['engine', 4, 0, false]]);
      await engineNotice.getByRole('button', { name: 'Dismiss message' }).click();
      assert.equal(await notices.count(), 0, 'the notice is dismissed');

      // 2. The demo worker dies of an uncaught error during live inference: a fresh worker replaces it.
      const killed = await breakWorker('uncaught');
      assert.equal(killed.code, 'DEMO_WORKER_RESTARTED', JSON.stringify(killed));
      const workerNotice = notices.filter({ hasText: 'The inference worker stopped' });
      await workerNotice.waitFor({ timeout: 30_000 });
      assert.match(await workerNotice.textContent(), /demo worker: uncaught error for a test.*was restarted; 4 models reloaded/);
      assert.ok(wasmRequests > wasmBefore, 'the fresh worker started its own wasm engine');
      await markResult();
      assert.equal(await newFaces(), 1, 'her face is found again by the new worker');
      await shot('22-resilience-worker-restarted-webcam');
      await workerNotice.getByRole('button', { name: 'Dismiss message' }).click();

      // 3. The same on a photo: it is analysed again once the models are back.
      await page.locator('#camera-toggle').click(); // stop the camera
      await page.locator('#file-input').setInputFiles(join(images, 'face.jpg'));
      await page.waitForFunction(() => document.querySelectorAll('#face-list li.face').length >= 2, null, { timeout: 30_000 });
      const photoFaces = await page.evaluate(() => window.webcnnDemo.lastResult.faces.length);
      await markResult();
      assert.equal((await breakWorker('uncaught')).code, 'DEMO_WORKER_RESTARTED');
      await workerNotice.waitFor({ timeout: 30_000 });
      assert.equal(await newFaces(), photoFaces, 'the photo is analysed again with the same faces');
      await shot('23-resilience-worker-restarted-photo');
      assert.deepEqual(await page.evaluate(() => window.__restarts.map((d) => [d.restarted, d.restored, d.failed, d.gaveUp])),
        [['engine', 4, 0, false], ['worker', 4, 0, false], ['worker', 4, 0, false]]);
      assert.equal(await page.locator('#messages .message.error').count(), 0, 'no error message: only the notices');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(consoleErrors, [], 'a restart is not a console error');
      await workerNotice.getByRole('button', { name: 'Dismiss message' }).click();

      // 4. The fresh worker cannot load one model again (its server answers 503): the page says so, and
      // once the server is back, choosing Faces again loads it anew and the photo is analysed again.
      // (Routing turns Chromium's HTTP cache off, so the reload really asks the server.)
      const emotionUrl = '**/models/human/emotion.json';
      await context.route(emotionUrl, (route) => route.fulfill({ status: 503, body: 'down for a test' }));
      await markResult();
      assert.equal((await breakWorker('uncaught')).code, 'DEMO_WORKER_RESTARTED');
      await workerNotice.waitFor({ timeout: 30_000 });
      assert.match(await workerNotice.textContent(), /3 models reloaded\. 1 model could not be loaded again/);
      assert.deepEqual(await page.evaluate(() => window.__restarts.at(-1)),
        { restarted: 'worker', reason: 'Uncaught Error: demo worker: uncaught error for a test', restored: 3, failed: 1, failedKeys: ['emotion'], gaveUp: false });
      // The page tries at once (Faces needs it): still down, so a readable error.
      await page.locator('#messages .message.error', { hasText: /Expression classifier could not be loaded.*503/ }).waitFor({ timeout: 30_000 });
      await context.unroute(emotionUrl);
      await page.locator('#tab-objects').click();
      await page.locator('#stat-model', { hasText: 'CenterNet' }).waitFor({ timeout: 60_000 });
      await markResult();
      await page.locator('#tab-faces').click();
      assert.equal(await newFaces(), photoFaces, 'the photo is analysed again with the model loaded anew');
      assert.ok(await page.locator('#face-list li.face').count() >= 2);
      await shot('24-resilience-model-lost-then-loaded-anew');
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(consoleErrors.filter((m) => !/503/.test(m)), [], 'no console error but the 503s');
    } finally {
      await browser.close();
      server.close();
    }
  });
