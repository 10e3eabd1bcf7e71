// Building small graphs by hand in tests: a graph input, a one-output node, a random tensor.
#pragma once

#include <map>
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace webcnn::test_graph {

// Values uniform in [lo, hi).
inline Tensor random_tensor(Shape s, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DataType::kFloat32, std::move(s));
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.size(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

// A float32 graph input of `shape` (-1 for a free dimension).
inline ValueId add_input(Graph& g, const std::string& name, Shape shape) {
  ValueId v = g.add_value(name);
  g.value(v).shape = std::move(shape);
  g.value(v).has_shape = true;
  g.inputs.push_back(v);
  return v;
}

// A node named `name` with one output, which is returned (named name + ":0").
inline ValueId add_node(Graph& g, const std::string& op, const std::string& name, std::vector<ValueId> in,
                        std::map<std::string, Attribute> attrs = {}) {
  ValueId out = g.add_value(name + ":0");
  Node n;
  n.op = op;
  n.name = name;
  n.inputs = std::move(in);
  n.outputs = {out};
  n.attrs = std::move(attrs);
  g.add_node(n);
  return out;
}

}  // namespace webcnn::test_graph
