// The demo's static server (Node, no dependencies): serves web/ at / and the fetched models
// (models/<dir>/, see models/models.json) at /models/<dir>/, with
//  - the right MIME types (application/wasm lets browsers compile the module while it streams),
//  - brotli or gzip for text and wasm (compressed once per file version and kept in memory),
//  - ETag/Last-Modified revalidation (Cache-Control: no-cache), so a rebuilt wasm or re-fetched model is
//    picked up at once while unchanged files cost a 304,
//  - COOP/COEP (+ CORP), so the page is cross-origin isolated (SharedArrayBuffer for a threaded build),
//  - a Content-Security-Policy that lets the page talk to its own origin only: images, frames and face
//    embeddings cannot be sent anywhere else, whatever a script tried.
// Nothing is written or uploaded: every request but GET/HEAD is refused.
//
//   node web/server.mjs [--port 8080] [--host 127.0.0.1]
// Importable too: createDemoServer({webRoot, modelsRoot}) returns an http.Server (tests listen on port 0).
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

export const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream', '.onnx': 'application/octet-stream', '.png': 'image/png', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8',
  '.ico': 'image/x-icon', '.ts': 'text/plain; charset=utf-8', '.md': 'text/plain; charset=utf-8',
};
// Weight shards and photos are already dense: compressing them costs time and saves little.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt', '.ts', '.md']);

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

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function pickEncoding(acceptEncoding = '') {
  const accepted = new Set(acceptEncoding.split(',').map((s) => s.split(';')[0].trim().toLowerCase()));
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return null;
}

/**
 * @param webRoot directory served at /
 * @param mounts {[urlPrefix]: directory}, e.g. {'/models/human/': 'models/human'}
 */
export function createDemoServer({ webRoot = here, mounts = defaultMounts() } = {}) {
  const roots = [...Object.entries(mounts).map(([prefix, dir]) => [prefix, path.resolve(dir)]), ['/', path.resolve(webRoot)]];
  const compressed = new Map(); // `${file}|${encoding}` → {version, body}

  async function encoded(file, version, encoding) {
    const key = `${file}|${encoding}`;
    const hit = compressed.get(key);
    if (hit && hit.version === version) return hit.body;
    const raw = await fs.readFile(file);
    const body = encoding === 'br'
      ? await brotli(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : await gzip(raw, { level: 9 });
    compressed.set(key, { version, body });
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
      const encoding = COMPRESSIBLE.has(ext) ? pickEncoding(req.headers['accept-encoding']) : null;
      const etag = `"${createHash('sha1').update(`${file}|${version}|${encoding}`).digest('base64url').slice(0, 20)}"`;
      Object.assign(headers, {
        'Content-Type': MIME[ext] || 'application/octet-stream',
        'Cache-Control': 'no-cache', // always revalidate: cheap 304s, and a rebuild is never missed
        ETag: etag,
        'Last-Modified': stat.mtime.toUTCString(),
        Vary: 'Accept-Encoding',
      });
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
      const body = encoding ? await encoded(file, version, encoding) : await fs.readFile(file);
      if (encoding) headers['Content-Encoding'] = encoding;
      headers['Content-Length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(String((e && e.message) || e));
    }
  });
}

// /models/<dir>/ for every package directory models/models.json names (git-ignored downloads).
function defaultMounts() {
  const modelsDir = path.resolve(here, '..', 'models');
  const mounts = {};
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
