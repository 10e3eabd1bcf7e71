#include "import/tfjs/layers_model_topology.h"

#include <cmath>
#include <set>

namespace webcnn {
namespace tfjs {
namespace keras {

namespace {

// Bounds for indices in the file: a layer is called a handful of times and has a few outputs.
constexpr double kMaxIndex = 1 << 20;

const json::Value& empty_object() {
  static const json::Value v = json::Value::object({});
  return v;
}

// The {class_name, config} of the model, from either form of modelTopology.
const json::Value* model_config_of(const json::Value& topology) {
  if (const json::Value* mc = topology.find("model_config")) return mc;
  if (topology.find("class_name")) return &topology;
  return nullptr;
}

Result<int64_t> index_of(const json::Value& v, const std::string& what) {
  if (!v.is_number() || v.as_number() != std::floor(v.as_number()) || v.as_number() < 0 || v.as_number() > kMaxIndex)
    return Status::error(what + " should be a small non-negative integer");
  return static_cast<int64_t>(v.as_number());
}

// [name, node_index, tensor_index, (kwargs)] → TensorRef.
Result<TensorRef> read_ref(const json::Value& v, const std::string& where) {
  if (!v.is_array() || v.items().size() < 3 || !v.items()[0].is_string())
    return Status::error(where + ": a tensor reference should be [layer_name, node_index, tensor_index]");
  TensorRef r;
  r.layer = v.items()[0].as_string();
  WEBCNN_ASSIGN(r.node, index_of(v.items()[1], where + ": node_index"));
  WEBCNN_ASSIGN(r.index, index_of(v.items()[2], where + ": tensor_index"));
  return r;
}

// Keras 3: every "__keras_tensor__" object inside `v` (nested lists included), in order.
Status collect_keras_tensors(const json::Value& v, const std::string& where, std::vector<TensorRef>& out, int depth) {
  if (depth > 16) return Status::error(where + ": call arguments nest too deeply");
  if (v.is_array()) {
    for (const json::Value& item : v.items()) WEBCNN_TRY(collect_keras_tensors(item, where, out, depth + 1));
    return Status::ok();
  }
  if (!v.is_object()) return Status::ok();  // a plain argument (number, string, null)
  const json::Value* cls = v.find("class_name");
  if (!cls || !cls->is_string() || cls->as_string() != "__keras_tensor__") return Status::ok();
  const json::Value* config = v.find("config");
  const json::Value* history = config ? config->find("keras_history") : nullptr;
  if (!history) return Status::error(where + ": a __keras_tensor__ argument has no config.keras_history");
  WEBCNN_ASSIGN(TensorRef r, read_ref(*history, where));
  out.push_back(std::move(r));
  return Status::ok();
}

// One entry of "inbound_nodes": the inputs of one call of the layer.
Result<std::vector<TensorRef>> read_call(const json::Value& node, const std::string& where) {
  std::vector<TensorRef> inputs;
  if (node.is_array()) {  // Keras 2: [[name, node_index, tensor_index, kwargs], ...]
    for (const json::Value& entry : node.items()) {
      WEBCNN_ASSIGN(TensorRef r, read_ref(entry, where));
      inputs.push_back(std::move(r));
    }
  } else if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}; tensors in kwargs (masks) are not inputs
    const json::Value* args = node.find("args");
    if (!args || !args->is_array()) return Status::error(where + ": an inbound node object has no 'args' array");
    WEBCNN_TRY(collect_keras_tensors(*args, where, inputs, 0));
  } else {
    return Status::error(where + ": an inbound node should be a list of tensor references or an {args, kwargs} object");
  }
  if (inputs.empty()) return Status::error(where + ": a call of the layer has no input tensors");
  return inputs;
}

// "input_layers" / "output_layers": a list of [name, node, index], or (Keras 3, one tensor) the triple itself.
Result<std::vector<TensorRef>> read_endpoints(const json::Value& config, const char* key) {
  const json::Value* v = config.find(key);
  std::string where = std::string("model config '") + key + "'";
  if (!v || !v->is_array() || v->items().empty()) return Status::error(where + " is missing or empty");
  std::vector<TensorRef> refs;
  if (v->items()[0].is_string()) {
    WEBCNN_ASSIGN(TensorRef r, read_ref(*v, where));
    refs.push_back(std::move(r));
    return refs;
  }
  for (const json::Value& item : v->items()) {
    WEBCNN_ASSIGN(TensorRef r, read_ref(item, where));
    refs.push_back(std::move(r));
  }
  return refs;
}

Result<Layer> read_layer(const json::Value& v, size_t i) {
  Layer l;
  const json::Value* cls = v.find("class_name");
  if (!cls || !cls->is_string() || cls->as_string().empty())
    return Status::error("Keras layer " + std::to_string(i) + " has no class_name");
  l.class_name = cls->as_string();
  const json::Value* config = v.find("config");
  l.config = config && config->is_object() ? config : &empty_object();
  const json::Value* name = v.find("name");
  if (!name || !name->is_string()) name = l.config->find("name");
  if (!name || !name->is_string() || name->as_string().empty())
    return Status::error("Keras layer " + std::to_string(i) + " (" + l.class_name + ") has no name");
  l.name = name->as_string();
  return l;
}

Result<std::vector<const json::Value*>> layer_list(const json::Value& config, bool sequential) {
  const json::Value* layers = sequential && config.is_array() ? &config : config.find("layers");
  if (!layers || !layers->is_array()) return Status::error("model config has no 'layers' list");
  std::vector<const json::Value*> out;
  for (const json::Value& l : layers->items()) {
    if (!l.is_object()) return Status::error("model config 'layers' should hold layer objects");
    out.push_back(&l);
  }
  return out;
}

}  // namespace

std::string TensorRef::describe() const {
  return "'" + layer + "' (call " + std::to_string(node) + ", output " + std::to_string(index) + ")";
}

bool is_keras_topology(const json::Value& model_topology) { return model_config_of(model_topology) != nullptr; }

Result<Topology> read_topology(const json::Value& model_topology) {
  const json::Value* mc = model_config_of(model_topology);
  if (!mc || !mc->is_object()) return Status::error("modelTopology has no Keras model_config");
  const json::Value* cls = mc->find("class_name");
  const json::Value* config = mc->find("config");
  if (!cls || !cls->is_string()) return Status::error("model_config has no class_name");
  if (!config) return Status::error("model_config has no config");
  const std::string& kind = cls->as_string();
  bool sequential = kind == "Sequential";
  if (!sequential && kind != "Model" && kind != "Functional")
    return Status::error("model_config class '" + kind +
                         "' is not a Keras model (expected Model, Functional or Sequential)");

  Topology t;
  WEBCNN_ASSIGN(std::vector<const json::Value*> layers, layer_list(*config, sequential));
  if (layers.empty()) return Status::error("the model has no layers");
  std::set<std::string> names;
  for (size_t i = 0; i < layers.size(); ++i) {
    WEBCNN_ASSIGN(Layer l, read_layer(*layers[i], i));
    if (!names.insert(l.name).second) return l.error("a second layer has this name");
    if (!sequential) {
      const json::Value* inbound = layers[i]->find("inbound_nodes");
      if (inbound && !inbound->is_array()) return l.error("'inbound_nodes' should be a list");
      if (inbound)
        for (const json::Value& node : inbound->items()) {
          WEBCNN_ASSIGN(std::vector<TensorRef> call, read_call(node, "Keras layer " + l.describe()));
          l.calls.push_back(std::move(call));
        }
    }
    t.layers.push_back(std::move(l));
  }
  if (!sequential) {
    WEBCNN_ASSIGN(t.inputs, read_endpoints(*config, "input_layers"));
    WEBCNN_ASSIGN(t.outputs, read_endpoints(*config, "output_layers"));
    return t;
  }

  // Sequential: an InputLayer in front (Keras 3 lists it; Keras 2 keeps the input shape on the first
  // layer, as does the InputLayer Keras would make, named "<first>_input"), then a chain.
  if (t.layers[0].class_name != "InputLayer") {
    Layer input;
    input.class_name = "InputLayer";
    input.name = t.layers[0].name + "_input";
    input.config = t.layers[0].config;  // holds batch_input_shape and dtype
    if (names.count(input.name))
      return t.layers[0].error("the model's implied input layer '" + input.name + "' clashes with a layer name");
    t.layers.insert(t.layers.begin(), std::move(input));
  }
  for (size_t i = 1; i < t.layers.size(); ++i) {
    if (t.layers[i].class_name == "InputLayer") return t.layers[i].error("an InputLayer inside a Sequential model");
    t.layers[i].calls.push_back({TensorRef{t.layers[i - 1].name, 0, 0}});
  }
  t.inputs.push_back(TensorRef{t.layers[0].name, 0, 0});
  t.outputs.push_back(TensorRef{t.layers.back().name, 0, 0});
  return t;
}

}  // namespace keras
}  // namespace tfjs
}  // namespace webcnn
