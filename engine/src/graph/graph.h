// The Graph IR: what every importer produces and every pass and the planner consume.
//
// Values are SSA edges (each produced once), identified by index. A value may carry constant data
// (initializers, folded results). Nodes name an engine op (see ops/README.md for the op set and its
// semantics, which follow ONNX; spatial ops carry a "layout" attribute, NCHW or NHWC).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {

using ValueId = int32_t;
constexpr ValueId kNoValue = -1;  // an absent optional input

struct Attribute {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor };
  Kind kind = Kind::kInt;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::shared_ptr<const Tensor> tensor;

  static Attribute of_int(int64_t v) {
    Attribute a;
    a.kind = Kind::kInt;
    a.i = v;
    return a;
  }
  static Attribute of_float(float v) {
    Attribute a;
    a.kind = Kind::kFloat;
    a.f = v;
    return a;
  }
  static Attribute of_string(std::string v) {
    Attribute a;
    a.kind = Kind::kString;
    a.s = std::move(v);
    return a;
  }
  static Attribute of_ints(std::vector<int64_t> v) {
    Attribute a;
    a.kind = Kind::kInts;
    a.ints = std::move(v);
    return a;
  }
  static Attribute of_floats(std::vector<float> v) {
    Attribute a;
    a.kind = Kind::kFloats;
    a.floats = std::move(v);
    return a;
  }
  static Attribute of_tensor(std::shared_ptr<const Tensor> t) {
    Attribute a;
    a.kind = Kind::kTensor;
    a.tensor = std::move(t);
    return a;
  }
};
const char* attribute_kind_name(Attribute::Kind k);

struct Value {
  std::string name;
  DataType dtype = DataType::kFloat32;
  Shape shape;                             // dims; -1 = unknown (only before planning)
  bool has_shape = false;                  // false: rank unknown
  std::shared_ptr<const Tensor> constant;  // set for initializers and folded values
  QuantParams quant;  // 8-bit values from quantised models (informational: ops read theirs as inputs)
  // A graph input or output the model declares as double: computed as float32 (dtype), taken and
  // returned as float64 by Model (tensor.h, DataType::kFloat64). Read only at the model's boundary.
  bool declared_float64 = false;
};

struct Node {
  std::string name;  // add_node() names an unnamed node after its first output
  std::string op;
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  std::map<std::string, Attribute> attrs;

  // "Conv 'stem/conv1'": the prefix of every error about this node.
  std::string describe() const;
  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }

  // Typed attribute getters: the default when absent, an error naming the node when the kind is wrong.
  Result<int64_t> attr_int(const std::string& key, int64_t def) const;
  Result<float> attr_float(const std::string& key, float def) const;
  Result<std::string> attr_string(const std::string& key, const std::string& def) const;
  Result<std::vector<int64_t>> attr_ints(const std::string& key, const std::vector<int64_t>& def) const;
  Result<std::vector<float>> attr_floats(const std::string& key, const std::vector<float>& def) const;

  Status error(const std::string& what) const { return Status::error(describe() + ": " + what); }
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;  // graph inputs fed by the caller (never constant)
  std::vector<ValueId> outputs;

  ValueId add_value(std::string name, DataType dtype = DataType::kFloat32);
  ValueId add_constant(std::string name, Tensor tensor);
  // Appends a node; returns its index. Output names are remembered for describe().
  size_t add_node(Node node);

  const std::string& value_name(ValueId id) const { return values[static_cast<size_t>(id)].name; }
  Value& value(ValueId id) { return values[static_cast<size_t>(id)]; }
  const Value& value(ValueId id) const { return values[static_cast<size_t>(id)]; }

  // Checks structure: ids in range, each value produced at most once, no cycles, inputs defined.
  Status validate() const;
  // Node indices in an order where producers come before consumers; error on a cycle.
  Result<std::vector<size_t>> topological_order() const;
  // For each value, the nodes that read it.
  std::vector<std::vector<size_t>> consumers() const;
  // Drops nodes whose outputs nobody needs (not graph outputs, not read) and unreferenced values stay.
  void remove_dead_nodes();
  // Finds a value by name (linear; for importers and tools).
  ValueId find_value(const std::string& name) const;
  // Op type → count, for `webcnn info`.
  std::map<std::string, int> op_histogram() const;
};

}  // namespace webcnn
