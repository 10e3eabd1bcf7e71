// Prepended to webcnn_tests_wasm.js (a Node program).
//
// Node 20 has fetch(), and Emscripten 3.1.6's loader then fetch()es the .wasm by file path, which
// fails; hand it the bytes from beside the script instead.
Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
// Emscripten gives a program a fixed, made-up environment; copy Node's so getenv() sees what the caller
// set (e.g. WEBCNN_CONFORMANCE_FILTER).
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  if (typeof ENV !== 'undefined') Object.assign(ENV, process.env);
});
