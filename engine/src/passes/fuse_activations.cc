// fuse_activations: an activation that directly follows a Conv/Gemm/MatMul (whose output it alone
// reads) becomes that node's `fused_activation` attributes (ops/README.md, ops/fused_activation.h) and
// disappears: the kernel applies it as it stores results. The op registry's traits say which ops
// accept a fused activation and how an activation translates into one (OpTraits::fuse_as_activation).
#include "ops/kernel.h"
#include "passes/graph_edit.h"
#include "passes/passes.h"

namespace webcnn {

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
    if (!OpRegistry::global().traits(prod.op).accepts_fused_activation) continue;
    if (prod.has_attr("fused_activation") || prod.outputs.size() != 1) continue;
    if (readers[static_cast<size_t>(x)].size() != 1 || is_graph_output(graph, x)) continue;
    if (graph.value(x).dtype != DataType::kFloat32) continue;
    const OpTraits::ActivationFuser fuse = OpRegistry::global().traits(act.op).fuse_as_activation;
    if (!fuse) continue;
    std::map<std::string, Attribute> attrs;
    WEBCNN_ASSIGN(bool fusable, fuse(graph, act, attrs));
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
