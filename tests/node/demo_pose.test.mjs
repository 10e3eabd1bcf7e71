// The demo's Pose mode (MoveNet Lightning, Google's int8 TFLite build; web/app/decode/movenet.js and
// pipelines/pose.js):
//  - the decoder on webcnn's output (wasm module in Node) and on LiteRT.js's (TFLite + XNNPACK in Chromium),
//    for the same uint8 input made from grace_hopper.bmp (padded to a square with black, resized to 192×192
//    in JS): the same keypoints within 1 picture pixel, and the answer a look at the photo gives (one person, head and shoulders:
//    nose, eyes and shoulders found; the eyes above the nose, the shoulders below; her left eye on the
//    right of the picture);
//  - the page in Chromium on a fake webcam showing the same photo: the skeleton's keypoints are listed
//    and lie where the photo has them, and Look inside shows MoveNet's feature maps; the FPS is printed as a
//    diagnostic. Screenshot:
//    test-output/demo/pose-webcam.png.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { fakeWebcam, fakeWebcamFlags, launchChromium, out, root, skip, startDemoServer } from './support/demo_fixture.mjs';
import { noLiteRt, startLiteRt } from './support/litert.mjs';
import { decodePhoto } from './support/photos.mjs';
import { decodeMoveNet, MOVENET_SIZE, moveNetRegion } from '../../web/app/decode/movenet.js';

const modelPath = join(root, 'models', 'tflite', 'movenet_single_pose_lightning_ptq.tflite');

/** The photo padded to its square region (black outside) and resized bilinearly (half-pixel centres) to 192². */
function squareInput(image) {
  const region = moveNetRegion(image.width, image.height);
  const side = region.x2 - region.x1, n = MOVENET_SIZE;
  const data = new Uint8Array(n * n * 3);
  const px = (x, y, c) => (x < 0 || y < 0 || x >= image.width || y >= image.height ? 0 : image.rgb[(y * image.width + x) * 3 + c]);
  for (let y = 0; y < n; ++y) {
    const sy = region.y1 + ((y + 0.5) * side) / n - 0.5, y0 = Math.floor(sy), fy = sy - y0;
    for (let x = 0; x < n; ++x) {
      const sx = region.x1 + ((x + 0.5) * side) / n - 0.5, x0 = Math.floor(sx), fx = sx - x0;
      for (let c = 0; c < 3; ++c) {
        const v = (px(x0, y0, c) * (1 - fx) + px(x0 + 1, y0, c) * fx) * (1 - fy) + (px(x0, y0 + 1, c) * (1 - fx) + px(x0 + 1, y0 + 1, c) * fx) * fy;
        data[(y * n + x) * 3 + c] = Math.round(v);
      }
    }
  }
  return { input: { data, shape: [1, n, n, 3] }, region };
}

/**
 * What grace_hopper.bmp shows (512×600, one person, head and shoulders), as keypoints must agree. Found
 * means a score of 0.25 or more: the int8 MoveNet is a little less sure than the float one (its nose on the
 * photo scores 0.299 in LiteRT.js and in webcnn alike).
 */
function assertLooksLikeGrace(points, { width, height }, what) {
  const k = Object.fromEntries(points.map((p) => [p.name, p]));
  for (const name of ['nose', 'left_eye', 'right_eye', 'left_shoulder', 'right_shoulder'])
    assert.ok(k[name]?.score >= 0.25, `${what}: ${name} found (${k[name]?.score})`);
  assert.ok(k.left_eye.y < k.nose.y && k.right_eye.y < k.nose.y, `${what}: the eyes above the nose`);
  assert.ok(k.left_shoulder.y > k.nose.y && k.right_shoulder.y > k.nose.y, `${what}: the shoulders below the nose`);
  assert.ok(k.left_eye.x > k.right_eye.x, `${what}: her left eye on the picture's right`);
  assert.ok(k.nose.x > 0.3 * width && k.nose.x < 0.7 * width && k.nose.y < 0.6 * height, `${what}: the nose in the face (${k.nose.x}, ${k.nose.y})`);
}

