// The demo's Classify mode (MobileNetV2 8-bit TFLite, web/app/modes/classify.js, pipelines/imagenet.js)
// and the sample photos' credits under the picture (web/app/photo_credits.js):
//  - Node: the ImageNet labels file (1001 lines, 'background' first) is matched to the output count as
//    labels.js says (1001 outputs: every line; 1000: all but 'background'; any other count refused), and
//    every photo in tests/data/photos has a credit, a licence and a source link in ATTRIBUTION.md's table;
//  - the page in Chromium, one page load: Classify on sample photos whose class is known by eye and that
//    LiteRT.js also ranks first on the same whole-photo input (models/tflite/README.md: parrot.jpg
//    macaw 1.00, bird.bmp chickadee 0.99, hot_dog.jpg hotdog 0.96, cat_720p.jpg Egyptian cat 0.88), five
//    entries with their percentages in text, the credit line of each sample under it (and none on the
//    camera), then the fake webcam (grace_hopper.bmp: LiteRT.js says military uniform 0.93); no console
//    error. Then a page served a 1000-line labels file at 390×844: the mode refuses it with both counts.
// Screenshots: test-output/demo/classify-*.png; the webcam FPS is printed as a diagnostic.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { fakeWebcam, fakeWebcamFlags, launchChromium, out, root, skip, startDemoServer } from './support/demo_fixture.mjs';
import { photosDir } from './support/photos.mjs';
import { matchLabels, parseLabels } from '../../web/app/labels.js';
import { parseAttribution } from '../../web/app/photo_credits.js';

const labelsPath = join(root, 'models', 'tflite', 'imagenet_labels.txt');

test('ImageNet labels are matched to the output count, a list that does not fit is refused', () => {
  const labels = parseLabels(readFileSync(labelsPath, 'utf8'), 'imagenet_labels.txt');
  assert.equal(labels.length, 1001);
  assert.equal(matchLabels(labels, 1001), labels, 'MobileNetV2 uint8 has 1001 outputs, background at 0');
  assert.equal(matchLabels(labels, 1001)[89], 'macaw', 'ImageNet class 88 is output 89');
  const without = matchLabels(labels, 1000);
  assert.equal(without.length, 1000);
  assert.equal(without[0], 'tench, Tinca tinca', 'a 1000-class model starts at line 1');
  assert.equal(matchLabels(labels, 999), null);
  assert.equal(matchLabels(labels.slice(1), 1001), null, 'fewer labels than outputs');
  assert.equal(matchLabels(labels.slice(1), 999), null, 'one more, but not a background entry');
});

test('every photo has a credit line, a licence and a source link in ATTRIBUTION.md', () => {
  const credits = parseAttribution(readFileSync(join(photosDir, 'ATTRIBUTION.md'), 'utf8'));
  const photos = readdirSync(photosDir).filter((f) => f !== 'ATTRIBUTION.md').sort();
  assert.deepEqual(Object.keys(credits).sort(), photos, 'the credits table names exactly the photos there');
  for (const [file, { credit, licence, source }] of Object.entries(credits)) {
    assert.ok(credit.length > 10, `${file}: credit '${credit}'`);
    assert.match(licence, /CC BY 2\.0\]\(https:\/\/creativecommons\.org\/licenses\/by\/2\.0\/\)|public domain/, `${file}: licence`);
    assert.match(source, /\]\(https:\/\/[^)]+\)/, `${file}: source link`);
  }
  const samples = [...readFileSync(join(root, 'web', 'index.html'), 'utf8').matchAll(/data-photo="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(samples.length >= 6);
  for (const name of samples) assert.ok(credits[name], `sample ${name} has a credit`);
});

// Sample photo → what it shows (by eye, ATTRIBUTION.md) as the ImageNet label LiteRT.js also ranks first.
const SAMPLES = [
  ['parrot.jpg', /^macaw$/],
  ['bird.bmp', /^chickadee$/],
  ['hot_dog.jpg', /^hotdog/],
  ['cat_720p.jpg', /^(Egyptian cat|tabby|tiger cat)/],
];

/** The Classify list as shown: [{name, pct (the text), score}]. */
const topList = (page) => page.locator('#classify-top li[data-label]').evaluateAll((rows) => rows.map((r) => ({
  name: r.querySelector('.name').textContent, pct: r.querySelector('.pct').textContent, score: Number(r.dataset.score),
  bar: r.querySelector('.bar')?.getAttribute('aria-hidden') })));

/** Waits until the list shows a result for the current picture (the status line gone, entries listed). */
async function result(page) {
  await page.locator('#analysing').waitFor({ state: 'hidden', timeout: 30_000 });
  await page.locator('#classify-top li[data-label]').first().waitFor({ timeout: 30_000 });
  return topList(page);
}

/** Up to five entries (classes the 8-bit output gives exactly 0 are left out), best first, said in text. */
function assertTop5(top, what) {
  assert.ok(top.length >= 1 && top.length <= 5, `${what}: ${top.length} entries`);
  assert.ok(top.every((t) => t.score > 0), `${what}: no 0 scores`);
  for (const [i, t] of top.entries()) {
    assert.equal(t.pct, `${Math.round(t.score * 100)}%`, `${what}: the percentage in text`);
    assert.equal(t.bar, 'true', `${what}: the bar is decoration, the text says it`);
    if (i) assert.ok(t.score <= top[i - 1].score, `${what}: best first`);
  }
}

