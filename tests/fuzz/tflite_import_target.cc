// Bytes as a .tflite file: the FlatBuffers reader, the schema view, the importer, then (as the ONNX
// target) shape inference, the passes, the planner and one run. See fuzz_targets.h.
#include <vector>

#include "fuzz_targets.h"
#include "model_run_support.h"

namespace webcnn_fuzz {

webcnn::Status tflite_import(const uint8_t* data, size_t size) {
  webcnn::ModelOptions options;
  options.memory_budget = kFuzzMemoryBudget;
  std::vector<uint8_t> bytes(data, data + size);
  WEBCNN_ASSIGN(std::unique_ptr<webcnn::Model> model, webcnn::Model::load_tflite(std::move(bytes), options));
  return run_with_free_dims_as_one(*model);
}

}  // namespace webcnn_fuzz
