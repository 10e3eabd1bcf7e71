// How the probe judges an outcome: success, clean error, crash, hang, unclear message, or wrong (a success
// where a refusal was due, e.g. a shard path escaping its directory; a refusal of a valid file; a server
// answer that serves the wrong bytes).
export const CLASSES = ['clean', 'success', 'crash', 'hang', 'unclear', 'wrong'];

// Internal failures that reach the caller: wasm traps, aborts, JS bugs.
const CRASH_PATTERNS = [/RuntimeError/, /unreachable/, /memory access out of bounds/, /Aborted\(/, /is not a function/, /Cannot read propert/,
  /Cannot set propert/, /Cannot destructure/, /is not defined/, /Maximum call stack/, /Invalid typed array length/, /Array buffer allocation failed/, /Invalid array length/,
  /terminate called/, /AddressSanitizer/, /runtime error:/, /Segmentation fault/, /std::bad_alloc/, /out of memory/i, /is not iterable/,
  /Cannot convert a BigInt/, /Cannot mix BigInt/, /not a constructor/];

/** Why a message is unclear, or null: too long, "undefined", "[object Object]", NaN, raw bytes, empty. */
export function unclearReason(message) {
  if (typeof message !== 'string' || !message.trim()) return 'empty message';
  if (message.length > 4200) return `message of ${message.length} chars`;
  if (/\bundefined\b/.test(message)) return '"undefined" in message';
  if (/\[object \w+\]/.test(message)) return '"[object ...]" in message';
  // NaN where a size, range or list of numbers was printed ("got NaNx4", the caller's value quoted, or an
  // op named 'NaN' are clear).
  if (/(\.\.|\dx|\[|,\s?)NaN\b|\bNaN(\.\.|x\d|\])/.test(message.replace(/got NaN\S*/g, ''))) return 'NaN in a size or range';
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(message)) return 'control characters in message';
  if (/\uFFFD/.test(message)) return 'bytes that are not UTF-8 text in message';
  if (/(\\x[0-9a-fA-F]{2}){12}/.test(message)) return 'raw byte dump in message';
  if (/\n\s+at .+:\d+:\d+/.test(message)) return 'stack trace in message';
  return null;
}

export function crashReason(text) {
  const hit = CRASH_PATTERNS.find((p) => p.test(text));
  return hit ? `matches ${hit}` : null;
}

/** A CLI run: {status, signal, stderr, timedOut} -> {class, reason}. */
export function judgeCli({ status, signal, stderr, timedOut }, expect) {
  if (timedOut) return { class: 'hang' };
  if (signal) return { class: 'crash', reason: `signal ${signal}` };
  if (status > 2) return { class: 'crash', reason: `exit ${status}` };
  const crash = crashReason(stderr);
  if (crash) return { class: 'crash', reason: crash };
  if (status === 0) return expect === 'refuse' ? { class: 'wrong', reason: 'accepted, a refusal was due' } : { class: 'success' };
  const message = stderr.trim();
  const unclear = unclearReason(message);
  if (unclear) return { class: 'unclear', reason: unclear };
  if (expect === 'accept') return { class: 'wrong', reason: 'refused a valid input' };
  return { class: 'clean' };
}

/** A JS API call: the child's reply, or {died, timedOut} -> {class, reason}. */
export function judgeJs(reply, expect) {
  if (reply.timedOut) return { class: 'hang' };
  if (reply.died) return { class: 'crash', reason: `process died: ${reply.died}` };
  if (reply.ok) return expect === 'refuse' ? { class: 'wrong', reason: 'accepted, a refusal was due' } : { class: 'success' };
  const { error } = reply;
  // The caller's own exception (a throwing getter, onProgress or labels of the probe's): passed through as it is.
  if (/^hostile /.test(error.message ?? '')) return { class: 'clean', reason: "the caller's exception, passed through" };
  if (error.nonError !== undefined) return { class: 'crash', reason: `rejected with a non-Error: ${error.nonError}` };
  if (error.code === 'INTERNAL' || error.code === 'WORKER_RESTARTED') return { class: 'crash', reason: `code ${error.code}` };
  const crash = crashReason(error.message);
  if (crash) return { class: 'crash', reason: crash };
  if (!error.code) return { class: 'unclear', reason: 'Error without .code' };
  const unclear = unclearReason(error.message);
  if (unclear) return { class: 'unclear', reason: unclear };
  if (expect === 'accept') return { class: 'wrong', reason: 'refused a valid input' };
  return { class: 'clean' };
}
