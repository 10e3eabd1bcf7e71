// TF.js models (model.json with modelTopology + weightsManifest, .bin shards) → Graph IR: graph models
// (a TF graph, translated op by op) and layers-models (a Keras topology, layers_model.h).
// The file entry point import_tfjs_model_file() is declared in import/model_import.h.
#pragma once

#include <string>

#include "graph/graph.h"
#include "import/tfjs/weights.h"

namespace webcnn {
namespace tfjs {

// `json_text` is model.json; shards are fetched through `read_shard` by their manifest paths, so the
// same code serves files on disk (native) and buffers handed over from JavaScript (wasm).
Result<Graph> import_model(const std::string& json_text, const ShardReader& read_shard);

}  // namespace tfjs
}  // namespace webcnn
