// webcnn as its users get it: `npm pack`, then a fresh project in a temporary directory installs the
// tarball offline (webcnn has no runtime dependencies) and
//   (a) Node imports 'webcnn' and classifies a photo;
//   (b) a page importing 'webcnn' is bundled with esbuild and with Vite (the repository's pinned
//       devDependencies, run against the temporary project) and, served with and without COOP/COEP,
//       loads a model in Chromium and classifies a photo in the worker: threaded build when cross-origin
//       isolated, single-threaded otherwise, each in its relaxed-SIMD form (Chromium has relaxed SIMD);
//   (c) the same page without a bundler, through an import map;
//   and the esbuild page with webcnn's files on another origin (configure({assetBase}), as from a CDN).
// The oracle is what the photo shows: a chickadee, as tflite_api.test.mjs asserts for both quantised
// MobileNetV2 files (here the 8-bit MobileNetV1 0.25/128, the smallest classifier in models/tflite/, names
// it too; labels from the models' own label file). Nothing but localhost is contacted.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium, noChromium, root } from './support/browser.mjs';
import { decodePhoto } from './support/photos.mjs';

const MODEL = join(root, 'models/tflite/mobilenet_v1_0.25_128_quant.tflite'); // the smallest classifier: this test is about packaging
const labels = readFileSync(join(root, 'models/tflite/imagenet_labels.txt'), 'utf8').split('\n'); // line 0: background
const PHOTO = 'bird.bmp';
const EXPECTED = /chickadee/; // what the photo shows (tflite_api.test.mjs asserts it for two other classifiers)
const noBuild = !existsSync(join(root, 'web/dist/webcnn_wasm.wasm')) && 'web/dist/ has no wasm build (scripts/build-wasm.sh)';

let dir; // the temporary directory: the tarball and the project
let project;
let photo; // {width, height}; its RGBA bytes are in fixtures/photo.rgba

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

before(() => {
  if (noBuild) return;
  dir = mkdtempSync(join(tmpdir(), 'webcnn-package-'));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], root));
  project = join(dir, 'app');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, packed.filename)], project);

  const { width, height, rgb } = decodePhoto(PHOTO);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; ++i) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2], 255], 4 * i);
  photo = { width, height };
  mkdirSync(join(project, 'fixtures'));
  writeFileSync(join(project, 'fixtures/photo.rgba'), rgba);
  cpSync(MODEL, join(project, 'fixtures/model.tflite'));

  // The page: imports the package by name; ?assetBase= says where its files are when the bundler left them.
  writeFileSync(join(project, 'src/main.js'), `import * as webcnn from 'webcnn';
const assetBase = new URLSearchParams(location.search).get('assetBase');
if (assetBase) webcnn.configure({ assetBase });
window.result = (async () => {
  const model = await webcnn.load('/fixtures/model.tflite');
  const data = new Uint8Array(await (await fetch('/fixtures/photo.rgba')).arrayBuffer());
  const top = await model.classify({ data, width: ${width}, height: ${height} }, { topK: 1, preprocess: { fit: 'stretch' } });
  return { top, threads: webcnn.features.threads, relaxedSimd: webcnn.features.relaxedSimd, isolated: crossOriginIsolated };
})().catch((e) => ({ error: e.message, code: e.code }));
`);
  writeFileSync(join(project, 'index.html'), '<!doctype html><title>app</title><script type="module" src="/src/main.js"></script>\n');
  writeFileSync(join(project, 'nobundler.html'), `<!doctype html><title>app</title>
<script type="importmap">{"imports": {"webcnn": "/node_modules/webcnn/web/webcnn.js"}}</script>
<script type="module" src="/src/main.js"></script>
`);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds what runs, and nothing else', { skip: noBuild }, () => {
  const installed = join(project, 'node_modules/webcnn');
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  assert.equal(pkg.version, '0.2.0');
  assert.deepEqual(pkg.dependencies ?? {}, {});
  for (const file of ['web/webcnn.js', 'web/webcnn.d.ts', 'web/worker.js', 'web/dist/webcnn_wasm.wasm', 'web/dist/webcnn_wasm.mjs',
    'web/dist/webcnn_wasm.js', 'web/dist/webcnn_wasm_relaxed.wasm', 'web/dist/webcnn_wasm_relaxed.mjs',
    'web/dist/webcnn_wasm_relaxed.js', 'LICENSE', 'THIRD_PARTY_NOTICES.md']) {
    assert.ok(existsSync(join(installed, file)), `${file} is in the package`);
  }
  for (const file of ['web/app', 'web/server.mjs', 'web/index.html', 'engine', 'tests', 'models']) {
    assert.ok(!existsSync(join(installed, file)), `${file} is not in the package`);
  }
});

test('(a) Node: import "webcnn" from the installed package and classify a photo', { skip: noBuild, timeout: 60_000 }, () => {
  const script = `
import * as webcnn from 'webcnn';
import { readFileSync } from 'node:fs';
const model = await webcnn.load(${JSON.stringify(join(project, 'fixtures/model.tflite'))});
const data = new Uint8Array(readFileSync('fixtures/photo.rgba'));
const top = await model.classify({ data, width: ${photo.width}, height: ${photo.height} }, { topK: 1, preprocess: { fit: 'stretch' } });
console.log(JSON.stringify({ resolved: import.meta.resolve('webcnn'), top }));
`;
  writeFileSync(join(project, 'node.mjs'), script);
  const { resolved, top } = JSON.parse(run(process.execPath, ['node.mjs'], project));
  assert.ok(resolved.includes('/app/node_modules/webcnn/web/webcnn.js'), resolved);
  assert.match(labels[top[0].index], EXPECTED, JSON.stringify(top));
});

