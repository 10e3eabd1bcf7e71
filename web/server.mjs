// A small static server for web/: correct MIME types (application/wasm), gzip, cache headers, and
// COOP/COEP so the page is cross-origin isolated (SharedArrayBuffer for the threaded build).
// Usage: node web/server.mjs [--port 8080] [--root web]
import { createServer } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { createGzip } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const port = Number(arg('--port', process.env.PORT || 8080));
const root = path.resolve(arg('--root', here));

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream',
  '.onnx': 'application/octet-stream', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.bmp': 'image/bmp',
  '.svg': 'image/svg+xml', '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon', '.ts': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.txt', '.ts']);

const server = createServer(async (req, res) => {
  const headers = {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
  };
  try {
    const url = new URL(req.url, 'http://localhost');
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep) && file !== root) { res.writeHead(403, headers).end('forbidden'); return; }
    const real = await fs.realpath(file).catch(() => null);
    const stat = real && (await fs.stat(real));
    if (!stat || !stat.isFile()) { res.writeHead(404, headers).end('not found'); return; }
    const ext = path.extname(file).toLowerCase();
    headers['Content-Type'] = MIME[ext] || 'application/octet-stream';
    // Models and wasm change only when rebuilt or re-fetched; revalidate everything by mtime.
    headers['Cache-Control'] = 'no-cache';
    headers['Last-Modified'] = stat.mtime.toUTCString();
    if (req.headers['if-modified-since'] && new Date(req.headers['if-modified-since']) >= new Date(stat.mtime.toUTCString())) {
      res.writeHead(304, headers).end(); return;
    }
    const gzip = COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '');
    if (gzip) { headers['Content-Encoding'] = 'gzip'; headers['Vary'] = 'Accept-Encoding'; }
    else headers['Content-Length'] = stat.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') { res.end(); return; }
    const stream = createReadStream(real);
    (gzip ? stream.pipe(createGzip({ level: 6 })) : stream).pipe(res);
  } catch (e) {
    res.writeHead(500, headers).end(String(e && e.message || e));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`webcnn demo: http://localhost:${port}/`));
