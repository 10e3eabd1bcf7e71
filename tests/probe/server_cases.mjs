// The probe's demo-server cases: raw HTTP/1.1 requests (sent over a socket as written, so path tricks
// reach the server undecoded and unnormalised) and what a correct answer is.
//   {name, raw, check(response) -> null | reason it is wrong}
import { caseSeed, prng } from './mutate.mjs';

export const SECRET = 'PROBE-SECRET-OUTSIDE-WEBROOT';

const PATHS = ['/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%2fsecret.txt', '/%252e%252e/secret.txt', '/..\\secret.txt',
  '/%2e%2e%5csecret.txt', '//secret.txt', '/./../secret.txt', '/files/../../secret.txt', '/%c0%ae%c0%ae/secret.txt', '/%00', '/index.html%00.js',
  '/' + 'a/'.repeat(5000), '/' + '%'.repeat(100), '/%', '/%zz', '/\u00e9', '/index.html?x=../../secret.txt', '/index.html#../secret.txt',
  '/files/', '/files', '/nonexistent', '/files/data.bin/', '/index.html/.', '/dist/..', '/.', '/..', '/%2e', '*', 'http://evil.example/../secret.txt',
  '/index.html', '/files/data.bin', '/dist/app.wasm', '/link', '/files/%2e%2e%2f%2e%2e%2fsecret.txt', '/' + 'x'.repeat(70000)];
const METHODS = ['GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'PATCH', 'G\u00c9T', 'get', 'BREW'];
const RANGES = ['bytes=0-0', 'bytes=-1', 'bytes=5-2', 'bytes=0-99999999999999999999', 'bytes=0-1,2-3', 'bytes=abc', 'bytes=' + '0-1,'.repeat(5000) + '0-1',
  'bytes=-0', 'bytes=999999-', 'items=0-1', 'bytes=0-', 'bytes= 1 - 2 ', 'bytes=-99999999', 'bytes=1e3-2e3', 'bytes=0x10-0x20', 'bytes=100-200'];
const INM = ['*', 'W/"x", "y"', '"', 'garbage', 'W/', '"a",'.repeat(20000), 'W/"' + 'z'.repeat(60000) + '"', '"x" , W/"y" ,,,', ''];
const ENCODINGS = ['br', 'gzip', 'br;q=0', 'identity', '*', 'compress', 'br, gzip;q=1.0, *;q=0', ','.repeat(5000), 'x'.repeat(60000)];

/** Checks common to every answer: nothing from outside the root, ranges that fit the file. */
function checkResponse(files) {
  return (res) => {
    if (res.body.includes(SECRET)) return 'served a file from outside its root';
    if (res.status >= 500) return `HTTP ${res.status}`;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
      if (!m) return `206 without a valid Content-Range: ${res.headers['content-range']}`;
      const file = files[res.path];
      if (file && res.headers['content-encoding'] === undefined) {
        const [start, end] = [Number(m[1]), Number(m[2])];
        if (Number(m[3]) !== file.length || end >= file.length || start > end) return `Content-Range ${m[0]} for a file of ${file.length} bytes`;
        if (!res.body.equals(file.subarray(start, end + 1))) return 'the 206 body is not that range of the file';
      }
    }
    if (res.status === 200 && res.method === 'GET' && files[res.path] && !res.headers['content-encoding'] && !res.body.equals(files[res.path])) return 'a 200 body that is not the file';
    return null;
  };
}

export function serverCase(seed, index, files) {
  const rng = prng(caseSeed(seed, 'server', index));
  const method = index % 4 === 0 ? rng.pick(METHODS) : 'GET';
  const path = rng.chance(0.5) ? rng.pick(PATHS) : rng.pick(['/index.html', '/files/data.bin', '/dist/app.wasm', '/files/app.js']);
  const headers = [['Host', rng.chance(0.1) ? '' : '127.0.0.1']];
  const extras = [];
  if (rng.chance(0.5)) { const r = rng.pick(RANGES); headers.push(['Range', r]); extras.push(`range=${r.slice(0, 24)}`); }
  if (rng.chance(0.3)) { const t = rng.pick(INM); headers.push(['If-None-Match', t]); extras.push(`inm=${t.slice(0, 16)}`); }
  if (rng.chance(0.5)) { const e = rng.pick(ENCODINGS); headers.push(['Accept-Encoding', e]); extras.push(`ae=${e.slice(0, 16)}`); }
  if (rng.chance(0.05)) { headers.push(['X-Bomb', 'y'.repeat(100000)]); extras.push('header-bomb'); }
  const version = rng.chance(0.1) ? 'HTTP/1.0' : 'HTTP/1.1';
  const raw = `${method} ${path} ${version}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`;
  return { name: `${method} ${path.slice(0, 60)}${path.length > 60 ? `...(${path.length})` : ''} ${extras.join(' ')}`.trim(), raw, method, path: path.split('?')[0], check: checkResponse(files) };
}
