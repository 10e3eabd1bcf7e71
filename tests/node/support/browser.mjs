// What the browser tests share: headless Chromium with the flags this machine needs (nothing that talks
// to the network by itself), and a read-only server of the repository with a few in-memory files.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../../', import.meta.url));
export const chromiumPath = process.env.WEBCNN_CHROMIUM ?? '/usr/bin/chromium';
/** A node:test `skip` reason when there is no Chromium, else false. */
export const noChromium = !existsSync(chromiumPath) && `no Chromium at ${chromiumPath} (set WEBCNN_CHROMIUM)`;

/** Playwright adds --headless too; the rest keep Chromium from fetching anything on its own. */
export const chromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

/** Chromium at chromiumPath with chromiumFlags and the extra flags. */
export async function launchChromium(extraFlags = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: [...chromiumFlags, ...extraFlags] });
}

/** An empty page of the server's origin, to import web/webcnn.js from. */
export const BLANK_PAGE = { '/page.html': '<!doctype html><title>webcnn</title>' };

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html',
  '.json': 'application/json', '.css': 'text/css' };
const typeOf = (path) => TYPES[extname(path)] ?? 'application/octet-stream';

/**
 * Serves the repository read-only on a free port of 127.0.0.1, plus `files` (URL path → string or bytes,
 * served first), every response with `headers` (e.g. COOP/COEP) and a Content-Length (webcnn.js reports
 * download progress from it). Resolves to {server, origin}; close with server.close().
 */
export async function serveRepository({ files = {}, headers = {} } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const send = (body) => res.writeHead(200, { ...headers, 'content-type': typeOf(path), 'content-length': Buffer.byteLength(body) })
      .end(body);
    if (Object.hasOwn(files, path)) return send(files[path]);
    const file = normalize(join(root, path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404, 'Not Found', headers).end();
    send(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}
