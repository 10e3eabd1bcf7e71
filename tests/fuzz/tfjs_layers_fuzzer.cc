// libFuzzer entry point for TF.js layers-models (Keras topologies): the same body as tfjs_import_fuzzer
// (webcnn_fuzz::tfjs_import, tfjs_import_target.cc), run on its own corpus of layers-model seeds
// (make_tfjs_seeds.mjs --layers) so the Keras reader gets the fuzzer's whole attention.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)webcnn_fuzz::tfjs_import(data, size);
  return 0;
}
