// Model files from wherever they are (URL, path in Node, bytes, Blobs and Files, {modelJson, weights}),
// read with progress into the payload Engine.load takes: {format: 'onnx' | 'tflite', bytes} or
// {format: 'tfjs', json, shards}.

import { CallerThrew, codedError, ErrorCode, invalidArgument, invalidArgumentType, withCode } from './errors.js';
import { isNode, nodeBuiltin } from './environment.js';
import { LoadProgress } from './load_progress.js';

async function readStream(reader, file, progress) {
  const chunks = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      progress.add(file, value.byteLength);
    }
  } catch (e) {
    reader.cancel().catch(() => {}); // stop the download (onProgress threw, or the read failed)
    throw e;
  }
  const bytes = new Uint8Array(chunks.reduce((s, c) => s + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  progress.finish(file);
  return bytes;
}

/** A Blob's bytes; what: the file's description for errors. */
async function readBlob(blob, file, progress, what) {
  file.size = blob.size;
  try {
    return await readStream(blob.stream().getReader(), file, progress);
  } catch (e) {
    if (e instanceof CallerThrew) throw e;
    throw invalidArgument(`cannot read ${what}: ${e.message}`);
  }
}

/** fetch() with progress; fail(detail) makes the Error for a failure. */
async function fetchBytes(url, file, progress, fail) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw fail(e.message);
  }
  if (!response.ok) throw fail(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  // Content-Length is the size on the wire; with compression it undercounts, so it is only a hint.
  file.size = Number(response.headers.get('content-length')) || null;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    progress.add(file, bytes.byteLength);
    progress.finish(file);
    return bytes;
  }
  return readStream(response.body.getReader(), file, progress);
}

// Synchronous reads: each asynchronous one is a round trip through libuv's thread pool, and on a busy
// machine every wake-up after one waited for a time slice (a 14-chunk ONNX file or a model.json and its
// shard took 30-130 ms more than the reading itself). In Node the in-process engine then blocks this thread
// for the whole import anyway.
async function readFileBytes(path, file, progress, fail) {
  const { openSync, fstatSync, readSync, closeSync } = await nodeBuiltin('fs');
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw fail(e.code === 'ENOENT' ? 'no such file' : e.message);
  }
  try {
    const { size } = fstatSync(fd);
    file.size = size;
    const bytes = new Uint8Array(size);
    const chunk = 1 << 20;
    let loaded = 0;
    while (loaded < size) {
      const bytesRead = readSync(fd, bytes, loaded, Math.min(chunk, size - loaded), loaded);
      if (bytesRead === 0) break;
      loaded += bytesRead;
      progress.add(file, bytesRead);
    }
    progress.finish(file);
    return loaded === size ? bytes : bytes.subarray(0, loaded);
  } finally {
    closeSync(fd);
  }
}

/** Where a file is: {url} (fetched) or {path} (Node file system); name: as errors show it. */
async function locate(source) {
  const text = String(source);
  if (isNode) {
    if (/^https?:/i.test(text)) return { url: new URL(text), name: text };
    if (/^file:/i.test(text)) {
      const { fileURLToPath } = await nodeBuiltin('url');
      return { path: fileURLToPath(text), name: text };
    }
    return { path: text, name: text };
  }
  const base = typeof document !== 'undefined' ? document.baseURI : self.location.href;
  return { url: new URL(text, base), name: text };
}

async function beside(location, relative) {
  if (location.url) return { url: new URL(relative, location.url) };
  const { dirname, join } = await nodeBuiltin('path');
  return { path: join(dirname(location.path), relative) };
}

/** A file or URL that cannot be read, also halfway through, is the caller's: INVALID_ARGUMENT. */
async function readLocation(location, file, progress, fail) {
  try {
    return await (location.url ? fetchBytes(location.url, file, progress, fail) : readFileBytes(location.path, file, progress, fail));
  } catch (e) {
    throw withCode(e, ErrorCode.INVALID_ARGUMENT);
  }
}

const viewOf = (bytes) => (bytes instanceof Uint8Array ? bytes
  : bytes instanceof ArrayBuffer ? new Uint8Array(bytes)
  : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));

const isBytes = (x) => x instanceof ArrayBuffer || ArrayBuffer.isView(x);
const isBlob = (x) => typeof Blob !== 'undefined' && x instanceof Blob;

