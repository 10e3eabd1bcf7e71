// The native engine through `webcnn bench` (tools/cli_bench.cc): its own warm-up and timed runs on the
// steady clock, one thread; this adapter reads back the median. CLI: $WEBCNN_CLI, default build/webcnn.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { repoRoot } from '../models.mjs';

export const id = 'webcnn-native';
export const label = 'webcnn native (webcnn bench, 1 thread, the best kernel table of the CPU: avx2 or sse2)';
export const native = true;
export const cliPath = process.env.WEBCNN_CLI || join(repoRoot, 'build', 'webcnn');

export function supports(model) {
  return !!(model.onnx || model.tfjs || model.tflite);
}

/** Runs `webcnn bench FILE ...extra`; returns stdout, throws with stderr on failure. */
export function cliBench(file, extra) {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build the webcnn target or set WEBCNN_CLI`);
  const r = spawnSync(cliPath, ['bench', file, ...extra], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`webcnn bench ${file} failed: ${r.stderr || r.error}`);
  return r.stdout;
}

export async function open(model) {
  const file = model.onnx ?? model.tfjs ?? model.tflite;
  if (!existsSync(cliPath)) throw new Error(`${cliPath} does not exist: build the webcnn target or set WEBCNN_CLI`);
  // Load and first run as the CLI times them in a process of its own (file read, import, planning; one run).
  const once = cliBench(file, ['--warmup', '0', '--runs', '1']);
  const number = (re) => Number((re.exec(once) ?? [])[1]);
  return {
    loadMs: number(/^load_ms: ([\d.]+)/m),
    firstRunMs: number(/^first_run_ms: ([\d.]+)/m),
    // One sample: the CLI's own median over `runs` runs.
    measure(warmup, runs) {
      const out = cliBench(file, ['--warmup', String(warmup), '--runs', String(runs)]);
      const m = /^time_ms: median ([\d.]+)/m.exec(out);
      if (!m) throw new Error(`webcnn bench printed no time_ms line:\n${out}`);
      return [Number(m[1])];
    },
    close() {},
  };
}

/** MACs, planned arena, unshared intermediates and the largest step's working set, from one profiled run. */
export function modelFacts(model) {
  const out = cliBench(model.onnx ?? model.tfjs ?? model.tflite, ['--warmup', '0', '--runs', '1', '--profile', '--top', '0']);
  const num = (re) => {
    const m = re.exec(out);
    return m ? Number(m[1].replace(/,/g, '')) : NaN;
  };
  return {
    macs: num(/^MACs: ([\d,]+)/m),
    arenaBytes: num(/^arena: (?:.*?\()?(\d+) bytes/m),
    intermediatesBytes: num(/^intermediates \(unshared\): (?:.*?\()?(\d+) bytes/m),
    largestStepBytes: num(/^largest step working set .*?: (\d+) bytes/m),
  };
}
