// The Keras topology of a TF.js layers-model: its layers, each call of each layer with the tensors the
// call reads, and the model's input and output tensors. Only structure is read here; what a layer
// computes is layers_model_layers.h's business.
//
// Accepted forms (all seen in the wild):
// - modelTopology = {keras_version, backend, model_config: {class_name, config}} (tfjs-converter from
//   Keras .h5) or modelTopology = {class_name, config} itself (tfjs-layers' model.save()).
// - class_name "Model"/"Functional": config {layers, input_layers, output_layers}; "Sequential": config
//   {layers} or the bare layer list, each layer reading the one before it.
// - A call's inputs ("inbound_nodes") in Keras 2's list form [[name, node_index, tensor_index, kwargs], ...]
//   or Keras 3's {"args": [...], "kwargs": {...}} with "__keras_tensor__" objects whose keras_history is
//   [name, node_index, tensor_index].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "import/tfjs/json.h"
#include "webcnn/status.h"

namespace webcnn {
namespace tfjs {
namespace keras {

// A Keras tensor: output `index` of call `node` of layer `layer`.
struct TensorRef {
  std::string layer;
  int64_t node = 0;
  int64_t index = 0;
  std::string describe() const;  // "'conv1' (call 0, output 0)"
};

struct Layer {
  std::string class_name;
  std::string name;
  const json::Value* config = nullptr;        // never null after read_topology (an empty object when absent)
  std::vector<std::vector<TensorRef>> calls;  // the inputs of each call, in call order

  std::string describe() const { return class_name + " '" + name + "'"; }
  Status error(const std::string& what) const { return Status::error("Keras layer " + describe() + ": " + what); }
};

// Points into the json::Value it was read from, which must outlive it.
struct Topology {
  std::vector<Layer> layers;
  std::vector<TensorRef> inputs;
  std::vector<TensorRef> outputs;
};

// True when modelTopology is a Keras topology (the layers-model form), not a TF graph ("node" list).
bool is_keras_topology(const json::Value& model_topology);

Result<Topology> read_topology(const json::Value& model_topology);

}  // namespace keras
}  // namespace tfjs
}  // namespace webcnn
