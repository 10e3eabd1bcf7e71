#!/usr/bin/env node
// What it costs in memory to load a model and run it once, webcnn against its wasm peers (onnxruntime-web,
// TF.js wasm), one thread each. Every (model, engine) pair runs in a fresh Node process, because wasm
// memory only grows: a process that loaded one model first would hide the next one's peak. Reported:
//   engine = resident memory once the engine has started (its wasm compiled and instantiated; ONNX
//            Runtime's with a tiny model loaded and released), above what the process had after importing it;
//   peak   = the process's peak resident memory (getrusage maxRSS) minus that started baseline: what loading
//            the model and its first run ever needed at once (wasm memory never shrinks, so a page keeps
//            the wasm part of it). It includes code the engine compiles while it runs (V8 tiers hot wasm up);
//   after  = resident memory after load + 1 run, minus the same baseline;
//   wasm   = the engine's wasm memory then (it never shrinks: the most the engine's heap ever held), where the
//            engine tells (ONNX Runtime Web does not).
// Times are not measured here (bench/run.mjs does that).
//
//   node bench/memory.mjs [--models mobilenetv2,resnet18,emotion,blazeface,centernet] [--engines webcnn,ort-web,tfjs]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { makeInput } from './inputs.mjs';
import { loadAverage, machineHeader } from './machine.mjs';
import { MODELS } from './models.mjs';
import { readFlags } from './options.mjs';

const ENGINES = {
  webcnn: () => import('./engines/webcnn_wasm.mjs'),
  'ort-web': () => import('./engines/ort_web.mjs'),
  tfjs: () => import('./engines/tfjs_wasm.mjs'),
};
const USAGE = `usage: node bench/memory.mjs [--models a,b,...] [--engines a,b,...]
models:  ${Object.keys(MODELS).join(', ')}
engines: ${Object.keys(ENGINES).join(', ')}`;

const mib = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : '–');

// In the child: import the engine, note resident memory, load the model, run it once, report.
async function child(engineId, modelName) {
  process.env.WEBCNN_THREADS = '1'; // web/wasm_loader.js: the single-threaded build, like the peers
  const engine = await ENGINES[engineId]();
  const files = MODELS[modelName].prepare();
  const input = makeInput(files.input.size, files.input.channels, files.input.range);
  const model = { name: modelName, ...files };
  if (!engine.supports(model)) {
    console.log(JSON.stringify({ unsupported: true }));
    return;
  }
  const imported = process.memoryUsage().rss;
  await engine.start();
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  if (process.resourceUsage().maxRSS * 1024 > baseline + (1 << 20))
    console.error(`note: the engine's start peaked ${((process.resourceUsage().maxRSS * 1024 - baseline) / 2 ** 20).toFixed(1)} MiB above its baseline`);
  const handle = await engine.open(model, input);
  await handle.runOnce();
  const after = process.memoryUsage().rss;
  const peak = process.resourceUsage().maxRSS * 1024;
  const wasm = handle.wasmMemoryBytes ? await handle.wasmMemoryBytes() : NaN;
  await handle.close();
  console.log(JSON.stringify({ engine: baseline - imported, peak: peak - baseline, after: after - baseline, wasm }));
}

function measure(engineId, modelName) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', engineId, modelName],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !line?.startsWith('{')) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-1)[0] };
  return JSON.parse(line);
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') return child(argv[1], argv[2]);
  const o = { models: Object.keys(MODELS).filter((m) => !MODELS[m].tfliteOnly), engines: Object.keys(ENGINES) };
  try {
    readFlags(argv, { '--models': { list: true }, '--engines': { list: true }, '-h': { flag: true }, '--help': { flag: true } },
      (flag, value) => { if (flag === '-h' || flag === '--help') o.help = true; else o[flag.slice(2)] = value; });
    for (const m of o.models) if (!MODELS[m]) throw new Error(`unknown model '${m}'`);
    for (const e of o.engines) if (!ENGINES[e]) throw new Error(`unknown engine '${e}'`);
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (o.help) return console.log(USAGE);

  console.log(machineHeader(process.argv));
  console.log('Resident memory a fresh Node process needed to load each model and run it once, above what it had ' +
    'once the engine had started (peak = maxRSS; after = once the run returned); engine = what starting it took. ' +
    'One process per cell.\n');
  console.log('| model | engine | peak | after | webcnn/peer (peak) | wasm memory | engine start |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const name of o.models) {
    const results = {};
    for (const e of o.engines) results[e] = measure(e, name);
    const ours = results.webcnn?.peak;
    for (const e of o.engines) {
      const r = results[e];
      if (r.unsupported) continue;
      if (r.error) {
        console.log(`| ${MODELS[name].label} | ${e} | – | – | (${r.error}) | – | – |`);
        continue;
      }
      const ratio = e !== 'webcnn' && Number.isFinite(ours) ? (ours / r.peak).toFixed(2) : '';
      console.log(`| ${MODELS[name].label} | ${e} | ${mib(r.peak)} | ${mib(r.after)} | ${ratio} | ${mib(r.wasm)} | ${mib(r.engine)} |`);
    }
  }
  console.log(`\nload at the end: ${loadAverage()}`);
}

await main();
