// The demo's Background mode (selfie segmentation from human-models, web/app/decode/selfie.js,
// pipelines/background.js, modes/background.js):
//  - the decoder on webcnn's mask (wasm module in Node) and on TF.js CPU's, for the same input made from
//    grace_hopper.bmp (stretched to 256×256 in JS): the same person share and background alpha within a
//    few levels; and the answer a look at the photo gives (one person, head and shoulders in front of a
//    flag and a blue wall: the face and the uniform's middle are the person, the top corners background);
//  - the page in Chromium: the Grace Hopper sample photo gets its background blurred, then plain (the
//    overlay's pixels: opaque over the top corners, clear over the face), the share in text; the fake
//    webcam (the same photo) too, its FPS printed as a diagnostic; no console error.
// Screenshots: test-output/demo/background-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

import { fakeWebcam, fakeWebcamFlags, launchChromium, out, root, skip, startDemoServer } from './support/demo_fixture.mjs';
import { decodePhoto, resizeRgb } from './support/photos.mjs';
import { fileHandler } from './support/tfjs_files.mjs';
import { backgroundAlpha, personFraction, SELFIE_SIZE, selfieInput } from '../../web/app/decode/selfie.js';

const modelPath = join(root, 'models', 'human', 'selfie.json');
const noModel = !existsSync(modelPath) && 'models/human not fetched (node models/fetch-models.mjs)';

/** Mask value at a point given as fractions of the picture (the mask is the picture stretched). */
const at = (mask, fx, fy) => mask[Math.floor(fy * SELFIE_SIZE) * SELFIE_SIZE + Math.floor(fx * SELFIE_SIZE)];

/** What grace_hopper.bmp shows, as a person mask must agree. */
function assertLooksLikeGrace(mask, what) {
  const share = personFraction(mask);
  assert.ok(share > 0.3 && share < 0.8, `${what}: the person covers ${share}`);
  assert.ok(at(mask, 0.5, 0.35) > 0.9, `${what}: the face is the person (${at(mask, 0.5, 0.35)})`);
  assert.ok(at(mask, 0.5, 0.85) > 0.9, `${what}: the uniform is the person (${at(mask, 0.5, 0.85)})`);
  for (const [fx, fy] of [[0.03, 0.03], [0.97, 0.03], [0.97, 0.3]])
    assert.ok(at(mask, fx, fy) < 0.1, `${what}: (${fx}, ${fy}) is background (${at(mask, fx, fy)})`);
}

test('selfie decoder: webcnn and TF.js CPU give the same mask on grace_hopper.bmp, where the photo has the person',
  { skip: noModel, timeout: 120_000 }, async (t) => {
    const image = decodePhoto('grace_hopper.bmp');
    const rgb = resizeRgb(image, SELFIE_SIZE, SELFIE_SIZE);
    const rgba = new Uint8ClampedArray(SELFIE_SIZE * SELFIE_SIZE * 4);
    for (let i = 0; i < SELFIE_SIZE * SELFIE_SIZE; ++i) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
    const input = selfieInput(rgba);

    await tf.setBackend('cpu');
    const reference = await loadGraphModel(fileHandler(modelPath));
    const x = tf.tensor(input.data, input.shape, 'float32');
    const y = reference.execute(x);
    const theirs = await y.data();
    tf.dispose([x, y]);
    reference.dispose();

    const webcnn = await import('../../web/webcnn.js');
    const model = await webcnn.load(modelPath);
    let ours;
    try {
      const outputs = await model.run({ [model.inputs[0].name]: input });
      ours = Object.values(outputs).find((o) => o.data.length === SELFIE_SIZE * SELFIE_SIZE).data;
    } finally {
      await model.dispose();
    }
    assert.equal(theirs.length, ours.length);
    const [a, b] = [backgroundAlpha(ours), backgroundAlpha(theirs)];
    let worstAlpha = 0, worstProb = 0;
    for (let i = 0; i < ours.length; ++i) {
      worstAlpha = Math.max(worstAlpha, Math.abs(a[4 * i + 3] - b[4 * i + 3]));
      worstProb = Math.max(worstProb, Math.abs(ours[i] - theirs[i]));
    }
    const [shareOurs, shareTheirs] = [personFraction(ours), personFraction(theirs)];
    t.diagnostic(`webcnn vs TF.js: person ${shareOurs.toFixed(4)} vs ${shareTheirs.toFixed(4)}, worst probability difference ` +
      `${worstProb.toExponential(2)}, worst background alpha difference ${worstAlpha}/255`);
    assert.ok(Math.abs(shareOurs - shareTheirs) <= 0.001, 'the same person share within 0.1 %');
    assert.ok(worstAlpha <= 2, `background alpha within 2/255 (worst ${worstAlpha})`);
    assertLooksLikeGrace(theirs, 'TF.js');
    assertLooksLikeGrace(ours, 'webcnn');
  });

