// libFuzzer: arbitrary bytes as an .onnx file. Loading plans and runs the model once when every input
// shape is static, so this covers the protobuf reader, the importer, shape inference, constant folding,
// the passes and the kernels. Every input must end in a clean error or a valid run.
#include <cstddef>
#include <cstdint>

#include "webcnn/model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  webcnn::ModelOptions options;
  options.memory_budget = size_t{64} << 20;  // keep a hostile model from asking the fuzzer for GiBs
  auto model = webcnn::Model::load_onnx(data, size, options);
  (void)model;
  return 0;
}
