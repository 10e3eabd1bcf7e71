// Model::load_*: the public entry points that pick an importer, then plan its graph (runtime/model.cc).
// They sit above both the importers and the runtime, so neither needs to know the other.
#include "import/model_import.h"
#include "import/tfjs/tfjs_importer.h"
#include "webcnn/model.h"

namespace webcnn {

// Import errors without a kind of their own are the file's fault (from_graph does the same for planning).
Result<std::unique_ptr<Model>> Model::load_onnx(const uint8_t* data, size_t size, ModelOptions options) {
  WEBCNN_ASSIGN(Graph g, import_onnx(data, size).with_default_code(StatusCode::kInvalidModel));
  return from_graph(std::move(g), options);
}

Result<std::unique_ptr<Model>> Model::load_onnx(std::vector<uint8_t> bytes, ModelOptions options) {
  // The bytes are needed only while importing: the graph keeps its own copies of the weights, so they
  // are freed before planning (wasm memory never shrinks: what the load peaks at, the page keeps).
  Result<Graph> g = import_onnx(bytes.data(), bytes.size()).with_default_code(StatusCode::kInvalidModel);
  std::vector<uint8_t>().swap(bytes);
  if (!g.is_ok()) return g.status();
  return from_graph(std::move(g).value(), options);
}

Result<std::unique_ptr<Model>> Model::load_tflite(std::vector<uint8_t> bytes, ModelOptions options) {
  // As load_onnx: the graph holds its own copies of the weights, so the file's bytes go before planning.
  Result<Graph> g = import_tflite(bytes.data(), bytes.size()).with_default_code(StatusCode::kInvalidModel);
  std::vector<uint8_t>().swap(bytes);
  if (!g.is_ok()) return g.status();
  return from_graph(std::move(g).value(), options);
}

Result<std::unique_ptr<Model>> Model::load_tfjs(const std::string& model_json, const TfjsShardReader& read_shard,
                                                ModelOptions options) {
  WEBCNN_ASSIGN(Graph g, tfjs::import_model(model_json, read_shard).with_default_code(StatusCode::kInvalidModel));
  return from_graph(std::move(g), options);
}

Result<std::unique_ptr<Model>> Model::load_file(const std::string& path, ModelOptions options) {
  WEBCNN_ASSIGN(Graph g, import_model_file(path).with_default_code(StatusCode::kInvalidModel));
  auto m = from_graph(std::move(g), options);
  if (!m.is_ok()) return m.status().with_context(path);
  return m;
}

}  // namespace webcnn
