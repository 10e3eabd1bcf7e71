#include "import/tfjs/layers_model.h"

#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "import/tfjs/layers_model_layers.h"
#include "import/tfjs/layers_model_topology.h"
#include "import/tfjs/tf_graph_builder.h"

namespace webcnn {
namespace tfjs {

namespace {

using keras::KerasTensor;
using keras::Layer;
using keras::TensorRef;

std::string key_of(const std::string& layer, int64_t node, int64_t index) {
  return layer + "\n" + std::to_string(node) + "\n" + std::to_string(index);
}
std::string key_of(const TensorRef& r) { return key_of(r.layer, r.node, r.index); }

// All layer classes the importer cannot translate, in one message ("Foo ('a', 'b'); Bar ('c')").
// Layers no call reaches (never called in a functional model) do not matter and are not listed.
Status check_layer_classes(const keras::Topology& t) {
  std::map<std::string, std::vector<std::string>> unsupported;
  for (const Layer& l : t.layers)
    if (l.class_name != "InputLayer" && !l.calls.empty() && !keras::is_supported_layer(l.class_name))
      unsupported[l.class_name].push_back(l.name);
  if (unsupported.empty()) return Status::ok();
  std::string msg = "unsupported Keras layers: ";
  bool first = true;
  for (const auto& [cls, names] : unsupported) {
    msg += first ? "" : "; ";
    first = false;
    msg += cls;
    if (cls == "Model" || cls == "Functional" || cls == "Sequential") msg += " (a nested model)";
    msg += " (";
    for (size_t i = 0; i < names.size() && i < 8; ++i) msg += (i ? ", '" : "'") + names[i] + "'";
    if (names.size() > 8) msg += ", and " + std::to_string(names.size() - 8) + " more";
    msg += ")";
  }
  return Status::error(StatusCode::kUnsupportedOp, msg);
}

// "float32", or Keras 3's dtype policy {"class_name": "DTypePolicy", "config": {"name": "float32"}}.
Result<DataType> input_dtype(const Layer& l) {
  const json::Value* v = l.config->find("dtype");
  std::string name = "float32";
  if (v && v->is_object()) {
    const json::Value* config = v->find("config");
    v = config ? config->find("name") : nullptr;
    if (!v) return l.error("config 'dtype' has no name");
  }
  if (v && !v->is_null()) {
    if (!v->is_string()) return l.error("config 'dtype' should be a type name");
    name = v->as_string();
  }
  if (name == "float32") return DataType::kFloat32;
  if (name == "int32") return DataType::kInt32;
  return l.error("input dtype '" + name + "' is not supported (float32, int32)");
}

// A graph input of the InputLayer's shape: batch_input_shape (Keras 2) or batch_shape (Keras 3), null → -1.
Result<KerasTensor> make_input(const Layer& l, Graph& g) {
  const json::Value* shape = l.config->find("batch_input_shape");
  if (!shape || shape->is_null()) shape = l.config->find("batch_shape");
  if (!shape || !shape->is_array() || shape->items().empty())
    return l.error("has no batch_input_shape / batch_shape (the model's input shape)");
  Shape dims;
  for (const json::Value& d : shape->items()) {
    if (d.is_null()) {
      dims.push_back(-1);
      continue;
    }
    // Range first: converting a double beyond int64 is undefined (fuzz regression
    // tfjs_layers_fuzzer/input-dim-5e20).
    if (!d.is_number() || d.as_number() != std::floor(d.as_number()) || d.as_number() < -1 ||
        d.as_number() > static_cast<double>(kMaxElements))
      return l.error("input shape dimensions should be integers or null");
    dims.push_back(static_cast<int64_t>(d.as_number()));
  }
  if (dims.size() > 8) return l.error("input rank above 8");
  WEBCNN_ASSIGN(DataType dtype, input_dtype(l));
  ValueId v = g.add_value(l.name, dtype);
  g.value(v).shape = dims;
  g.value(v).has_shape = true;
  return KerasTensor{v, static_cast<int>(dims.size())};
}

// Why a call could not run, for the first call left over: a reference to nothing, or a cycle.
Status explain_unreachable(const Layer& l, const std::vector<TensorRef>& inputs,
                           const std::map<std::string, const Layer*>& layers,
                           const std::map<std::string, KerasTensor>& tensors) {
  for (const TensorRef& r : inputs) {
    if (tensors.count(key_of(r))) continue;
    auto it = layers.find(r.layer);
    if (it == layers.end()) return l.error("reads " + r.describe() + ", which is not a layer of the model");
    const Layer& p = *it->second;
    size_t calls = p.class_name == "InputLayer" ? 1 : p.calls.size();
    if (static_cast<size_t>(r.node) >= calls)
      return l.error("reads " + r.describe() + ", but that layer is called " + std::to_string(calls) + " time(s)");
  }
  return l.error("is part of a cycle, or reads the output of a layer that is");
}

}  // namespace

Result<Graph> import_layers_model(const json::Value& model, const ShardReader& read_shard) {
  const json::Value* topology = model.find("modelTopology");
  if (!topology || !topology->is_object()) return Status::error("not a TF.js model: no 'modelTopology' object");
  WEBCNN_ASSIGN(keras::Topology topo, keras::read_topology(*topology));
  WEBCNN_TRY(check_layer_classes(topo));
  std::map<std::string, Tensor> weight_map;
  if (const json::Value* manifest = model.find("weightsManifest")) {
    WEBCNN_ASSIGN(weight_map, read_weights(*manifest, read_shard));
  }

  Graph g;
  GraphBuilder b(g);
  keras::LayerWeights weights(std::move(weight_map), b);
  std::map<std::string, const Layer*> by_name;
  for (const Layer& l : topo.layers) by_name[l.name] = &l;

  // Graph inputs: the model's input layers in their order, then any other InputLayer.
  std::map<std::string, KerasTensor> tensors;  // key_of(layer, call, output) → value
  for (const TensorRef& r : topo.inputs) {
    auto it = by_name.find(r.layer);
    if (it == by_name.end() || it->second->class_name != "InputLayer" || r.node != 0 || r.index != 0)
      return Status::error("model input " + r.describe() + " is not an InputLayer of the model");
  }
  std::vector<const Layer*> input_layers;
  for (const TensorRef& r : topo.inputs) input_layers.push_back(by_name[r.layer]);
  for (const Layer& l : topo.layers)
    if (l.class_name == "InputLayer") input_layers.push_back(&l);
  for (const Layer* l : input_layers) {
    if (tensors.count(key_of(l->name, 0, 0))) continue;
    WEBCNN_ASSIGN(KerasTensor t, make_input(*l, g));
    tensors[key_of(l->name, 0, 0)] = t;
    g.inputs.push_back(t.value);
  }

  // Every call, once all the tensors it reads exist (Kahn's algorithm over calls).
  struct Call {
    const Layer* layer;
    size_t index;
    size_t missing = 0;
  };
  std::vector<Call> calls;
  std::map<std::string, std::vector<size_t>> waiting;  // producer (layer, call) → calls reading it
  std::deque<size_t> ready;
  for (const Layer& l : topo.layers) {
    if (l.class_name == "InputLayer") continue;
    for (size_t k = 0; k < l.calls.size(); ++k) {
      Call c{&l, k};
      std::set<std::string> producers;
      for (const TensorRef& r : l.calls[k])
        if (!tensors.count(key_of(r))) producers.insert(key_of(r.layer, r.node, 0));
      c.missing = producers.size();
      for (const std::string& p : producers) waiting[p].push_back(calls.size());
      if (c.missing == 0) ready.push_back(calls.size());
      calls.push_back(c);
    }
  }
  std::vector<bool> done(calls.size(), false);
  while (!ready.empty()) {
    const Call& c = calls[ready.front()];
    done[ready.front()] = true;
    ready.pop_front();
    const Layer& l = *c.layer;
    std::vector<KerasTensor> inputs;
    for (const TensorRef& r : l.calls[c.index]) {
      auto it = tensors.find(key_of(r));
      if (it == tensors.end())
        return l.error("reads " + r.describe() + ", which that layer does not produce (it has one output)");
      inputs.push_back(it->second);
    }
    const std::string name = c.index == 0 ? l.name : l.name + "/call_" + std::to_string(c.index);
    WEBCNN_ASSIGN(KerasTensor out, keras::translate_layer(l, inputs, name, weights, b));
    const std::string produced = key_of(l.name, static_cast<int64_t>(c.index), 0);
    tensors[produced] = out;
    for (size_t w : waiting[produced])
      if (--calls[w].missing == 0) ready.push_back(w);
  }
  for (size_t i = 0; i < calls.size(); ++i)
    if (!done[i]) return explain_unreachable(*calls[i].layer, calls[i].layer->calls[calls[i].index], by_name, tensors);

  for (const TensorRef& r : topo.outputs) {
    auto it = tensors.find(key_of(r));
    if (it == tensors.end())
      return Status::error("model output " + r.describe() + " is not produced by any layer call");
    g.outputs.push_back(it->second.value);
  }
  WEBCNN_TRY(g.validate());
  return g;
}

}  // namespace tfjs
}  // namespace webcnn
