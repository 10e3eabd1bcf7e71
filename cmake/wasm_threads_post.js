// Appended to the multi-threaded module's loader (cmake/wasm.cmake). In Node, Emscripten 3.1.6 keeps
// its pthread workers referenced (their 'message' listeners, attached when a worker gets the wasm module,
// ref the port again), so a script that loaded the module would never exit. Unreference each worker once
// it has loaded (earlier, Node would exit while the module still waits for its pool): the workers still
// run while the program does.
if (ENVIRONMENT_IS_NODE && !ENVIRONMENT_IS_PTHREAD) {
  var webcnnLoadWasmModuleToWorker = PThread.loadWasmModuleToWorker;
  PThread.loadWasmModuleToWorker = function(worker, onFinishedLoading) {
    webcnnLoadWasmModuleToWorker(worker, function() {
      worker.unref();
      if (onFinishedLoading) onFinishedLoading.apply(this, arguments);
    });
  };
}
