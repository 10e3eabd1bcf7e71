// The hostile-input probe (scripts/hostile_probe.mjs, issue 18) on its quick set: a dozen seeded inputs per
// category through the native CLI, the JS API and the demo server. None may crash, hang, come back with an
// unclear message, or be wrongly accepted or refused. The full run (a few thousand inputs) is
// `node scripts/hostile_probe.mjs --count 500`.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { formatTable, runProbe, summarise } from '../../scripts/hostile_probe.mjs';
import { cliPath } from './support/cli.mjs';

test('hostile probe, quick set: no crash, hang, unclear message or wrong outcome', { timeout: 120_000 }, async () => {
  const results = await runProbe({ seed: 1, count: 12, burst: 30, cli: cliPath, out: null });
  const table = formatTable(summarise(results));
  const surfaces = new Set(results.map((r) => r.surface));
  assert.ok(surfaces.has('js') && surfaces.has('server'), table);
  // CI builds the CLI; a local run without it still probes the JS API and the server.
  if (process.env.CI || existsSync(cliPath)) assert.ok(surfaces.has('cli'), `no CLI at ${cliPath}`);
  const findings = results.filter((r) => !['clean', 'success'].includes(r.class));
  assert.deepEqual(findings.map((r) => `${r.class} ${r.category}/${r.surface} #${r.index} ${r.name}: ${r.reason ?? ''} ${r.message ?? ''}`), [], table);
  assert.ok(results.length >= 100, `${results.length} inputs\n${table}`);
});