/** The overlay's alpha at points given as fractions of it, and its colour there. */
const overlayAt = (page, points) => page.evaluate((pts) => {
  const c = document.getElementById('overlay');
  const ctx = c.getContext('2d');
  return pts.map(([fx, fy]) => [...ctx.getImageData(Math.floor(fx * c.width), Math.floor(fy * c.height), 1, 1).data]);
}, points);

test('demo page in Chromium: Background blurs or replaces what is not the person (sample photo, fake webcam)', { skip, timeout: 120_000 }, async (t) => {
  mkdirSync(out, { recursive: true });
  const y4m = fakeWebcam('background.y4m');
  const { server, origin } = await startDemoServer();
  const browser = await launchChromium(fakeWebcamFlags(y4m));
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/`);
    await page.locator('#tab-background').click();
    await page.locator('.samples [data-photo="grace_hopper.bmp"]').click();
    await page.locator('#analysing').waitFor({ state: 'hidden', timeout: 60_000 });
    await page.locator('#background-info[data-person]').waitFor({ timeout: 30_000 });
    const share = Number(await page.locator('#background-info').getAttribute('data-person'));
    assert.match(await page.locator('#background-info').textContent(), /^The person covers \d+% of the picture\.$/);
    assert.ok(share > 0.3 && share < 0.8, `person share ${share}`);
    const corners = [[0.03, 0.03], [0.97, 0.03]], person = [[0.5, 0.35], [0.5, 0.85]];
    let px = await overlayAt(page, [...corners, ...person]);
    assert.ok(px.slice(0, 2).every((p) => p[3] === 255), `blurred background over the corners: ${JSON.stringify(px)}`);
    assert.ok(px.slice(2).every((p) => p[3] === 0), `the person left clear: ${JSON.stringify(px)}`);
    await page.screenshot({ path: join(out, 'background-blur.png'), fullPage: true });
    await page.locator('#background-style').selectOption('plain');
    px = await overlayAt(page, [...corners, ...person]);
    assert.ok(px.slice(0, 2).every((p) => p.join() === '47,93,80,255'), `plain #2f5d50 over the corners: ${JSON.stringify(px)}`);
    assert.ok(px.slice(2).every((p) => p[3] === 0), `the person left clear: ${JSON.stringify(px)}`);

    await page.locator('#camera-toggle').click();
    await page.locator('#stage.camera').waitFor({ timeout: 10_000 });
    await page.locator('#analysing').waitFor({ state: 'hidden', timeout: 30_000 });
    await page.locator('#background-info[data-person]').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(2000); // steady state, for the FPS
    const { fps, ms, size } = await page.evaluate(() => ({ fps: window.webcnnDemo.stats.fps, ms: window.webcnnDemo.stats.medianMs,
      size: `${document.getElementById('video').videoWidth}x${document.getElementById('video').videoHeight}` }));
    const camShare = Number(await page.locator('#background-info').getAttribute('data-person'));
    t.diagnostic(`background mode, fake webcam ${size}: ${fps.toFixed(1)} FPS, median inference ${ms.toFixed(0)} ms; person ${camShare.toFixed(3)} ` +
      `(photo ${share.toFixed(3)})`);
    assert.ok(camShare > 0.2 && camShare < 0.8, `webcam person share ${camShare}`);
    const cam = await overlayAt(page, [[0.5, 0.4]]);
    assert.equal(cam[0][3], 0, 'the face left clear on the webcam');
    await page.screenshot({ path: join(out, 'background-webcam.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
