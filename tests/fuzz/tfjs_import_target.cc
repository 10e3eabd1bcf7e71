// Bytes as a TF.js graph model: JSON text, a NUL, then the shard bytes. See fuzz_targets.h.
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "import/tfjs/tfjs_importer.h"
#include "model_run_support.h"

namespace webcnn_fuzz {

webcnn::Status tfjs_import(const uint8_t* data, size_t size) {
  // JSON text cannot contain a raw NUL, so the first one is an unambiguous split point.
  const uint8_t* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  size_t json_size = nul ? static_cast<size_t>(nul - data) : size;
  std::string json(reinterpret_cast<const char*>(data), json_size);
  std::vector<uint8_t> shard;
  if (nul) shard.assign(nul + 1, data + size);
  auto read_shard = [&](const std::string&) -> webcnn::Result<std::vector<uint8_t>> { return shard; };
  WEBCNN_ASSIGN(webcnn::Graph graph, webcnn::tfjs::import_model(json, read_shard));
  // Load (and so plan and run at the declared shapes) only graphs whose inputs are small: a model
  // declaring [1,4096,4096,3] is legitimate, but running it per input would stall the fuzzer.
  for (webcnn::ValueId id : graph.inputs) {
    webcnn::Shape shape = graph.value(id).shape;
    for (int64_t& d : shape) d = d < 0 ? 1 : d;
    webcnn::Result<int64_t> n = webcnn::checked_num_elements(shape);
    if (!n.is_ok() || n.value() > kMaxFedElements) return webcnn::Status::ok();
  }
  webcnn::ModelOptions options;
  options.memory_budget = kFuzzMemoryBudget;
  WEBCNN_ASSIGN(std::unique_ptr<webcnn::Model> model, webcnn::Model::from_graph(std::move(graph), options));
  return run_with_free_dims_as_one(*model);
}

}  // namespace webcnn_fuzz
