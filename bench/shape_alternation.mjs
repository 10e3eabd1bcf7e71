#!/usr/bin/env node
// What changing input shapes costs: a model with free height and width (MobileNetV2 1.0, from
// models/make_mobilenetv2_onnx.py --free-hw) run at a few image sizes, webcnn wasm against onnxruntime-web
// (WASM EP), one thread each, in this process. Per engine: every size is run once first (each engine plans
// or specialises a shape the first time it meets it), then --warmup untimed rounds over the sizes, then
//   fixed:       --runs runs at one size, then the next size, ...;
//   alternating: the sizes in turn, --runs rounds;
// twice, in the order fixed, alternating, alternating, fixed (medians over both);
// and the table shows the median ms per size in each phase and the ratio alternating/fixed summed over the
// sizes (issue 15's goal: <= 1.1 for up to 4 sizes once each was seen).
//
//   node bench/shape_alternation.mjs [--sizes 224x224,224x160,224x288,192x256] [--runs 10] [--warmup 10] [--engines webcnn,ort-web]
// Env: WEBCNN_WEB=/path/to/web (webcnn.js of another build, e.g. to compare with an older dist).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { makeInput } from './inputs.mjs';
import { loadAverage, machineHeader } from './machine.mjs';
import { repoRoot } from './models.mjs';
import { readFlags } from './options.mjs';
import { median } from './stats.mjs';

const USAGE = 'usage: node bench/shape_alternation.mjs [--sizes HxW,HxW,...] [--runs N] [--warmup N] [--engines webcnn,ort-web]';

function parseOptions(argv) {
  const o = { sizes: ['224x224', '224x160', '224x288', '192x256'], runs: 10, warmup: 10, engines: ['webcnn', 'ort-web'] };
  const spec = { '--sizes': { list: true }, '--engines': { list: true }, '--runs': { count: 1 }, '--warmup': { count: 1 }, '-h': { flag: true },
    '--help': { flag: true } };
  readFlags(argv, spec, (flag, value) => {
    if (flag === '-h' || flag === '--help') o.help = true;
    else o[flag.slice(2)] = value;
  });
  o.sizes = o.sizes.map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s);
    if (!m) throw new Error(`--sizes: '${s}' is not HxW`);
    return [Number(m[1]), Number(m[2])];
  });
  return o;
}

function freeSizeModel() {
  const dir = join(repoRoot, 'models', 'generated');
  const file = join(dir, 'mobilenetv2_free_hw.onnx');
  const generator = join(repoRoot, 'models', 'make_mobilenetv2_onnx.py');
  if (!existsSync(file) || statSync(file).mtimeMs < statSync(generator).mtimeMs) {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('/usr/bin/python3', [generator, file, '--free-hw'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${generator} failed: ${r.stderr || r.error}`);
  }
  return file;
}

// Each engine: open(file) → {run(size), close()}; run() resolves once the outputs are back in JavaScript.
const ENGINES = {
  async webcnn(file) {
    // WEBCNN_WEB: another build's web/ directory (an older dist to compare with), else this tree's.
    const webcnn = await import(process.env.WEBCNN_WEB ? `${process.env.WEBCNN_WEB}/webcnn.js` : '../web/webcnn.js');
    const m = await webcnn.load(file, { worker: false });
    const name = m.inputs[0].name;
    return {
      label: 'webcnn wasm',
      outputSpec: JSON.stringify(m.outputs.map((o) => o.shape)),
      run: (x) => m.run({ [name]: { data: x.data, shape: x.shape } }),
      close: () => m.dispose(),
    };
  },
  async 'ort-web'(file) {
    const { fileURLToPath } = await import('node:url');
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.simd = true;
    ort.env.wasm.proxy = false;
    ort.env.wasm.wasmPaths = fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/', import.meta.url));
    const session = await ort.InferenceSession.create(file, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return {
      label: 'onnxruntime-web (WASM EP)',
      run: (x) => session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.shape) }),
      close: () => session.release(),
    };
  },
};

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main() {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (o.help) return console.log(USAGE);
  process.env.WEBCNN_THREADS = '1';
  const file = freeSizeModel();
  const inputs = o.sizes.map((size) => makeInput(size, 3, [-2, 2]).nchw);
  console.log(machineHeader(process.argv));
  console.log(`model: ${file} (input [1, 3, height, width]); sizes ${o.sizes.map((s) => s.join('x')).join(', ')}; ` +
    `${o.warmup} warm-up rounds, ${o.runs} runs per size and phase twice, one thread\n`);
  const rows = [];
  for (const id of o.engines) {
    if (!ENGINES[id]) throw new Error(`unknown engine '${id}'`);
    const e = await ENGINES[id](file);
    if (e.outputSpec) console.log(`${e.label}: model.outputs shapes ${e.outputSpec}`);
    const first = [];
    for (const x of inputs) first.push(await timed(() => e.run(x)));
    // Untimed runs until V8 has tiered the code up: without them the first phase measured the tier-up
    // (alternating/fixed came out 0.79 one run and 1.22 the next).
    for (let r = 0; r < o.warmup; ++r) for (const x of inputs) await e.run(x);
    // Two rounds, the phases in opposite order, so neither is always the one that runs first.
    const fixedMs = inputs.map(() => []);
    const alternatingMs = inputs.map(() => []);
    const fixedPhase = async () => {
      for (let i = 0; i < inputs.length; ++i) for (let r = 0; r < o.runs; ++r) fixedMs[i].push(await timed(() => e.run(inputs[i])));
    };
    const alternatingPhase = async () => {
      for (let r = 0; r < o.runs; ++r) for (let i = 0; i < inputs.length; ++i) alternatingMs[i].push(await timed(() => e.run(inputs[i])));
    };
    await fixedPhase();
    await alternatingPhase();
    await alternatingPhase();
    await fixedPhase();
    const fixed = fixedMs.map(median);
    const alt = alternatingMs.map(median);
    const sum = (v) => v.reduce((a, b) => a + b, 0);
    rows.push({ label: e.label, first, fixed, alt, ratio: sum(alt) / sum(fixed) });
    await e.close();
  }
  console.log('\n| engine | size | first run ms | fixed ms (median) | alternating ms (median) |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of rows)
    o.sizes.forEach((s, i) => console.log(`| ${r.label} | ${s.join('x')} | ${r.first[i].toFixed(1)} | ${r.fixed[i].toFixed(2)} | ${r.alt[i].toFixed(2)} |`));
  console.log('\nalternating / fixed (sum over sizes of the medians):');
  for (const r of rows) console.log(`  ${r.label}: ${r.ratio.toFixed(3)}${r.ratio <= 1.1 ? '  (<= 1.1: met)' : '  (> 1.1: NOT MET)'}`);
  console.log(`\nload at the end: ${loadAverage()}`);
}

main().catch((e) => {
  console.error(e.stack || e.message);
  process.exit(1);
});