test('MoveNet decoder: webcnn and LiteRT.js give the same keypoints on grace_hopper.bmp, where the photo has them',
  { skip: !process.env.CI && noLiteRt, timeout: 180_000 }, async (t) => {
    const image = decodePhoto('grace_hopper.bmp');
    const { input, region } = squareInput(image);
    const litert = await startLiteRt();
    let want;
    try {
      const reference = await litert.open(modelPath);
      [want] = await reference.run([input]);
      await reference.dispose();
    } finally {
      await litert.close();
    }

    const webcnn = await import('../../web/webcnn.js');
    const model = await webcnn.load(modelPath);
    let got;
    try {
      const outputs = await model.run({ [model.inputs[0].name]: input });
      got = Object.values(outputs).find((o) => o.data.length === 51);
    } finally {
      await model.dispose();
    }
    const ours = decodeMoveNet(got, region), theirs = decodeMoveNet(want, region);
    let worstPx = 0, worstScore = 0;
    ours.forEach((k, i) => {
      worstPx = Math.max(worstPx, Math.abs(k.x - theirs[i].x), Math.abs(k.y - theirs[i].y));
      worstScore = Math.max(worstScore, Math.abs(k.score - theirs[i].score));
    });
    t.diagnostic(`webcnn vs LiteRT.js: worst keypoint offset ${worstPx.toExponential(2)} px, worst score difference ${worstScore.toExponential(2)}`);
    assert.ok(worstPx <= 1, `keypoints within 1 px of LiteRT.js (worst ${worstPx})`);
    assert.ok(worstScore <= 1e-3, `scores within 1e-3 of LiteRT.js (worst ${worstScore})`);
    assertLooksLikeGrace(theirs, image, 'LiteRT.js');
    assertLooksLikeGrace(ours, image, 'webcnn');
  });

test('demo page in Chromium: Pose mode draws the skeleton on the fake webcam (grace_hopper.bmp)', { skip, timeout: 180_000 }, async (t) => {
  mkdirSync(out, { recursive: true });
  const y4m = fakeWebcam('pose.y4m');
  const { server, origin } = await startDemoServer();
  const browser = await launchChromium(fakeWebcamFlags(y4m));
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${origin}/`);
    await page.locator('#tab-pose').click();
    await page.locator('#stat-model', { hasText: 'MoveNet' }).waitFor({ timeout: 60_000 });
    await page.locator('#camera-toggle').click();
    await page.locator('#pose-list li[data-keypoint="nose"]').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(4000); // steady state, for the FPS
    const { points, fps, ms, size } = await page.evaluate(() => ({
      points: [...document.querySelectorAll('#pose-list li[data-keypoint]')].map((li) => ({ name: li.dataset.keypoint,
        x: Number(li.dataset.x), y: Number(li.dataset.y), score: Number(li.textContent.match(/(\d+)%/)[1]) / 100 })),
      fps: window.webcnnDemo.stats.fps, ms: window.webcnnDemo.stats.medianMs,
      size: { width: document.getElementById('video').videoWidth, height: document.getElementById('video').videoHeight },
    }));
    t.diagnostic(`pose mode, fake webcam ${size.width}x${size.height}: ${fps.toFixed(1)} FPS, median inference ${ms.toFixed(0)} ms, ${points.length} keypoints`);
    assertLooksLikeGrace(points, size, 'page');
    const drawnPoints = await page.evaluate(() => window.webcnnDemo.overlay.drawn.filter((d) => d.point).length);
    assert.equal(drawnPoints, points.length, 'a dot per listed keypoint');
    await page.screenshot({ path: join(out, 'pose-webcam.png'), fullPage: true });
    // Look inside MoveNet too (its uint8 input is made as in Pose mode).
    await page.locator('#tab-inside').click();
    await page.locator('#inside-model').selectOption('movenet');
    await page.waitForFunction(() => document.querySelectorAll('#inside-maps canvas').length > 0, null, { timeout: 90_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
