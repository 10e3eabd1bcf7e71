// The hostile-input probe (scripts/hostile_probe.mjs, issue 18) on its quick set: a dozen seeded inputs per
// category through the native CLI, the JS API and the demo server. None may crash, hang, come back with an
// unclear message, or be wrongly accepted or refused. The full run (a few thousand inputs) is
// `node scripts/hostile_probe.mjs --count 500`.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { formatTable, runProbe, summarise } from '../../scripts/hostile_probe.mjs';
import { smallCnnModel } from '../probe/cases.mjs';
import { unclearReason } from '../probe/outcome.mjs';
import { cliPath, repoRoot, runCli } from './support/cli.mjs';

const webcnn = await import('../../web/webcnn.js');

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

// The probe's minimised findings (tests/probe/findings/README.md): names quoted from the file (a PNG chunk
// type, a JSON character, an ONNX op type, a TFLite custom op name) came back as raw bytes. Status escapes
// them where a message is built: control bytes and bytes that are not UTF-8 text read as \xNN.
const findings = join(repoRoot, 'tests', 'probe', 'findings');
const FINDINGS = [
  { file: 'png_chunk_type_bytes.png', command: 'classify', quoted: "chunk '\\xff\\x01g\\x02'" },
  { file: 'json_byte_not_utf8.json', command: 'info', quoted: "unexpected character '\\xff'" },
  { file: 'onnx_op_type_bytes.onnx', command: 'info', quoted: 'Rel\\xff', js: true },
  { file: 'tflite_custom_op_name_bytes.tflite', command: 'info', quoted: "custom op 'MyFa\\xff\\xff\\xff\\x7fp'", js: true },
];

test('the probe\'s findings through the CLI: names from the file quoted as \\xNN, no raw bytes', { skip: !existsSync(cliPath) && !process.env.CI && `no CLI at ${cliPath}` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'webcnn-findings-'));
  try {
    const cnn = join(dir, 'small_cnn.onnx');
    writeFileSync(cnn, smallCnnModel());
    for (const { file, command, quoted } of FINDINGS) {
      const path = join(findings, file);
      const r = runCli(command === 'classify' ? ['classify', cnn, path] : ['info', path]);
      assert.equal(r.status, 1, `${file}: ${r.stderr}`);
      const message = r.stderr.trim();
      assert.equal(unclearReason(message), null, `${file}: ${message}`);
      assert.ok(message.includes(quoted), `${file}: ${message}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the probe\'s findings through load(): the engine\'s message quotes the names as \\xNN', async () => {
  for (const { file, quoted } of FINDINGS.filter((f) => f.js)) {
    await assert.rejects(webcnn.load(new Uint8Array(readFileSync(join(findings, file))), { worker: false }), (e) => {
      assert.equal(e.code, 'UNSUPPORTED_OP', e.message);
      assert.equal(unclearReason(e.message), null, `${file}: ${e.message}`);
      assert.ok(e.message.includes(quoted), `${file}: ${e.message}`);
      return true;
    });
  }
});