/** A file's text starts with '{' (after an optional byte order mark and white space): a model.json. */
function looksLikeJson(bytes) {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) ++i;
  return bytes[i] === 0x7b;
}

/** A TFLite FlatBuffer: its file identifier "TFL3" sits at bytes 4..7, after the root table offset. */
function looksLikeTflite(bytes) {
  return bytes.length >= 8 && bytes[4] === 0x54 && bytes[5] === 0x46 && bytes[6] === 0x4c && bytes[7] === 0x33;
}

/** A single-file model (ONNX or TFLite) by its name or, failing that, its bytes. */
function binaryPayload(bytes, name = '') {
  return { format: /\.tflite$/i.test(name) || looksLikeTflite(bytes) ? 'tflite' : 'onnx', bytes };
}

const BYTES_PER_ELEMENT = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/**
 * Why a manifest path may not name a shard, or null when it may. Shard paths are URLs relative to
 * model.json, and URL resolution decodes '%2e%2e' as '..': the path is checked as what it decodes to,
 * and encodings that hide a separator or a second round of escapes are refused. The C++ importer applies
 * the same rule (engine/src/import/tfjs/shard_path.cc).
 */
export function shardPathProblem(path) {
  if (typeof path !== 'string') return 'no text';
  if (path === '') return 'nothing in it';
  if (/%(?![0-9a-f]{2})/i.test(path)) return 'a malformed percent escape';
  if (/%(2f|5c|25)/i.test(path)) return "an encoded '/', '\\' or '%'";
  const decoded = path.replace(/%([0-9a-f]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  if ([...decoded].some((c) => c < ' ' || c === '\x7f')) return 'a control character';
  if (/^[/\\]/.test(decoded)) return 'an absolute path';
  if (/^[^/\\]*:/.test(decoded)) return 'a scheme or drive';
  if (decoded.split(/[/\\]/).includes('..')) return "a '..' segment";
  return null;
}

/**
 * The weight shards model.json names, in manifest order, each with its group's expected byte count
 * (from the weights' shapes and dtypes, for progress). The engine checks everything again; here only
 * what reading the files needs: shard paths stay beside model.json.
 */
function shardList(manifest, jsonName) {
  const groups = Array.isArray(manifest?.weightsManifest) ? manifest.weightsManifest : [];
  const shards = [];
  for (const [index, group] of groups.entries()) {
    let need = 0;
    for (const w of Array.isArray(group?.weights) ? group.weights : []) {
      const n = Array.isArray(w?.shape) ? w.shape.reduce((a, d) => a * (Number(d) || 0), 1) : 0;
      need += n * (BYTES_PER_ELEMENT[w?.quantization?.dtype ?? w?.dtype] ?? 0);
    }
    for (const path of Array.isArray(group?.paths) ? group.paths : []) {
      const problem = shardPathProblem(path);
      if (problem) {
        throw codedError(`${jsonName}: weightsManifest shard path '${path}' must be relative to model.json, without '..' ` +
          `(it has ${problem})`, ErrorCode.INVALID_MODEL);
      }
      shards.push({ path, group: index, need });
    }
  }
  return shards;
}

// The engine's bound on model.json (kMaxJsonBytes in engine/src/import/tfjs/tfjs_importer.cc), checked
// here too so an oversized file is refused before it is parsed and copied into wasm memory, which would
// keep the copy's size for good (wasm memory never shrinks).
const MAX_MODEL_JSON_BYTES = 256 * 2 ** 20;

function checkModelJsonSize(byteLength, name) {
  if (byteLength > MAX_MODEL_JSON_BYTES) {
    throw codedError(`${name} is ${byteLength} bytes, more than the limit of ${MAX_MODEL_JSON_BYTES} for a model.json`,
      ErrorCode.INVALID_MODEL);
  }
}

function parseModelJson(text, name) {
  // UTF-8 takes at least one byte per UTF-16 code unit: a text this long is over the limit as bytes too.
  checkModelJsonSize(text.length, name);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw codedError(`${name} is not valid JSON: ${e.message}`, ErrorCode.INVALID_MODEL);
  }
}

const fileName = (path) => path.split(/[/\\]/).pop();
const quoted = (names) => names.map((n) => `'${n}'`).join(', ') || 'none';

/**
 * A TF.js model from model.json's text and a way to read each shard:
 * readShard(path, progressFile) → Uint8Array (or throws an Error naming the shard).
 */
async function tfjsPayload(text, jsonName, progress, readShard) {
  const manifest = parseModelJson(text, jsonName);
  const list = shardList(manifest, jsonName);
  const groups = new Map();
  for (const { group, need } of list) if (!groups.has(group)) groups.set(group, progress.group(need));
  const files = list.map(({ group }) => progress.file(null, groups.get(group)));
  progress.emit();
  // All shards at once (as TF.js does); the first failure in manifest order is reported.
  const results = await Promise.allSettled(list.map(({ path }, i) => readShard(path, files[i])));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  const shards = {};
  list.forEach(({ path }, i) => { shards[path] = results[i].value; });
  return { format: 'tfjs', json: text, shards };
}

/**
 * model.json's bytes as text, refused before decoding when there are too many, and when they are not
 * UTF-8 (JSON must be): a lenient decoder would turn a damaged byte into U+FFFD, which JSON.parse then
 * quotes back as '\uFFFD' with no word of where it was.
 */
function decodeText(bytes, name) {
  checkModelJsonSize(bytes.byteLength, name);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder().decode(bytes);
    const at = new TextEncoder().encode(lenient.slice(0, lenient.indexOf('\uFFFD'))).length;
    throw codedError(`${name} is not valid JSON: not UTF-8 text at byte ${at}`, ErrorCode.INVALID_MODEL);
  }
}

