// Importers translate a file into the Graph IR; they never compute.
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace webcnn {

// ONNX ModelProto bytes → Graph (import/onnx/).
Result<Graph> import_onnx(const uint8_t* data, size_t size);
// Picks the importer by file name: .onnx, or model.json (TF.js; import/tfjs/). Errors name the file.
Result<Graph> import_model_file(const std::string& path);

}  // namespace webcnn
