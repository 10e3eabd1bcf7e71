// What the TF.js op mapping works with: one TensorFlow node as model.json gives it (name, op, inputs,
// attrs), its typed attribute readers, and a builder that appends engine nodes to the Graph IR.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "import/tfjs/json.h"

namespace webcnn {
namespace tfjs {

struct TfNode {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;    // "producer" or "producer:k"; control inputs ("^x") dropped
  const json::Value* attr = nullptr;  // the node's "attr" object (may be null)

  std::string describe() const { return op + " '" + name + "'"; }
  Status error(const std::string& what) const { return Status::error("TF.js node " + describe() + ": " + what); }

  // Typed attribute readers; `def` when absent, an error naming the node when malformed.
  Result<int64_t> attr_int(const std::string& key, int64_t def) const;
  Result<float> attr_float(const std::string& key, float def) const;
  Result<bool> attr_bool(const std::string& key, bool def) const;
  Result<std::string> attr_string(const std::string& key, const std::string& def) const;  // base64-decoded "s"
  Result<std::vector<int64_t>> attr_ints(const std::string& key) const;                   // list.i (empty if absent)
  Result<std::vector<std::string>> attr_strings(const std::string& key) const;            // list.s, decoded
  Result<std::string> attr_type(const std::string& key, const std::string& def) const;    // "DT_FLOAT", ...
  // attr.shape: dims (-1 unknown); error when absent or of unknown rank.
  Result<Shape> attr_shape(const std::string& key) const;
};

// TF dtype name ("DT_FLOAT") → engine dtype; error for the others.
Result<DataType> dtype_from_tf(const std::string& tf_type);

class GraphBuilder {
 public:
  explicit GraphBuilder(Graph& graph) : g_(graph) {}

  Graph& graph() { return g_; }

  // The engine value a TF reference ("x", "x:1") names; error when no such node (output) exists.
  Result<ValueId> value_of(const TfNode& user, const std::string& ref) const;
  Result<ValueId> input(const TfNode& node, size_t i) const;
  // The constant behind input i, or null when it is computed at run time.
  const Tensor* constant_input(const TfNode& node, size_t i) const;
  // Integer list from constant input i; error naming the node when not constant or not integer.
  Result<std::vector<int64_t>> constant_ints(const TfNode& node, size_t i, const char* what) const;
  // Makes `ref` (the TF name of an output) refer to an engine value.
  void bind(const std::string& ref, ValueId v) { names_[ref] = v; }

  // Appends an engine node named `name` with fresh output values named `out_names`; returns their ids.
  std::vector<ValueId> add(const std::string& op, const std::string& name, std::vector<ValueId> inputs,
                           std::map<std::string, Attribute> attrs, std::vector<std::string> out_names);
  // One-output shorthand; the output value is called `name`.
  ValueId add1(const std::string& op, const std::string& name, std::vector<ValueId> inputs,
               std::map<std::string, Attribute> attrs = {});
  // Cast to int64 (for ONNX-form shape-like inputs: axes, pads, shapes, sizes, k).
  ValueId to_int64(const std::string& name, ValueId v);

 private:
  Graph& g_;
  std::map<std::string, ValueId> names_;
};

// Translates one TF node (all of whose inputs are bound) into engine nodes and binds its outputs.
// Returns an error for malformed nodes; unknown ops are filtered out before (is_supported_tf_op).
Status translate_tf_node(const TfNode& node, GraphBuilder& b);
bool is_supported_tf_op(const std::string& op);
// Ops out of scope by design (control flow, TensorArray/TensorList): reported as such.
bool is_control_flow_tf_op(const std::string& op);

}  // namespace tfjs
}  // namespace webcnn
