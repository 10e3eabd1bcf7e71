// The demo's static server (Node, no dependencies): serves web/ at / and the fetched models
// (models/<dir>/, see models/models.json) at /models/<dir>/, the committed TFLite models at /models/tflite/
// and the sample photos (tests/data/photos) at /photos/, with
//  - the right MIME types (application/wasm lets browsers compile the module while it streams),
//  - brotli or gzip for text and wasm, compressed once per file version (concurrent requests share one
//    compression, one runs at a time) and kept in memory; other bodies streamed from disk, with Range,
//  - ETag/Last-Modified revalidation (If-None-Match lists, weak comparison; Cache-Control: no-cache), so a
//    rebuilt wasm or re-fetched model is picked up at once while unchanged files cost a 304,
//  - COOP/COEP (+ CORP), so the page is cross-origin isolated (SharedArrayBuffer for a threaded build),
//  - a Content-Security-Policy that lets the page talk to its own origin only: images, frames and face
//    embeddings cannot be sent anywhere else, whatever a script tried.
// Nothing is written or uploaded: every request but GET/HEAD is refused.
//
//   node web/server.mjs [--port 8080] [--host 127.0.0.1]
// Importable too: createDemoServer({webRoot, mounts}) returns an http.Server (tests listen on port 0).
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

export const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream', '.onnx': 'application/octet-stream', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon', '.bmp': 'image/bmp', '.ts': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
  '.tflite': 'application/octet-stream',
};
// Weight shards and photos (but BMPs) are already dense: compressing them costs time and saves little.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt', '.ts', '.md', '.bmp']);

const SECURITY_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // 'self' only: no request can leave for another host. blob:/data: for local photos and the camera;
  // wasm-unsafe-eval to compile WebAssembly; unsafe-eval because Embind's generated glue builds its
  // invokers with new Function() (a build with -sDYNAMIC_EXECUTION=0 would not need it).
  'Content-Security-Policy': [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'", "worker-src 'self' blob:",
    "img-src 'self' blob: data:", "media-src 'self' blob: mediastream:", "connect-src 'self' blob: data:",
    "style-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; '),
};

// Compressing is CPU and memory work: one file at a time, whatever the number of requests; each file
// version is compressed once, so this costs little.
const MAX_CONCURRENT_COMPRESSIONS = 1;
// Brotli 7, not 9: on the 1.2 MB wasm the output is 0.5% larger (320.6 vs 319.1 kB) for 12 MB of
// encoder memory instead of 36 MB (11 would save 11% but take 7 s per rebuilt file).
const BROTLI_QUALITY = 7;
// Larger compressible files are streamed as they are (their compressed copy would be kept in memory).
const MAX_COMPRESSED_SOURCE_BYTES = 64 << 20;

function pickEncoding(acceptEncoding = '') {
  const accepted = new Set(acceptEncoding.split(',').map((s) => s.split(';')[0].trim().toLowerCase()));
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

/** Runs at most `max` of the functions given to it at once; the others wait their turn, in order. */
function concurrencyLimit(max) {
  let active = 0;
  const waiting = [];
  const next = () => {
    if (active < max && waiting.length) { active++; waiting.shift()(); }
  };
  return async (fn) => {
    await new Promise((resolve) => { waiting.push(resolve); next(); });
    try {
      return await fn();
    } finally {
      active--;
      next();
    }
  };
}

/** The file brotli- or gzip-compressed, read as a stream (the raw file is never whole in memory). */
async function compressFile(file, size, encoding) {
  const compressor = encoding === 'br'
    ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size } })
    : zlib.createGzip({ level: 9 });
  const chunks = [];
  await pipeline(createReadStream(file), compressor, async (source) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return Buffer.concat(chunks);
}

/**
 * RFC 9110 13.1.2: If-None-Match is "*" or a list of entity tags, compared weakly (W/"x" matches "x").
 * True when the header names the current representation.
 */