/** A model at a URL or path: ONNX, TFLite, or a TF.js model.json whose shards are beside it. */
async function readFromLocation(source, progress) {
  const location = await locate(source);
  const file = progress.file();
  const bytes = await readLocation(location, file, progress, (detail) =>
    invalidArgument(location.url ? `cannot load model ${location.name}: ${detail}` : `cannot open model file ${location.name}: ${detail}`));
  const pathname = location.url ? location.url.pathname : location.path;
  if (!/\.json$/i.test(pathname) && !looksLikeJson(bytes)) return binaryPayload(bytes, pathname);
  return tfjsPayload(decodeText(bytes, location.name), location.name, progress, async (path, shardFile) =>
    readLocation(await beside(location, path), shardFile, progress, (detail) =>
      invalidArgument(`cannot load weights shard '${path}' beside ${location.name}: ${detail}`)));
}

/** Bytes in memory: ONNX, TFLite, or a model.json that needs no shards. */
function fromBytes(bytes, name) {
  if (!looksLikeJson(bytes)) return binaryPayload(bytes);
  const text = decodeText(bytes, name);
  const shards = shardList(parseModelJson(text, name), name);
  if (shards.length) {
    throw invalidArgument(`${name} is a TF.js model.json; its weight shards (${quoted(shards.map((s) => s.path))}) are needed ` +
      'too: load it by URL or path, as a list of files with its .bin files, or as {modelJson, weights}');
  }
  return { format: 'tfjs', json: text, shards: {} };
}

/**
 * Picks the given file for a shard path: by the path itself (a key of {weights}, or a File's
 * webkitRelativePath ending in it), else by its file name alone.
 */
function matchShard(path, candidates, describeMissing) {
  const exact = candidates.filter((c) => c.name === path || (c.relative && (c.relative === path || c.relative.endsWith(`/${path}`))));
  if (exact.length) return exact[0].value;
  const byName = candidates.filter((c) => fileName(c.name) === fileName(path));
  if (byName.length === 1) return byName[0].value;
  if (byName.length > 1) throw invalidArgument(`weights shard '${path}': several given files are named '${fileName(path)}' (${quoted(byName.map((c) => c.name))})`);
  throw invalidArgument(describeMissing(path));
}

async function shardBytes(value, path, shardFile, progress) {
  if (isBlob(value)) return readBlob(value, shardFile, progress, `weights shard '${path}'`);
  if (!isBytes(value)) throw invalidArgumentType(`weights shard '${path}' must be an ArrayBuffer, a typed array or a Blob`);
  const bytes = viewOf(value);
  shardFile.size = bytes.byteLength;
  progress.add(shardFile, bytes.byteLength);
  return bytes;
}

