#!/usr/bin/env node
// Load time against graph size (issue 18 item 2): `webcnn info` (import, validation, passes, shape
// inference, planning) on generated graphs of 10k, 40k and 100k nodes. Planning must be about
// O(n log n): the 100k/10k ratio should stay <= 12 (it was ~130 for the Identity chain when every alias
// lookup walked the chain and every buffer scanned every placed one).
//   chain       ONNX Identity chain (alias chains)
//   relu        ONNX Relu chain (one short-lived arena buffer per node)
//   fanin       ONNX N-way Concat of N Relu nodes (N buffers alive together)
//   tfjs-chain  TF.js graph-model Identity chain
// Models come from bench/make_scale_graph.py (Debian's python3-onnx) into a temporary directory.
//
//   node bench/planning_scale.mjs [--kinds chain,relu,fanin,tfjs-chain] [--sizes 10000,40000,100000] [--runs 3]
// Uses build/webcnn, or $WEBCNN_CLI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readFlags } from './options.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = process.env.WEBCNN_CLI || join(here, '..', 'build', 'webcnn');
let kinds = ['chain', 'relu', 'fanin', 'tfjs-chain'];
let sizes = [10000, 40000, 100000];
let runs = 3;
readFlags(process.argv.slice(2), { '--kinds': { list: true }, '--sizes': { list: true }, '--runs': { count: 1 } }, (flag, v) => {
  if (flag === '--kinds') kinds = v;
  else if (flag === '--sizes') sizes = v.map(Number);
  else runs = v;
});

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const dir = mkdtempSync(join(tmpdir(), 'webcnn-scale-'));
try {
  console.log(`cli: ${cli}; median of ${runs} runs of \`webcnn info\``);
  console.log('kind        ' + sizes.map((n) => `${n} nodes`.padStart(14)).join('') + '   largest/smallest');
  for (const kind of kinds) {
    const times = [];
    for (const n of sizes) {
      const out = join(dir, `${kind}-${n}${kind === 'tfjs-chain' ? '' : '.onnx'}`);
      execFileSync('/usr/bin/python3', [join(here, 'make_scale_graph.py'), kind, String(n), out]);
      const model = kind === 'tfjs-chain' ? join(out, 'model.json') : out;
      const ms = [];
      for (let r = 0; r < runs; ++r) {
        const t0 = process.hrtime.bigint();
        const res = spawnSync(cli, ['info', model], { encoding: 'utf8' });
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (res.status !== 0) throw new Error(`${kind} ${n}: ${res.stderr.trim()}`);
      }
      times.push(median(ms));
    }
    const ratio = times[times.length - 1] / times[0];
    console.log(kind.padEnd(12) + times.map((t) => `${t.toFixed(0)} ms`.padStart(14)).join('') + `   ${ratio.toFixed(1)}x`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
