#!/usr/bin/env node
// Where webcnn's wasm time goes, per op kind and per node, for one bench model (the same files and input
// as bench/run.mjs), single-threaded build, in this process:
//   node bench/profile.mjs MODEL [--runs 40] [--warmup 10] [--top 10]
// MODEL: mobilenetv2, resnet18, emotion, blazeface, centernet. The native build has the same report:
// `build/webcnn bench FILE --profile`.
import { makeInput } from './inputs.mjs';
import { machineHeader } from './machine.mjs';
import { MODELS } from './models.mjs';
import { readFlags } from './options.mjs';

function parseOptions(argv) {
  const o = { model: null, runs: 40, warmup: 10, top: 10 };
  readFlags(argv, { '--runs': { count: 1 }, '--warmup': { count: 0 }, '--top': { count: 0 } },
    (flag, value) => { o[flag.slice(2)] = value; },
    (arg) => {
      if (o.model) throw new Error(`one model only (got '${o.model}' and '${arg}')`);
      o.model = arg;
    });
  if (!MODELS[o.model]) throw new Error(`usage: node bench/profile.mjs MODEL [--runs N] [--warmup N] [--top N]; MODEL: ${Object.keys(MODELS).join(', ')}`);
  return o;
}

async function main() {
  const o = parseOptions(process.argv.slice(2));
  process.env.WEBCNN_THREADS = '1';  // before web/wasm_loader.js is imported: the single-threaded build
  const webcnn = await import('../web/webcnn.js');
  const files = MODELS[o.model].prepare();
  const input = makeInput(files.input.size, files.input.channels, files.input.range, 1, files.input.dtype);
  const model = await webcnn.load(files.onnx ?? files.tfjs ?? files.tflite, { worker: false });
  const x = files.onnx ? input.nchw : input.nhwc;
  const p = await model.profile({ [model.inputs[0].name]: { data: x.data, shape: x.shape } }, { warmup: o.warmup, runs: o.runs });
  await model.dispose();

  console.log(machineHeader(process.argv));
  const sum = p.nodes.reduce((a, n) => a + n.ms, 0);
  const gflops = (macs, ms) => (macs > 0 && ms > 0 ? (2 * macs / (ms * 1e6)).toFixed(2) : '');
  console.log(`\n${MODELS[o.model].label}, wasm (SIMD128, 1 thread): ${p.nodes.length} nodes; per-node medians sum to ` +
    `${sum.toFixed(3)} ms, whole-run median ${p.wholeRunMs.toFixed(3)} ms\n`);
  const kinds = new Map();
  for (const n of p.nodes) {
    const k = kinds.get(n.kind) ?? { nodes: 0, ms: 0, macs: 0 };
    k.nodes += 1;
    k.ms += n.ms;
    k.macs += n.macs;
    kinds.set(n.kind, k);
  }
  console.log('| kind | nodes | ms/run | share | GFLOP/s |\n|---|---:|---:|---:|---:|');
  for (const [kind, k] of [...kinds].sort((a, b) => b[1].ms - a[1].ms))
    console.log(`| ${kind} | ${k.nodes} | ${k.ms.toFixed(3)} | ${(100 * k.ms / sum).toFixed(1)}% | ${gflops(k.macs, k.ms)} |`);
  console.log(`\nslowest ${Math.min(o.top, p.nodes.length)} nodes:\n| ms | share | GFLOP/s | kind | output | node |\n|---:|---:|---:|---|---|---|`);
  for (const n of [...p.nodes].sort((a, b) => b.ms - a.ms).slice(0, o.top))
    console.log(`| ${n.ms.toFixed(3)} | ${(100 * n.ms / sum).toFixed(1)}% | ${gflops(n.macs, n.ms)} | ${n.kind} | [${n.outputShape.join(',')}] | ${n.name} |`);
  console.log(`\nlargest step working set: ${p.largestStepBytes} bytes (${p.largestStep})`);
}

main().then(() => process.exit(0), (e) => {
  console.error(e.message);
  process.exit(1);
});
