#include "import/tfjs/tfjs_importer.h"

#include <fstream>
#include <map>
#include <set>

#include "import/model_import.h"
#include "import/tfjs/json.h"
#include "import/tfjs/layers_model.h"
#include "import/tfjs/layers_model_topology.h"
#include "import/tfjs/tf_graph_builder.h"

namespace webcnn {
namespace tfjs {

namespace {

// A model.json of a large model is a few MiB; a shard is usually 4 MiB. Both bounded so a hostile file
// cannot ask for unbounded memory.
constexpr size_t kMaxJsonBytes = size_t{256} << 20;
constexpr size_t kMaxShardBytes = size_t{1} << 31;

std::string producer_of(const std::string& ref) {
  size_t colon = ref.find(':');
  return colon == std::string::npos ? ref : ref.substr(0, colon);
}

Result<std::vector<TfNode>> read_nodes(const json::Value& topology) {
  const json::Value* nodes = topology.find("node");
  if (!nodes || !nodes->is_array()) return Status::error("modelTopology has no 'node' array");
  std::vector<TfNode> out;
  std::set<std::string> names;
  for (size_t i = 0; i < nodes->items().size(); ++i) {
    const json::Value& n = nodes->items()[i];
    const json::Value* name = n.find("name");
    const json::Value* op = n.find("op");
    if (!name || !name->is_string() || name->as_string().empty() || !op || !op->is_string())
      return Status::error("modelTopology node " + std::to_string(i) + " has no name or op");
    TfNode t;
    t.name = name->as_string();
    t.op = op->as_string();
    if (!names.insert(t.name).second) return t.error("a second node has this name");
    if (const json::Value* in = n.find("input")) {
      if (!in->is_array()) return t.error("'input' should be an array of names");
      for (const json::Value& r : in->items()) {
        if (!r.is_string() || r.as_string().empty()) return t.error("'input' should be an array of names");
        if (r.as_string()[0] == '^') continue;  // control dependency: no data flows
        t.inputs.push_back(r.as_string());
      }
    }
    t.attr = n.find("attr");
    out.push_back(std::move(t));
  }
  return out;
}

// Names of the signature's inputs or outputs ("x:0" → "x"), in file order; empty when absent.
std::vector<std::string> signature_names(const json::Value& model, const char* which) {
  std::vector<std::string> names;
  const json::Value* sig = model.find("signature");
  const json::Value* part = sig ? sig->find(which) : nullptr;
  if (!part || !part->is_object()) return names;
  for (const auto& m : part->members()) {
    const json::Value* n = m.second.find("name");
    std::string ref = n && n->is_string() ? n->as_string() : m.first;
    if (ref.size() > 2 && ref.compare(ref.size() - 2, 2, ":0") == 0) ref.resize(ref.size() - 2);
    names.push_back(ref);
  }
  return names;
}

enum class ModelFormat { kGraph, kLayers };

// Graph model (a TF graph: modelTopology.node) or layers-model (a Keras topology: model_config). The
// "format" field is optional in older files; when present it must agree with the topology.
Result<ModelFormat> model_format(const json::Value& model) {
  if (!model.is_object())
    return Status::error("not a TF.js model: the JSON is " + std::string(json::type_name(model.type())) +
                         ", not an object");
  const json::Value* topology = model.find("modelTopology");
  if (!topology || !topology->is_object()) return Status::error("not a TF.js model: no 'modelTopology' object");
  const bool keras = keras::is_keras_topology(*topology);
  const bool graph = topology->find("node") != nullptr;
  const json::Value* format = model.find("format");
  const std::string f = format && format->is_string() ? format->as_string() : "";
  if (f == "layers-model") {
    if (!keras)
      return Status::error(std::string("format says \"layers-model\" but modelTopology has no Keras model_config") +
                           (graph ? " (it is a TF graph: a graph model with the wrong format field?)" : ""));
    return ModelFormat::kLayers;
  }
  if (f == "graph-model") {
    if (keras)
      return Status::error(
          "format says \"graph-model\" but modelTopology is a Keras layers topology (model_config): a layers-model "
          "with the wrong format field?");
    return ModelFormat::kGraph;
  }
  if (!f.empty()) return Status::error("unknown TF.js model format '" + f + "' (graph-model, layers-model)");
  if (keras) return ModelFormat::kLayers;
  if (graph) return ModelFormat::kGraph;
  return Status::error(
      "not a TF.js model: modelTopology is neither a TF graph ('node') nor a Keras topology ('model_config')");
}

// All unsupported ops of the nodes that matter, in one message.
Status check_ops(const std::vector<const TfNode*>& nodes) {
  std::map<std::string, std::vector<std::string>> unsupported, control;
  for (const TfNode* n : nodes) {
    if (n->op == "Const" || n->op == "Placeholder" || n->op == "NoOp" || is_supported_tf_op(n->op)) continue;
    (is_control_flow_tf_op(n->op) ? control : unsupported)[n->op].push_back(n->name);
  }
  auto list = [](const std::map<std::string, std::vector<std::string>>& m) {
    std::string s;
    for (const auto& [op, names] : m) {
      if (!s.empty()) s += ", ";
      s += op + " (" + std::to_string(names.size()) + (names.size() == 1 ? " node: '" : " nodes, e.g. '") + names[0] +
           "')";
    }
    return s;
  };
  std::string msg;
  if (!unsupported.empty()) msg = "unsupported TF ops: " + list(unsupported);
  if (!control.empty())
    msg += (msg.empty() ? "" : "; ") + std::string("control flow / TensorArray / TensorList ops (out of scope): ") +
           list(control);
  return msg.empty() ? Status::ok() : Status::error(StatusCode::kUnsupportedOp, msg);
}

}  // namespace

Result<Graph> import_model(const std::string& json_text, const ShardReader& read_shard) {
  json::Limits limits;
  limits.max_bytes = kMaxJsonBytes;
  WEBCNN_ASSIGN(json::Value model, json::parse(json_text, limits));
  WEBCNN_ASSIGN(ModelFormat format, model_format(model));
  if (format == ModelFormat::kLayers) {
    Result<Graph> g = import_layers_model(model, read_shard);
    if (!g.is_ok()) return g.status().with_context("TF.js layers-model");
    return g;
  }
  if (!model.find("weightsManifest")) return Status::error("not a TF.js graph model: no 'weightsManifest'");
  WEBCNN_ASSIGN(std::vector<TfNode> nodes, read_nodes(*model.find("modelTopology")));
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < nodes.size(); ++i) by_name[nodes[i].name] = i;

