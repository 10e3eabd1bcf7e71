#include "graph/graph.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace webcnn {

const char* attribute_kind_name(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kInt: return "an int";
    case Attribute::Kind::kFloat: return "a float";
    case Attribute::Kind::kString: return "a string";
    case Attribute::Kind::kInts: return "a list of ints";
    case Attribute::Kind::kFloats: return "a list of floats";
    case Attribute::Kind::kStrings: return "a list of strings";
    case Attribute::Kind::kTensor: return "a tensor";
  }
  return "?";
}

std::string Node::describe() const { return op + " '" + name + "'"; }

namespace {
template <typename T, typename Get>
Result<T> get_attr(const Node& n, const std::string& key, const T& def, Attribute::Kind kind, Get get) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) return def;
  if (it->second.kind != kind)
    return n.error("attribute '" + key + "' should be " + attribute_kind_name(kind) + ", got " +
                   attribute_kind_name(it->second.kind));
  return get(it->second);
}
}  // namespace

Result<int64_t> Node::attr_int(const std::string& key, int64_t def) const {
  return get_attr<int64_t>(*this, key, def, Attribute::Kind::kInt, [](const Attribute& a) { return a.i; });
}
Result<float> Node::attr_float(const std::string& key, float def) const {
  return get_attr<float>(*this, key, def, Attribute::Kind::kFloat, [](const Attribute& a) { return a.f; });
}
Result<std::string> Node::attr_string(const std::string& key, const std::string& def) const {
  return get_attr<std::string>(*this, key, def, Attribute::Kind::kString, [](const Attribute& a) { return a.s; });
}
Result<std::vector<int64_t>> Node::attr_ints(const std::string& key, const std::vector<int64_t>& def) const {
  return get_attr<std::vector<int64_t>>(*this, key, def, Attribute::Kind::kInts,
                                        [](const Attribute& a) { return a.ints; });
}
Result<std::vector<float>> Node::attr_floats(const std::string& key, const std::vector<float>& def) const {
  return get_attr<std::vector<float>>(*this, key, def, Attribute::Kind::kFloats,
                                      [](const Attribute& a) { return a.floats; });
}

ValueId Graph::add_value(std::string name, DataType dtype) {
  Value v;
  v.name = std::move(name);
  v.dtype = dtype;
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::add_constant(std::string name, Tensor tensor) {
  ValueId id = add_value(std::move(name), tensor.dtype());
  Value& v = value(id);
  v.shape = tensor.shape();
  v.has_shape = true;
  v.constant = std::make_shared<const Tensor>(std::move(tensor));
  return id;
}

size_t Graph::add_node(Node node) {
  if (node.name.empty() && !node.outputs.empty() && node.outputs[0] >= 0 &&
      static_cast<size_t>(node.outputs[0]) < values.size())
    node.name = value(node.outputs[0]).name;
  nodes.push_back(std::move(node));
  return nodes.size() - 1;
}

Status Graph::validate() const {
  const size_t nv = values.size();
  std::vector<int> producer(nv, -1);
  auto in_range = [&](ValueId id) { return id >= 0 && static_cast<size_t>(id) < nv; };
  for (ValueId id : inputs) {
    if (!in_range(id)) return Status::error("graph input refers to a missing value");
    if (values[static_cast<size_t>(id)].constant)
      return Status::error("graph input '" + values[static_cast<size_t>(id)].name + "' is also a constant");
    producer[static_cast<size_t>(id)] = -2;
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    // Kernels describe output 0 at least (an absent one too); a node with no output list at all is no op.
    if (n.outputs.empty()) return n.error("has no outputs");
    for (ValueId o : n.outputs) {
      if (o == kNoValue) continue;
      if (!in_range(o)) return n.error("output refers to a missing value");
      const Value& v = values[static_cast<size_t>(o)];
      if (producer[static_cast<size_t>(o)] != -1 || v.constant)
        return n.error("output '" + v.name + "' is already produced elsewhere");
      producer[static_cast<size_t>(o)] = static_cast<int>(i);
    }
  }
  for (const Node& n : nodes) {
    for (ValueId in : n.inputs) {
      if (in == kNoValue) continue;
      if (!in_range(in)) return n.error("input refers to a missing value");
      const Value& v = values[static_cast<size_t>(in)];
      if (producer[static_cast<size_t>(in)] == -1 && !v.constant)
        return n.error("input '" + v.name + "' is not produced by any node, initializer or graph input");
    }
  }
  for (ValueId o : outputs) {
    if (!in_range(o)) return Status::error("graph output refers to a missing value");
    const Value& v = values[static_cast<size_t>(o)];
    if (producer[static_cast<size_t>(o)] == -1 && !v.constant)
      return Status::error("graph output '" + v.name + "' is not produced by any node");
  }
  return topological_order().status();
}

Result<std::vector<size_t>> Graph::topological_order() const {
  const size_t nv = values.size();
  std::vector<int> producer(nv, -1);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (ValueId o : nodes[i].outputs)
      if (o >= 0 && static_cast<size_t>(o) < nv) producer[static_cast<size_t>(o)] = static_cast<int>(i);
  // Kahn's algorithm, keeping the file's order among ready nodes so plans are stable.
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> users(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (ValueId in : nodes[i].inputs) {
      if (in < 0 || static_cast<size_t>(in) >= nv) continue;
      int p = producer[static_cast<size_t>(in)];
      if (p >= 0) {
        ++pending[i];
        users[static_cast<size_t>(p)].push_back(i);
      }
    }
  }
  // The lowest-index ready node runs next: a min-heap, not a vector re-sorted per node (quadratic when a
  // 20k-way Concat's producers are all ready at once).
  std::vector<size_t> order;
  order.reserve(nodes.size());
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.push(i);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (size_t u : users[i])
      if (--pending[u] == 0) ready.push(u);
  }
  if (order.size() != nodes.size()) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (pending[i] > 0) return nodes[i].error("is part of a cycle");
  }
  return order;
}

std::vector<std::vector<size_t>> Graph::consumers() const {
  std::vector<std::vector<size_t>> c(values.size());
  for (size_t i = 0; i < nodes.size(); ++i)
    for (ValueId in : nodes[i].inputs)
      if (in >= 0 && static_cast<size_t>(in) < values.size()) c[static_cast<size_t>(in)].push_back(i);
  return c;
}

void Graph::remove_dead_nodes() {
  std::vector<bool> needed(values.size(), false);
  for (ValueId o : outputs) needed[static_cast<size_t>(o)] = true;
  std::vector<bool> keep(nodes.size(), false);
  // Walk backwards repeatedly until stable; graphs are topologically sorted by the planner first,
  // but this must also work on unsorted graphs, so iterate to a fixed point.
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = nodes.size(); i-- > 0;) {
      if (keep[i]) continue;
      bool live = false;
      for (ValueId o : nodes[i].outputs)
        if (o >= 0 && needed[static_cast<size_t>(o)] && !values[static_cast<size_t>(o)].constant) live = true;
      if (!live) continue;
      keep[i] = true;
      changed = true;
      for (ValueId in : nodes[i].inputs)
        if (in >= 0) needed[static_cast<size_t>(in)] = true;
    }
  }
  std::vector<Node> kept;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (keep[i]) kept.push_back(std::move(nodes[i]));
  nodes = std::move(kept);
}

ValueId Graph::find_value(const std::string& name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == name) return static_cast<ValueId>(i);
  return kNoValue;
}

std::map<std::string, int> Graph::op_histogram() const {
  std::map<std::string, int> h;
  for (const Node& n : nodes) ++h[n.op];
  return h;
}

}  // namespace webcnn
