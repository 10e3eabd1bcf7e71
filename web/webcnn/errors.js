// Errors with a kind. Every Error webcnn rejects with has .code, so callers can react without parsing
// the message:
//   INVALID_MODEL       the model file is malformed or inconsistent (bad protobuf, bad model.json, ...)
//   UNSUPPORTED_OP      the model uses ops or layers the engine does not implement
//   INVALID_ARGUMENT    the caller's arguments: inputs of the wrong shape or dtype, unknown input names,
//                       bad options, an image that cannot be decoded, a file or URL that cannot be read,
//                       a disposed model
//   RESOURCE_EXHAUSTED  a memory budget or an allocation refused the request
//   INTERNAL            a bug in webcnn, or an environment it cannot run in (no SIMD, no worker)
//   WORKER_RESTARTED    the engine broke during the call and was restarted (see backend.js)
// Codes born in C++ come from the wasm module's {error, code} values (bindings/js_values.h); the
// worker sends them as plain data because structured cloning drops an Error's own properties.

export const ErrorCode = Object.freeze({
  INVALID_MODEL: 'INVALID_MODEL',
  UNSUPPORTED_OP: 'UNSUPPORTED_OP',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  INTERNAL: 'INTERNAL',
  WORKER_RESTARTED: 'WORKER_RESTARTED',
});

const KNOWN = new Set(Object.values(ErrorCode));

// Messages quote what they were given (file names, paths, JSON text): a 200 KB path or a control byte from
// a damaged model.json must not make an unreadable message. The engine makes its messages readable the same
// way (Status in engine/src/core/status.cc: the same \xNN, the same cap), and also escapes newline and tab
// there, its messages being one line; here they stay, for the caller's own multi-line messages.
const MAX_MESSAGE_CHARS = 4096;
// eslint-disable-next-line no-control-regex -- control characters are what this replaces
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
const escapeControl = (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/**
 * `message` with control characters (but newline and tab) as \xNN and its length capped, cut between
 * whole characters and escapes.
 */
export function readableMessage(message) {
  const text = String(message);
  const escaped = text.replace(CONTROL, escapeControl);
  if (escaped.length <= MAX_MESSAGE_CHARS) return escaped;
  const tail = `... (${escaped.length} characters in all)`;
  const keep = MAX_MESSAGE_CHARS - tail.length;
  let kept = '';
  for (const c of text) { // by code point: a surrogate pair stays whole
    const unit = c.replace(CONTROL, escapeControl);
    if (kept.length + unit.length > keep) break;
    kept += unit;
  }
  return kept + tail;
}

/** new Type(message) with .code; Type: Error, or TypeError for an argument of the wrong type. */
export function codedError(message, code, Type = Error) {
  const error = new Type(readableMessage(message));
  error.code = code;
  return error;
}

/** An Error for a bad argument; a TypeError when the argument's type is wrong (as before codes existed). */
export const invalidArgument = (message) => codedError(message, ErrorCode.INVALID_ARGUMENT);
export const invalidArgumentType = (message) => codedError(message, ErrorCode.INVALID_ARGUMENT, TypeError);

/**
 * An options argument: {} when left out, else it must be an object. Destructuring null in a parameter
 * list would throw JavaScript's own TypeError, without a code, naming no argument.
 */
export function optionsArgument(value, call) {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object') throw invalidArgumentType(`${call}: options must be an object, got ${value === null ? 'null' : typeof value}`);
  return value;
}

/**
 * What the caller's own callback (load's onProgress) threw, on its way out of load(): load rejects with
 * `value` exactly as thrown (an Error keeps its identity and gets no .code: it is not webcnn's to classify).
 */
export class CallerThrew {
  constructor(value) {
    this.value = value;
  }
}

/**
 * `error` with a known .code: as it is when it has one, else given `code`. Errors that cannot take a
 * property of their own (DOMException's .code is a read-only number) become an Error with the same
 * message and the original as .cause.
 */
export function withCode(error, code = ErrorCode.INTERNAL) {
  if (error instanceof CallerThrew) return error; // passes through to load(), which unwraps it
  if (error instanceof Error && KNOWN.has(error.code)) return error;
  if (error instanceof Error && !(typeof DOMException !== 'undefined' && error instanceof DOMException)) {
    try {
      error.code = code;
      if (error.code === code) {
        const readable = readableMessage(error.message);
        if (readable !== error.message) error.message = readable;
        return error;
      }
    } catch {
      // a frozen or read-only error: wrapped below
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  const wrapped = codedError(message, code);
  wrapped.cause = error;
  return wrapped;
}

/** A wasm module result: the value, or throws its {error, code} as an Error. */
export function unwrap(result) {
  if (result && result.error !== undefined) throw codedError(result.error, KNOWN.has(result.code) ? result.code : ErrorCode.INTERNAL);
  return result;
}

/** An Error as plain data for postMessage, and back (structured cloning keeps neither .code nor TypeError). */
export function errorToMessage(error) {
  if (!(error instanceof Error)) return { error: String(error), code: ErrorCode.INTERNAL };
  return { error: error.message, code: KNOWN.has(error.code) ? error.code : ErrorCode.INTERNAL, errorType: error.name };
}

export function errorFromMessage({ error, code, errorType }) {
  return codedError(error, KNOWN.has(code) ? code : ErrorCode.INTERNAL, errorType === 'TypeError' ? TypeError : Error);
}