  // Outputs: the signature's, else every node nobody reads (as TF.js does).
  std::vector<std::string> outputs = signature_names(model, "outputs");
  if (outputs.empty()) {
    std::set<std::string> read;
    for (const TfNode& n : nodes)
      for (const std::string& r : n.inputs) read.insert(producer_of(r));
    for (const TfNode& n : nodes)
      if (!read.count(n.name) && n.op != "Const" && n.op != "NoOp" && n.op != "Placeholder") outputs.push_back(n.name);
  }
  if (outputs.empty()) return Status::error("the model has no outputs");
  for (const std::string& o : outputs)
    if (!by_name.count(producer_of(o))) return Status::error("signature output '" + o + "' is not a node of the model");

  // The nodes the outputs need, producers first (iterative DFS: deep graphs must not overflow the stack).
  std::vector<int> state(nodes.size(), 0);  // 0 new, 1 on the stack, 2 done
  Status cycle;                             // reported after the op check, which names the loop's control-flow ops
  std::vector<size_t> order;
  for (const std::string& o : outputs) {
    std::vector<std::pair<size_t, size_t>> stack = {{by_name[producer_of(o)], 0}};
    while (!stack.empty()) {
      auto& [idx, next] = stack.back();
      if (next == 0) {
        if (state[idx] == 2) {
          stack.pop_back();
          continue;
        }
        state[idx] = 1;
      }
      if (next < nodes[idx].inputs.size()) {
        const std::string& ref = nodes[idx].inputs[next++];
        auto it = by_name.find(producer_of(ref));
        if (it == by_name.end()) return nodes[idx].error("input '" + ref + "' is not a node of the model");
        if (state[it->second] == 1 && cycle.is_ok())
          cycle = nodes[idx].error("is part of a cycle (loops are out of scope)");
        if (state[it->second] == 0) stack.emplace_back(it->second, 0);
        continue;
      }
      state[idx] = 2;
      order.push_back(idx);
      stack.pop_back();
    }
  }
  std::vector<const TfNode*> needed;
  for (size_t idx : order) needed.push_back(&nodes[idx]);
  WEBCNN_TRY(check_ops(needed));
  WEBCNN_TRY(cycle);

