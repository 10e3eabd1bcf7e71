// Bytes as an .onnx file: the protobuf reader, the importer, shape inference, constant folding, the
// passes, the planner and the kernels. See fuzz_targets.h.
#include "fuzz_targets.h"
#include "model_run_support.h"

namespace webcnn_fuzz {

webcnn::Status onnx_load_run(const uint8_t* data, size_t size) {
  webcnn::ModelOptions options;
  options.memory_budget = kFuzzMemoryBudget;
  WEBCNN_ASSIGN(std::unique_ptr<webcnn::Model> model, webcnn::Model::load_onnx(data, size, options));
  return run_with_free_dims_as_one(*model);
}

}  // namespace webcnn_fuzz
