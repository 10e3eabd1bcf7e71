// Importers translate a file into the Graph IR; they never compute.
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace webcnn {

// ONNX ModelProto bytes → Graph (import/onnx/).
Result<Graph> import_onnx(const uint8_t* data, size_t size);
// TFLite FlatBuffer bytes → Graph, subgraph 0 (import/tflite/).
Result<Graph> import_tflite(const uint8_t* data, size_t size);
// TF.js graph model: model.json text, shards read from beside it (import/tfjs/).
Result<Graph> import_tfjs_model_file(const std::string& json_path);
// Picks the importer by file name: .onnx, .tflite (also any file with "TFL3" at bytes 4..8), or model.json (TF.js;
// import/tfjs/). Errors name the file.
Result<Graph> import_model_file(const std::string& path);

}  // namespace webcnn
