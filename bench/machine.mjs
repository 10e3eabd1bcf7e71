// What the numbers were measured on: printed before any timing, because on a shared machine the load
// average matters as much as the CPU.
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch { /* not Linux */ }
  return cpus()[0]?.model ?? 'unknown CPU';
}

export function loadAverage() {
  return loadavg().map((x) => x.toFixed(2)).join(' ');
}

export function machineHeader(argv) {
  return [
    `date:    ${new Date().toISOString()}`,
    `command: node ${argv.slice(1).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`,
    `machine: ${cpuModel()}, ${cpus().length} logical cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node:    ${process.version} (V8 ${process.versions.v8})`,
    `load:    ${loadAverage()} (1, 5, 15 min)`,
  ].join('\n');
}