  WEBCNN_ASSIGN(auto weights, read_weights(*model.find("weightsManifest"), read_shard));

  Graph g;
  GraphBuilder b(g);
  std::map<std::string, ValueId> placeholders;
  for (const TfNode* n : needed) {
    if (n->op == "Const") {
      auto w = weights.find(n->name);
      if (w == weights.end()) return n->error("has no weight of that name in weightsManifest");
      b.bind(n->name, g.add_constant(n->name, std::move(w->second)));
      weights.erase(w);
    } else if (n->op == "Placeholder") {
      WEBCNN_ASSIGN(std::string t, n->attr_type("dtype", "DT_FLOAT"));
      Result<DataType> dt = dtype_from_tf(t);
      if (!dt.is_ok()) return n->error(dt.status().message());
      WEBCNN_ASSIGN(Shape shape, n->attr_shape("shape"));
      ValueId v = g.add_value(n->name, dt.value());
      g.value(v).shape = shape;
      g.value(v).has_shape = true;
      placeholders[n->name] = v;
      b.bind(n->name, v);
    } else if (n->op != "NoOp") {
      WEBCNN_TRY(translate_tf_node(*n, b));
    }
  }
  // Graph inputs in the signature's order when there is one, else in topology order.
  std::vector<std::string> input_names = signature_names(model, "inputs");
  for (const std::string& name : input_names)
    if (placeholders.count(name)) {
      g.inputs.push_back(placeholders[name]);
      placeholders.erase(name);
    }
  for (const TfNode* n : needed)
    if (placeholders.count(n->name)) g.inputs.push_back(placeholders[n->name]);
  for (const std::string& o : outputs) {
    TfNode user;
    user.name = "(model outputs)";
    user.op = "signature";
    WEBCNN_ASSIGN(ValueId v, b.value_of(user, o));
    g.outputs.push_back(v);
  }
  WEBCNN_TRY(g.validate());
  return g;
}

}  // namespace tfjs

namespace {
Result<std::vector<uint8_t>> read_file_bytes(const std::string& path, size_t max_bytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return Status::error(path + ": cannot open file");
  std::streamoff size = f.tellg();
  if (size < 0) return Status::error(path + ": cannot read file");
  if (static_cast<uint64_t>(size) > max_bytes)
    return Status::error(path + ": file is " + std::to_string(size) + " bytes, more than the limit of " +
                         std::to_string(max_bytes));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (size > 0 && !f.read(reinterpret_cast<char*>(bytes.data()), size))
    return Status::error(path + ": cannot read file");
  return bytes;
}
}  // namespace

Result<Graph> import_tfjs_model_file(const std::string& json_path) {
  // The file the caller named cannot be read: a bad argument (a missing shard is a broken model).
  WEBCNN_ASSIGN(std::vector<uint8_t> text,
                read_file_bytes(json_path, tfjs::kMaxJsonBytes).with_default_code(StatusCode::kInvalidArgument));
  size_t slash = json_path.find_last_of("/\\");
  std::string dir = slash == std::string::npos ? "" : json_path.substr(0, slash + 1);
  tfjs::ShardReader reader = [&dir](const std::string& path) -> Result<std::vector<uint8_t>> {
    Result<std::vector<uint8_t>> r = read_file_bytes(dir + path, tfjs::kMaxShardBytes);
    if (!r.is_ok()) return Status::error("weight shard " + r.status().message());
    return r;
  };
  return tfjs::import_model(std::string(text.begin(), text.end()), reader);
}

}  // namespace webcnn