/** Files from <input type=file multiple> or a drop: a model.json and its shards, or one .onnx or .tflite. */
async function readFromFiles(list, progress) {
  const files = Array.from(list);
  if (!files.length) throw invalidArgument('load(files): no files were given');
  for (const f of files) if (!isBlob(f)) throw invalidArgumentType('load(files): every entry must be a File or Blob');
  const names = files.map((f, i) => f.name || `file ${i + 1}`);
  const jsons = files.filter((f) => /\.json$/i.test(f.name ?? ''));
  const single = files.filter((f) => /\.(onnx|tflite)$/i.test(f.name ?? ''));
  let main;
  if (jsons.length === 1) main = jsons[0];
  else if (jsons.length > 1) throw invalidArgument(`several .json files were given (${quoted(jsons.map((f) => f.name))}): give one model.json and its .bin shards`);
  else if (single.length === 1 || files.length === 1) main = single[0] ?? files[0];
  else throw invalidArgument(`no model among the files (${quoted(names)}): give a model.json with its .bin shards, or one .onnx or .tflite file`);
  const mainName = main.name || 'the model file';
  if (main === jsons[0]) checkModelJsonSize(main.size, mainName);
  const bytes = await readBlob(main, progress.file(), progress, mainName);
  if (main !== jsons[0] && !looksLikeJson(bytes)) return binaryPayload(bytes, main.name ?? '');
  const others = files.filter((f) => f !== main).map((f) => ({ name: f.name ?? '', relative: f.webkitRelativePath || '', value: f }));
  return tfjsPayload(decodeText(bytes, mainName), mainName, progress, async (path, shardFile) => {
    const value = matchShard(path, others, (p) => `weights shard '${p}' named by ${mainName} is not among the given files (${quoted(names)})`);
    return shardBytes(value, path, shardFile, progress);
  });
}

/** {modelJson, weights} */
async function readFromParts({ modelJson, weights = {} }, progress) {
  let text;
  if (typeof modelJson === 'string') text = modelJson;
  else if (isBlob(modelJson)) {
    checkModelJsonSize(modelJson.size, modelJson.name || 'modelJson');
    text = decodeText(await readBlob(modelJson, progress.file(), progress, modelJson.name || 'modelJson'), modelJson.name || 'modelJson');
  } else if (isBytes(modelJson)) text = decodeText(viewOf(modelJson), 'modelJson');
  else if (modelJson && typeof modelJson === 'object') text = JSON.stringify(modelJson);
  else throw invalidArgumentType('load({modelJson, weights}): modelJson must be model.json\'s text, its parsed object or a Blob');
  if (!isBlob(modelJson)) {
    const f = progress.file(0);
    progress.add(f, new TextEncoder().encode(text).byteLength);
    progress.finish(f);
  }
  if (weights === null || typeof weights !== 'object')
    throw invalidArgumentType('load({modelJson, weights}): weights must be {[shard path]: ArrayBuffer | typed array | Blob}');
  const given = Object.entries(weights).map(([name, value]) => ({ name, relative: '', value }));
  return tfjsPayload(text, 'modelJson', progress, async (path, shardFile) => {
    const value = matchShard(path, given, (p) => `weights shard '${p}' named by modelJson is missing from weights (given: ${quoted(given.map((g) => g.name))})`);
    return shardBytes(value, path, shardFile, progress);
  });
}

const isFileList = (x) => Array.isArray(x) || (typeof FileList !== 'undefined' && x instanceof FileList);

/**
 * The model's files as a payload for Engine.load, with owned: whether its buffers are ours (read here)
 * and may be transferred, and bytes: the total size of the files.
 */
export async function modelPayload(source, onProgress) {
  const progress = new LoadProgress(onProgress);
  let payload;
  let owned = true;
  if (typeof source === 'string' || source instanceof URL) {
    payload = await readFromLocation(source, progress);
  } else if (isBytes(source)) {
    payload = fromBytes(viewOf(source), 'model.json (given as bytes)');
    owned = false;
  } else if (isBlob(source)) {
    payload = await readFromFiles([source], progress);
  } else if (isFileList(source)) {
    payload = await readFromFiles(source, progress);
  } else if (source && typeof source === 'object' && 'modelJson' in source) {
    payload = await readFromParts(source, progress);
    owned = false; // shards may be the caller's buffers
  } else {
    throw invalidArgumentType('load(source): source must be a URL, a path (Node), an ArrayBuffer, a typed array, a Blob, ' +
      'a list of Files, or {modelJson, weights}');
  }
  const bytes = payload.format === 'tfjs'
    ? new TextEncoder().encode(payload.json).byteLength + Object.values(payload.shards).reduce((s, b) => s + b.byteLength, 0)
    : payload.bytes.byteLength;
  if (progress.files.length) progress.done();
  return { payload, owned, bytes };
}
