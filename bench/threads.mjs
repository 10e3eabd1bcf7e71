#!/usr/bin/env node
// The speed-up threads give webcnn in wasm: the same model, same input, in the threaded build
// (web/dist/webcnn_wasm_mt.*) on 1 and on 2 threads, and in the single-threaded build (what a page that
// is not cross-origin isolated gets), taking turns in blocks within each round like bench/run.mjs.
//   node bench/threads.mjs [--models mobilenetv2,resnet18] [--rounds 5] [--runs 40] [--warmup 10] [--block 5]
// Reports per model the quietest round (lowest geometric mean of the three medians): median ms and the
// speed-ups 1→2 threads (same build) and single-threaded build → 2 threads, with their range over rounds.
// A speed-up needs a second idle core: the load average is printed with every round.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { makeInput } from './inputs.mjs';
import { interleavedSamples } from './interleave.mjs';
import { loadAverage, machineHeader } from './machine.mjs';
import { MODELS, repoRoot } from './models.mjs';
import { readFlags } from './options.mjs';
import { geomean, median } from './stats.mjs';

const ONNX_MODELS = Object.keys(MODELS).filter((m) => ['mobilenetv2', 'resnet18'].includes(m));

function parseOptions(argv) {
  const o = { models: ['mobilenetv2'], rounds: 5, runs: 40, warmup: 10, block: 5 };
  const spec = { '--models': { list: true }, '--rounds': { count: 1 }, '--runs': { count: 1 }, '--warmup': { count: 0 },
    '--block': { count: 1 } };
  readFlags(argv, spec, (flag, value) => { o[flag.slice(2)] = value; });
  for (const m of o.models)
    if (!ONNX_MODELS.includes(m)) throw new Error(`--models takes ${ONNX_MODELS.join(', ')}\nusage: node bench/threads.mjs [--models a,b] [--rounds N] [--runs N] [--warmup N] [--block N]`);
  return o;
}

function unwrap(result) {
  if (result && result.error !== undefined) throw new Error(result.error);
  return result;
}

async function instantiate(stem) {
  const dist = join(repoRoot, 'web', 'dist');
  const factory = createRequire(import.meta.url)(join(dist, `${stem}.js`));
  return factory({ wasmBinary: readFileSync(join(dist, `${stem}.wasm`)) });
}

/** A runner on `module` with `threads` threads (null: the single-threaded build). */
function open(module, threads, bytes, feed) {
  // A plan sizes its per-thread scratch for the count in effect when the model loads: set it first,
  // and again before every run, because the two threaded runners share one module.
  if (threads) module.setThreads(threads);
  const { model } = unwrap(module.loadModel(bytes));
  const feeds = { [model.inputs()[0].name]: feed };
  const run = () => {
    if (threads) module.setThreads(threads);
    unwrap(model.run(feeds, undefined));
  };
  run();
  return { run, close: () => model.delete() };
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  console.log(machineHeader(process.argv));
  const mt = await instantiate('webcnn_wasm_mt');
  const st = await instantiate('webcnn_wasm');
  if (mt.maxThreads() < 2) throw new Error('the threaded build reports fewer than 2 threads');
  console.log(`plan:    ${o.rounds} round(s) × (${o.warmup} warm-up + ${o.runs} timed runs in blocks of ${o.block}) per variant\n`);

  const results = [];
  for (const name of o.models) {
    const files = MODELS[name].prepare();
    const input = makeInput(files.input.size, files.input.channels, files.input.range);
    const bytes = readFileSync(files.onnx);
    const feed = { data: input.nchw.data, shape: input.nchw.shape };
    const variants = [
      { id: 'single-threaded build', ...open(st, null, bytes, feed) },
      { id: 'threaded build, 1 thread', ...open(mt, 1, bytes, feed) },
      { id: 'threaded build, 2 threads', ...open(mt, 2, bytes, feed) },
    ];
    const rounds = [];
    for (let r = 0; r < o.rounds; ++r) {
      const samples = await interleavedSamples(variants.map((v) => ({ runOnce: v.run })),
        { warmup: r === 0 ? o.warmup : 0, runs: o.runs, block: o.block, rotate: r });
      const ms = Object.fromEntries(variants.map((v, i) => [v.id, median(samples[i])]));
      rounds.push({ ms, load: loadAverage(), score: geomean(Object.values(ms)) });
      console.log(`${name} round ${r + 1}: ${variants.map((v) => `${v.id} ${ms[v.id].toFixed(1)} ms`).join(', ')} (load ${rounds.at(-1).load})`);
    }
    for (const v of variants) v.close();
    results.push({ name, rounds });
  }

  console.log('\n| model | single-threaded build | threaded, 1 thread | threaded, 2 threads | 1 → 2 threads | single build → 2 threads | load |');
  console.log('|---|---|---|---|---|---|---|');
  for (const { name, rounds } of results) {
    const best = rounds.reduce((a, b) => (b.score < a.score ? b : a));
    const [s, one, two] = ['single-threaded build', 'threaded build, 1 thread', 'threaded build, 2 threads'].map((k) => best.ms[k]);
    const range = (f) => {
      const xs = rounds.map(f);
      return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
    };
    const up12 = (r) => r.ms['threaded build, 1 thread'] / r.ms['threaded build, 2 threads'];
    const upS2 = (r) => r.ms['single-threaded build'] / r.ms['threaded build, 2 threads'];
    console.log(`| ${MODELS[name].label} | ${s.toFixed(1)} ms | ${one.toFixed(1)} ms | ${two.toFixed(1)} ms | ` +
      `×${up12(best).toFixed(2)} (${range(up12)}) | ×${upS2(best).toFixed(2)} (${range(upS2)}) | ${best.load} |`);
  }
}

main().then(() => process.exit(0), (e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
