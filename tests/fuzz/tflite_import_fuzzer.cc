// libFuzzer entry point; the body is webcnn_fuzz::tflite_import (tflite_import_target.cc, see fuzz_targets.h), which
// tests/native/fuzz_regression_test.cc also runs on every kept crash input.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)webcnn_fuzz::tflite_import(data, size);
  return 0;
}
