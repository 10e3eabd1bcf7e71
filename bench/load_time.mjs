#!/usr/bin/env node
// Load and first run as run.mjs times them (engine started on a small CNN first, then the model's file to a
// runnable model, then one inference), but each sample in a fresh process, several samples per engine, the
// engines taking turns: run.mjs takes one sample per model, which a shared machine easily doubles. Prints
// per model and engine the median load, first run and load + first run (with the range over the samples),
// and the ratios webcnn/peer of the medians.
//
//   node bench/load_time.mjs [--models mobilenetv2,resnet18,emotion,blazeface,centernet] [--samples 5]
//                            [--engines webcnn,tfjs,ort-web]
// Env: WEBCNN_WEB=/path/to/web (webcnn.js of another build, e.g. to compare with an older dist).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { makeInput } from './inputs.mjs';
import { loadAverage, machineHeader } from './machine.mjs';
import { MODELS } from './models.mjs';
import { readFlags } from './options.mjs';
import { median } from './stats.mjs';

const ENGINE_MODULES = {
  webcnn: './engines/webcnn_wasm.mjs',
  'ort-web': './engines/ort_web.mjs',
  tfjs: './engines/tfjs_wasm.mjs',
};

/** In the child: start the engine, then load the model and run it once; prints {loadMs, firstRunMs} or {skip}. */
async function child(engineId, modelName) {
  process.env.WEBCNN_THREADS = '1'; // before web/wasm_loader.js is imported (as run.mjs does)
  const engine = await import(ENGINE_MODULES[engineId]);
  const model = { name: modelName, ...MODELS[modelName].prepare() };
  if (!engine.supports(model)) {
    console.log(JSON.stringify({ skip: true }));
    return;
  }
  await engine.start?.();
  const input = makeInput(model.input.size, model.input.channels, model.input.range, 1, model.input.dtype);
  const opened = await engine.open(model, input);
  console.log(JSON.stringify({ loadMs: opened.loadMs, firstRunMs: opened.firstRunMs, label: engine.label }));
  await opened.close();
}

function parseOptions(argv) {
  const o = { models: ['mobilenetv2', 'resnet18', 'emotion', 'blazeface', 'centernet'], samples: 5,
    engines: ['webcnn', 'tfjs', 'ort-web'] };
  readFlags(argv, { '--models': { list: true }, '--engines': { list: true }, '--samples': { count: 1 } },
    (flag, value) => { o[flag.slice(2)] = value; });
  for (const m of o.models) if (!MODELS[m]) throw new Error(`unknown model '${m}'`);
  for (const e of o.engines) if (!ENGINE_MODULES[e]) throw new Error(`unknown engine '${e}' (${Object.keys(ENGINE_MODULES).join(', ')})`);
  return o;
}

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const spread = (xs) => (xs.length ? `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})` : '–');

async function main() {
  if (process.argv[2] === '--child') return child(process.argv[3], process.argv[4]);
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\nusage: node bench/load_time.mjs [--models a,b] [--samples N] [--engines ${Object.keys(ENGINE_MODULES).join(',')}]`);
    process.exit(2);
  }
  console.log(machineHeader(process.argv));
  console.log(`plan:    ${o.samples} fresh process(es) per model and engine, engines taking turns${process.env.WEBCNN_WEB ? `; webcnn from ${process.env.WEBCNN_WEB}` : ''}\n`);
  for (const m of o.models) MODELS[m].prepare(); // generated files made once, before any timing
  const samples = {}; // model → engine → [{loadMs, firstRunMs}]
  const labels = {};
  const self = fileURLToPath(import.meta.url);
  for (let s = 0; s < o.samples; ++s) {
    for (const m of o.models) {
      const order = o.engines.map((_, i) => o.engines[(i + s) % o.engines.length]); // rotates every sample
      for (const e of order) {
        const r = spawnSync(process.execPath, [self, '--child', e, m], { encoding: 'utf8', env: process.env });
        const last = r.stdout.trim().split('\n').at(-1);
        if (r.status !== 0 || !last) throw new Error(`${e} on ${m} failed: ${r.stderr}`);
        const sample = JSON.parse(last);
        if (sample.skip) continue;
        labels[e] = sample.label;
        ((samples[m] ??= {})[e] ??= []).push(sample);
      }
    }
    console.log(`sample ${s + 1}/${o.samples} done (load ${loadAverage()})`);
  }
  console.log('\nLoad and first run, ms: median (range) over fresh processes; ratio = webcnn/peer of the medians.\n');
  console.log('| model | engine | load | first run | load + first run | webcnn/peer load | webcnn/peer load + first |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const m of o.models) {
    const per = samples[m] ?? {};
    const med = (e, f) => median((per[e] ?? []).map(f));
    const load = (x) => x.loadMs;
    const both = (x) => x.loadMs + x.firstRunMs;
    for (const e of o.engines) {
      const xs = per[e];
      if (!xs) continue;
      const ratio = (f) => (e === 'webcnn' || !per.webcnn ? '' : (med('webcnn', f) / med(e, f)).toFixed(2));
      console.log(`| ${MODELS[m].label} | ${labels[e]} | ${spread(xs.map(load))} | ${spread(xs.map((x) => x.firstRunMs))} | ` +
        `${spread(xs.map(both))} | ${ratio(load)} | ${ratio(both)} |`);
    }
  }
  console.log(`\nload at the end: ${loadAverage()}`);
}

await main();
