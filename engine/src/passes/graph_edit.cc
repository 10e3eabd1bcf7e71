#include "passes/graph_edit.h"

#include <algorithm>

#include "graph/constants.h"
#include "ops/transpose.h"

namespace webcnn::graph_edit {

std::vector<int> producers(const Graph& g) {
  std::vector<int> p(g.values.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (ValueId o : g.nodes[i].outputs)
      if (o >= 0 && static_cast<size_t>(o) < p.size()) p[static_cast<size_t>(o)] = static_cast<int>(i);
  return p;
}

bool is_graph_output(const Graph& g, ValueId v) {
  return std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
}

bool is_scalar_float_constant(const Graph& g, ValueId v) {
  if (v == kNoValue) return false;
  const Value& val = g.value(v);
  return val.constant && val.dtype == DataType::kFloat32 && val.constant->size() == 1;
}

ValueId add_value(Graph& g, const std::string& base, DataType dtype, const Shape& shape) {
  ValueId id = g.add_value(unique_value_name(g, base), dtype);
  g.value(id).shape = shape;
  g.value(id).has_shape = true;
  return id;
}

Perm identity_perm(size_t rank) {
  Perm p(rank);
  for (size_t i = 0; i < rank; ++i) p[i] = static_cast<int64_t>(i);
  return p;
}

bool is_identity(const Perm& p) { return p == identity_perm(p.size()); }

Perm inverse(const Perm& p) {
  Perm inv(p.size());
  for (size_t i = 0; i < p.size(); ++i) inv[static_cast<size_t>(p[i])] = static_cast<int64_t>(i);
  return inv;
}

// out = transpose(transpose(x, first), second): out dim i = mid dim second[i] = x dim first[second[i]].
Perm compose(const Perm& first, const Perm& second) {
  Perm c(second.size());
  for (size_t i = 0; i < second.size(); ++i) c[i] = first[static_cast<size_t>(second[i])];
  return c;
}

Shape permute(const Shape& s, const Perm& p) {
  Shape o(p.size());
  for (size_t i = 0; i < p.size(); ++i) o[i] = s[static_cast<size_t>(p[i])];
  return o;
}

Perm channels_last_perm(size_t rank) {
  Perm p = {0};
  for (size_t i = 2; i < rank; ++i) p.push_back(static_cast<int64_t>(i));
  p.push_back(1);
  return p;
}

Perm channels_first_perm(size_t rank) { return inverse(channels_last_perm(rank)); }

Tensor permute_tensor(const Tensor& t, const Perm& p) {
  Tensor out(t.dtype(), permute(t.shape(), p));
  data_movement::transpose(t.raw(), t.shape(), p, out.raw(), dtype_size(t.dtype()));
  return out;
}

Result<Perm> transpose_perm_of(const Node& node, size_t rank) {
  WEBCNN_ASSIGN(std::vector<int64_t> attr, node.attr_ints("perm", {}));
  auto perm = data_movement::transpose_perm(rank, attr, node.has_attr("perm"));
  if (!perm.is_ok()) return node.error(perm.status().message());
  return perm;
}

Node make_transpose(const std::string& name, ValueId in, ValueId out, const Perm& perm) {
  Node n;
  n.op = "Transpose";
  n.name = name;
  n.inputs = {in};
  n.outputs = {out};
  n.attrs["perm"] = Attribute::of_ints(perm);
  return n;
}

void erase_nodes(Graph& g, const std::vector<bool>& erase) {
  std::vector<Node> kept;
  kept.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (i >= erase.size() || !erase[i]) kept.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(kept);
}

}  // namespace webcnn::graph_edit