export function noneMatchHits(ifNoneMatch, etag) {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = (tag) => tag.replace(/^W\//, '');
  return (ifNoneMatch.match(/(?:W\/)?"[^"]*"/g) || []).some((tag) => opaque(tag) === opaque(etag));
}

/**
 * RFC 9110 14.2 for a file of `size` bytes: {start, end} (inclusive) for one satisfiable byte range,
 * 'unsatisfiable' for a bytes range that is malformed or lies past the end, or null to ignore the header
 * (another unit, or several ranges: the whole file is sent then, which the RFC allows).
 */
export function parseRange(header, size) {
  const match = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (!match) return null;
  const specs = match[1].split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length > 1) return null;
  const spec = /^(\d*)-(\d*)$/.exec(specs[0] || '');
  if (!spec || (spec[1] === '' && spec[2] === '')) return 'unsatisfiable';
  if (spec[1] === '') { // suffix: the last n bytes
    const n = Number(spec[2]);
    return n > 0 && size > 0 ? { start: Math.max(0, size - n), end: size - 1 } : 'unsatisfiable';
  }
  const start = Number(spec[1]);
  const end = spec[2] === '' ? size - 1 : Math.min(Number(spec[2]), size - 1);
  if (spec[2] !== '' && Number(spec[2]) < start) return 'unsatisfiable';
  return start < size ? { start, end } : 'unsatisfiable';
}

/**
 * @param webRoot directory served at /
 * @param mounts {[urlPrefix]: directory}, e.g. {'/models/human/': 'models/human'}
 * @param onCompress called each time a file is compressed (file, encoding): tests count compressions with it
 */
export function createDemoServer({ webRoot = here, mounts = defaultMounts(), onCompress = () => {} } = {}) {
  const roots = [...Object.entries(mounts).map(([prefix, dir]) => [prefix, path.resolve(dir)]), ['/', path.resolve(webRoot)]];
  // `${file}|${encoding}` → {version, body: Promise<Buffer>}. The promise is stored before the work starts,
  // so concurrent requests for a file version share one compression (single flight).
  const compressed = new Map();
  const compressionSlot = concurrencyLimit(MAX_CONCURRENT_COMPRESSIONS);

  function encoded(file, version, size, encoding) {
    const key = `${file}|${encoding}`;
    const hit = compressed.get(key);
    if (hit && hit.version === version) return hit.body;
    const body = compressionSlot(() => {
      onCompress(file, encoding);
      return compressFile(file, size, encoding);
    });
    compressed.set(key, { version, body });
    // A failure is not cached: the next request tries again.
    body.catch(() => { if (compressed.get(key)?.body === body) compressed.delete(key); });
    return body;
  }

  // URL path → file inside one of the roots, or null. Refuses '..' escapes and symlinks leading out.
  async function resolveFile(urlPath) {
    for (const [prefix, dir] of roots) {
      if (!urlPath.startsWith(prefix)) continue;
      let rel = urlPath.slice(prefix.length);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(dir, rel);
      if (!file.startsWith(dir + path.sep)) return null;
      const real = await fs.realpath(file).catch(() => null);
      if (!real) return null;
      const realDir = await fs.realpath(dir).catch(() => dir);
      if (!real.startsWith(realDir + path.sep)) return null;
      const stat = await fs.stat(real);
      return stat.isFile() ? { file: real, ext: path.extname(file).toLowerCase(), stat } : null;
    }
    return null;
  }

  // A 304 is due: If-None-Match when sent (it wins, RFC 9110 13.2.2), else If-Modified-Since.
  function notModified(req, etag, mtime) {
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch !== undefined) return noneMatchHits(ifNoneMatch, etag);
    const since = Date.parse(req.headers['if-modified-since'] ?? '');
    return Number.isFinite(since) && Math.floor(mtime.getTime() / 1000) * 1000 <= since;
  }

  // If-Range (RFC 9110 13.1.5): the range applies only to the representation the client already has.
  function rangeStillValid(req, etag, mtime) {
    const ifRange = req.headers['if-range'];
    if (ifRange === undefined) return true;
    if (ifRange.trim().startsWith('"')) return ifRange.trim() === etag; // strong comparison
    return ifRange.trim() === mtime.toUTCString();
  }

  return createServer(async (req, res) => {
    const headers = { ...SECURITY_HEADERS };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end('method not allowed');
        return;
      }
      let urlPath;
      try {
        urlPath = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
      } catch {
        res.writeHead(400, headers).end('bad request');
        return;
      }
      const found = urlPath.includes('\0') ? null : await resolveFile(urlPath);
      if (!found) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
      const { file, ext, stat } = found;
      const version = `${stat.size}-${stat.mtimeMs}`;
      const compressible = COMPRESSIBLE.has(ext) && stat.size <= MAX_COMPRESSED_SOURCE_BYTES;
      const encoding = compressible ? pickEncoding(req.headers['accept-encoding']) : null;
      const etag = `"${createHash('sha1').update(`${file}|${version}|${encoding}`).digest('base64url').slice(0, 20)}"`;
      Object.assign(headers, {
        'Content-Type': MIME[ext] || 'application/octet-stream',
        'Cache-Control': 'no-cache', // always revalidate: cheap 304s, and a rebuild is never missed
        ETag: etag,
        'Last-Modified': stat.mtime.toUTCString(),
        Vary: 'Accept-Encoding',
      });
      if (notModified(req, etag, stat.mtime)) {
        res.writeHead(304, headers).end();
        return;
      }
      if (encoding) {
        // One shared buffer per file version: every client's response references it, none copies it.
        const body = await encoded(file, version, stat.size, encoding);
        headers['Content-Encoding'] = encoding;
        headers['Content-Length'] = body.length;
        res.writeHead(200, headers);
        res.end(req.method === 'HEAD' ? undefined : body);
        return;
      }
      // Byte ranges of the file as it is (a range of a compressed body would depend on the compressor).
      headers['Accept-Ranges'] = 'bytes';
      let status = 200, start = 0, end = stat.size - 1;
      const range = req.method === 'GET' && req.headers.range !== undefined && rangeStillValid(req, etag, stat.mtime)
        ? parseRange(req.headers.range, stat.size) : null;
      if (range === 'unsatisfiable') {
        res.writeHead(416, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Range': `bytes */${stat.size}` })
          .end('range not satisfiable');
        return;
      }
      if (range) {
        ({ start, end } = range);
        status = 206;
        headers['Content-Range'] = `bytes ${start}-${end}/${stat.size}`;
      }
      headers['Content-Length'] = end - start + 1;
      res.writeHead(status, headers);
      if (req.method === 'HEAD' || stat.size === 0) {
        res.end();
        return;
      }
      // Streamed: pipeline waits for the socket to drain, so a client that never reads holds a few chunks,
      // not the file; a client that goes away closes the file. 16 KiB chunks (not 64): with 500 clients
      // at once the peak RSS was ~30 MB lower.
      await pipeline(createReadStream(file, { start, end, highWaterMark: 16 << 10 }), res).catch(() => res.destroy());
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(String((e && e.message) || e));
    }
  });
}

// /models/<dir>/ for every package directory models/models.json names (git-ignored downloads),
// /models/tflite/ for the TFLite models committed with their LICENSE (the Classify mode's MobileNetV2), and
// /photos/ for the sample photos (the test photos, tests/data/photos, with their credits).
function defaultMounts() {
  const modelsDir = path.resolve(here, '..', 'models');
  const mounts = { '/photos/': path.resolve(here, '..', 'tests', 'data', 'photos'), '/models/tflite/': path.join(modelsDir, 'tflite') };
  try {
    const manifest = JSON.parse(readFileSync(path.join(modelsDir, 'models.json'), 'utf8'));
    for (const pkg of Object.values(manifest.packages || {})) mounts[`/models/${pkg.dir}/`] = path.join(modelsDir, pkg.dir);
  } catch {
    mounts['/models/human/'] = path.join(modelsDir, 'human');
  }
  return mounts;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const port = Number(arg('--port', process.env.PORT || 8080));
  const host = arg('--host', '127.0.0.1');
  const server = createDemoServer();
  server.on('error', (e) => {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: set PORT or pass --port` : e.message);
    process.exit(1);
  });
  server.listen(port, host, () => console.log(`webcnn demo: http://localhost:${server.address().port}/`));
}