test('configure({assetBase}): validated, kept as given in Node (which reads the package\'s files), reset by null', async () => {
  const webcnn = await import('../../web/webcnn.js');
  const relaxedSimd = true; // the default; its own test is in wasm_relaxed_simd.test.mjs
  assert.deepEqual(webcnn.configure(), { assetBase: null, relaxedSimd });
  assert.throws(() => webcnn.configure({ assetBase: 42 }), TypeError);
  assert.deepEqual(webcnn.configure({ assetBase: '/static/webcnn/' }), { assetBase: '/static/webcnn/', relaxedSimd });
  assert.deepEqual(webcnn.configure({ assetBase: new URL('https://cdn.example/webcnn/') }), { assetBase: 'https://cdn.example/webcnn/', relaxedSimd });
  assert.deepEqual(webcnn.configure({}), { assetBase: 'https://cdn.example/webcnn/', relaxedSimd }, 'an absent key changes nothing');
  assert.deepEqual(webcnn.configure({ assetBase: null }), { assetBase: null, relaxedSimd });
});

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** A static server of `dir` with the project's fixtures/ on a free port of 127.0.0.1. */
async function serve(directory, headers) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const base = path.startsWith('/fixtures/') ? project : directory;
    const file = normalize(join(base, path === '/' ? 'index.html' : path));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404, headers).end();
    const body = readFileSync(file);
    res.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

const skipBrowser = noBuild || (!process.env.CI && noChromium);

test('(b, c) pages bundled with esbuild and Vite, and without a bundler, classify in the worker, threaded when isolated',
  { skip: skipBrowser, timeout: 120_000 }, async (t) => {
    // esbuild leaves new URL(..., import.meta.url) as it is: the package's web/ goes next to the bundle
    // and configure({assetBase}) points at it.
    const esbuild = await import('esbuild');
    const esbuildOut = join(project, 'out-esbuild');
    await esbuild.build({ absWorkingDir: project, entryPoints: ['src/main.js'], bundle: true, format: 'esm', outdir: join(esbuildOut, 'src'),
      logLevel: 'error' });
    cpSync(join(project, 'index.html'), join(esbuildOut, 'index.html'));
    cpSync(join(project, 'node_modules/webcnn/web'), join(esbuildOut, 'webcnn'), { recursive: true });
    // The same bundle with webcnn's files on another origin only (a CDN: CORS, no COOP/COEP of its own).
    const pageOnly = join(project, 'out-esbuild-page');
    cpSync(join(esbuildOut, 'src'), join(pageOnly, 'src'), { recursive: true });
    cpSync(join(project, 'index.html'), join(pageOnly, 'index.html'));

    // Vite copies the files it finds through new URL(..., import.meta.url) and bundles the worker itself.
    const { build } = await import('vite');
    const viteOut = join(project, 'out-vite');
    await build({ root: project, configFile: false, logLevel: 'error', build: { outDir: viteOut, emptyOutDir: true } });

    const setups = [
      { name: 'esbuild', directory: esbuildOut, page: '/index.html?assetBase=webcnn' }, // relative, no '/': configure() resolves it and adds one
      { name: 'Vite', directory: viteOut, page: '/index.html' },
      { name: 'no bundler (import map)', directory: project, page: '/nobundler.html' },
      { name: 'esbuild, assetBase on another origin', directory: pageOnly, page: '/index.html', cdn: esbuildOut },
    ];
    const browser = await launchChromium();
    try {
      for (const setup of setups) {
        for (const isolated of setup.cdn ? [true] : [true, false]) {
          await t.test(`${setup.name}, ${isolated ? 'cross-origin isolated' : 'not isolated'}`, async () => {
            const { server, origin } = await serve(setup.directory, isolated ? ISOLATION : {});
            const cdn = setup.cdn && await serve(setup.cdn, { 'access-control-allow-origin': '*' });
            const context = await browser.newContext();
            try {
              const page = await context.newPage();
              const errors = [];
              page.on('pageerror', (e) => errors.push(e.message));
              page.on('requestfailed', (r) => errors.push(`${r.url()}: ${r.failure()?.errorText}`));
              // The page on localhost, the assets on 127.0.0.1: two origins.
              await page.goto(cdn ? `${origin.replace('127.0.0.1', 'localhost')}${setup.page}?assetBase=${cdn.origin}/webcnn/` : origin + setup.page);
              const result = await page.evaluate(() => window.result);
              assert.equal(result.error, undefined, `${JSON.stringify(result)} ${errors.join('; ')}`);
              assert.equal(result.isolated, isolated);
              assert.equal(result.threads.enabled, isolated, result.threads.reason);
              // Chromium has relaxed SIMD: true only if the relaxed module was packed, found and loaded.
              assert.equal(result.relaxedSimd, true);
              assert.match(labels[result.top[0].index], EXPECTED, JSON.stringify(result.top));
            } finally {
              await context.close();
              server.close();
              if (cdn) cdn.server.close();
            }
          });
        }
      }
    } finally {
      await browser.close();
    }
  });
