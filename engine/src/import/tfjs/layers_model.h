// TF.js layers-models (format "layers-model": a Keras topology in modelTopology, weights in
// weightsManifest) → Graph IR. The topology is read by layers_model_topology.h, each layer translated by
// layers_model_layers.h; this file wires the calls together in dependency order and makes the graph's
// inputs (the InputLayers) and outputs (the model's output layers, named after them).
#pragma once

#include "graph/graph.h"
#include "import/tfjs/json.h"
#include "import/tfjs/weights.h"

namespace webcnn {
namespace tfjs {

// `model` is the parsed model.json, whose modelTopology holds a Keras topology.
Result<Graph> import_layers_model(const json::Value& model, const ShardReader& read_shard);

}  // namespace tfjs
}  // namespace webcnn
