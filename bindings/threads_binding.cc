// The engine's thread count for JS (webcnn/threads.h): web/wasm_loader.js sets it right after the module
// loads, before any model is planned. In the single-threaded module every count clamps to 1.
//   module.setThreads(n) → the count in effect;  module.threadCount();  module.maxThreads()
#include <emscripten/bind.h>

#include "webcnn/threads.h"

EMSCRIPTEN_BINDINGS(webcnn_threads) {
  emscripten::function("setThreads", &webcnn::set_thread_count);
  emscripten::function("threadCount", &webcnn::thread_count);
  emscripten::function("maxThreads", &webcnn::max_thread_count);
}