test('demo page in Chromium: Classify names the sample photos and the webcam, with their credits', { skip, timeout: 120_000 }, async (t) => {
  mkdirSync(out, { recursive: true });
  const y4m = fakeWebcam('classify.y4m');
  const { server, origin } = await startDemoServer();
  const browser = await launchChromium(fakeWebcamFlags(y4m));
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } }); // one HTTP cache for both pages
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/`);
    await page.locator('#tab-classify').click();
    const credit = page.locator('#photo-credit');
    for (const [i, [photo, expected]] of SAMPLES.entries()) {
      await page.locator(`.samples [data-photo="${photo}"]`).click();
      if (i === 0) await page.locator('#analysing', { hasText: /Loading the model|Analysing/ }).waitFor({ timeout: 10_000 });
      await page.locator(`#photo-credit[data-photo="${photo}"]`).waitFor({ timeout: 10_000 });
      const top = await result(page);
      t.diagnostic(`${photo}: ${top.map((e) => `${e.name} ${e.pct}`).join(' | ')}`);
      assertTop5(top, photo);
      assert.match(top[0].name, expected, `${photo}: top-1`);
      assert.ok(top[0].score > 0.5, `${photo}: top-1 sure (${top[0].score})`);
      assert.match(await credit.textContent(), /Credit: Photo from the Open Images Dataset V5 \(Google\) · Licence: CC BY 2\.0 · Source: Open Images/);
      assert.equal(await credit.locator('a[href="https://creativecommons.org/licenses/by/2.0/"]').count(), 1);
      assert.equal(await credit.locator('a[href="https://storage.googleapis.com/openimages/web/index.html"]').count(), 1);
      if (i === 0) await page.screenshot({ path: join(out, 'classify-parrot.png'), fullPage: true });
    }
    assert.match(await page.locator('#stat-model').textContent(), /MobileNetV2/);

    // A visitor's own photo: no credit line (it is not ours to credit).
    await page.locator('#file-input').setInputFiles(join(photosDir, 'grace_hopper.bmp'));
    await credit.waitFor({ state: 'hidden', timeout: 10_000 });
    const photoTop = await result(page);
    assertTop5(photoTop, 'uploaded grace_hopper.bmp');
    assert.match(photoTop[0].name, /^military uniform/, 'uploaded grace_hopper.bmp: top-1');

    // The fake webcam shows grace_hopper.bmp too.
    await page.locator('#camera-toggle').click();
    await page.locator('#stage.camera').waitFor({ timeout: 10_000 });
    assert.ok(await credit.isHidden(), 'no credit line on the camera');
    const camTop = await result(page);
    await page.waitForTimeout(2000); // steady state, for the FPS
    const { fps, ms, size } = await page.evaluate(() => ({ fps: window.webcnnDemo.stats.fps, ms: window.webcnnDemo.stats.medianMs,
      size: `${document.getElementById('video').videoWidth}x${document.getElementById('video').videoHeight}` }));
    t.diagnostic(`classify mode, fake webcam ${size}: ${fps.toFixed(1)} FPS, median inference ${ms.toFixed(0)} ms; ` +
      `${camTop.map((e) => `${e.name} ${e.pct}`).join(' | ')}`);
    assertTop5(camTop, 'webcam');
    assert.equal(camTop.length, 5, 'a photo the model is unsure of fills the five');
    assert.ok(camTop.some((e) => /^military uniform/.test(e.name)), `webcam (grace_hopper.bmp): military uniform in the top 5`);
    await page.screenshot({ path: join(out, 'classify-webcam.png'), fullPage: true });
    assert.deepEqual(errors, []);

    // A labels file that does not fit the model's 1001 outputs is refused, on a phone (a second page of
    // the same context: the model comes from its HTTP cache).
    const p2 = await context.newPage();
    await p2.setViewportSize({ width: 390, height: 844 });
    p2.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await p2.route('**/models/tflite/imagenet_labels.txt', (route) => route.fulfill({ contentType: 'text/plain',
      body: readFileSync(labelsPath, 'utf8').split('\n').slice(1).join('\n') }));
    await p2.goto(`${origin}/`);
    await p2.locator('#tab-classify').click();
    await p2.locator('#messages .message', { hasText: /1000 labels but the classifier has 1001 outputs/ }).waitFor({ timeout: 30_000 });
    await p2.locator('.samples [data-photo="parrot.jpg"]').click();
    await p2.locator('#photo-credit[data-photo="parrot.jpg"]').waitFor({ timeout: 10_000 });
    await p2.waitForTimeout(500);
    assert.ok(await p2.locator('#analysing').isHidden(), 'no “Loading the model…” left waiting for a model that was refused');
    assert.equal(await p2.locator('#classify-top li[data-label]').count(), 0, 'no names shown from a list that does not fit');
    assert.match(await p2.locator('#classify-top').textContent(), /No result: .*1000 labels but the classifier has 1001 outputs/);
    assert.equal(await p2.locator('#stat-model').textContent(), 'not loaded');
    const overflow = await p2.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `nothing scrolls sideways at 390 px (${overflow} px)`);
    const tab = await p2.locator('#tab-classify').boundingBox();
    assert.ok(tab.x >= 0 && tab.x + tab.width <= 390, `the Classify tab is fully visible (${JSON.stringify(tab)})`);
    await p2.screenshot({ path: join(out, 'classify-phone-labels-refused.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
