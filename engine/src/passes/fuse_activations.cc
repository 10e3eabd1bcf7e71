// fuse_activations: an activation that directly follows a Conv/Gemm/MatMul (whose output it alone
// reads) becomes that node's `fused_activation` attributes (ops/README.md, ops/fused_activation.h) and
// disappears: the kernel applies it as it stores results.
#include <cmath>

#include "passes/graph_edit.h"
#include "passes/passes.h"

namespace webcnn {

namespace {

// The fused_* attributes equivalent to `act`, or false when it cannot be fused (e.g. Clip bounds
// that are not constants).
Result<bool> fused_attrs(const Graph& g, const Node& act, std::map<std::string, Attribute>& attrs) {
  using graph_edit::is_scalar_float_constant;
  const std::string& op = act.op;
  if (op == "Relu" || op == "Sigmoid" || op == "HardSwish" || op == "Tanh") {
    if (act.inputs.size() != 1) return false;
  } else if (op == "Clip") {
    float bounds[2] = {-INFINITY, INFINITY};
    for (size_t i = 1; i < act.inputs.size() && i < 3; ++i) {
      const ValueId v = act.inputs[i];
      if (v == kNoValue) continue;
      if (!is_scalar_float_constant(g, v)) return false;
      bounds[i - 1] = g.value(v).constant->data<float>()[0];
    }
    if (act.inputs.size() > 3) return false;
    attrs["fused_min"] = Attribute::of_float(bounds[0]);
    attrs["fused_max"] = Attribute::of_float(bounds[1]);
  } else if (op == "LeakyRelu") {
    WEBCNN_ASSIGN(float alpha, act.attr_float("alpha", 0.01f));
    attrs["fused_alpha"] = Attribute::of_float(alpha);
  } else if (op == "HardSigmoid") {
    WEBCNN_ASSIGN(float alpha, act.attr_float("alpha", 0.2f));
    WEBCNN_ASSIGN(float beta, act.attr_float("beta", 0.5f));
    attrs["fused_alpha"] = Attribute::of_float(alpha);
    attrs["fused_beta"] = Attribute::of_float(beta);
  } else {
    return false;
  }
  if (act.outputs.size() != 1) return false;
  attrs["fused_activation"] = Attribute::of_string(op);
  return true;
}

}  // namespace

Status fuse_activations(Graph& graph) {
  using namespace graph_edit;
  std::vector<int> producer = producers(graph);
  std::vector<std::vector<size_t>> readers = graph.consumers();
  std::vector<bool> erase(graph.nodes.size(), false);
  for (size_t a = 0; a < graph.nodes.size(); ++a) {
    const Node& act = graph.nodes[a];
    if (act.inputs.empty() || act.inputs[0] == kNoValue || act.outputs.empty()) continue;
    const ValueId x = act.inputs[0];
    const int p = producer[static_cast<size_t>(x)];
    if (p < 0 || erase[static_cast<size_t>(p)]) continue;
    const Node& prod = graph.nodes[static_cast<size_t>(p)];
    if (prod.op != "Conv" && prod.op != "Gemm" && prod.op != "MatMul") continue;
    if (prod.has_attr("fused_activation") || prod.outputs.size() != 1) continue;
    if (readers[static_cast<size_t>(x)].size() != 1 || is_graph_output(graph, x)) continue;
    if (graph.value(x).dtype != DataType::kFloat32) continue;
    std::map<std::string, Attribute> attrs;
    WEBCNN_ASSIGN(bool fusable, fused_attrs(graph, act, attrs));
    if (!fusable) continue;
    Node& fused = graph.nodes[static_cast<size_t>(p)];
    for (auto& kv : attrs) fused.attrs[kv.first] = kv.second;
    fused.outputs[0] = act.outputs[0];
    erase[a] = true;
  }
  erase_nodes(graph, erase);
  return Status::ok();
}

}  // namespace webcnn
