// fuse_residual_add: Add(Conv(x), r), where r has exactly the Conv output's shape and the Conv output is
// read only by that Add, becomes Conv(x, W, B, r): the kernel adds r to each block of output right after
// writing it (ops/conv.cc), so the skip connection of a residual block costs no pass of its own over memory.
// Runs after the layout passes (the Conv runs NHWC and r is in the same element order, since both are
// the operands of one elementwise Add of equal shapes). A Relu after the Add then fuses into the Conv too
// (fuse_activations runs again after this pass): y = act(conv + r), the order the graph had.
#include "passes/graph_edit.h"
#include "passes/passes.h"

namespace webcnn {

Status fuse_residual_add(Graph& graph) {
  using namespace graph_edit;
  std::vector<int> producer = producers(graph);
  std::vector<std::vector<size_t>> readers = graph.consumers();
  std::vector<bool> erase(graph.nodes.size(), false);
  for (size_t a = 0; a < graph.nodes.size(); ++a) {
    const Node& add = graph.nodes[a];
    if (add.op != "Add" || add.inputs.size() != 2 || add.outputs.size() != 1 || add.outputs[0] == kNoValue) continue;
    for (size_t side = 0; side < 2; ++side) {
      const ValueId x = add.inputs[side], r = add.inputs[1 - side];
      if (x == kNoValue || r == kNoValue || x == r) continue;
      const int p = producer[static_cast<size_t>(x)];
      if (p < 0 || erase[static_cast<size_t>(p)]) continue;
      const Node& conv = graph.nodes[static_cast<size_t>(p)];
      if (conv.op != "Conv" || conv.outputs.size() != 1 || conv.inputs.size() > 3) continue;
      if (conv.has_attr("fused_activation")) continue;  // act(conv) + r is not act(conv + r)
      WEBCNN_ASSIGN(std::string layout, conv.attr_string("layout", "NCHW"));
      if (layout != "NHWC") continue;
      if (readers[static_cast<size_t>(x)].size() != 1 || is_graph_output(graph, x)) continue;
      const Value& xv = graph.value(x);
      const Value& rv = graph.value(r);
      if (!xv.has_shape || !rv.has_shape || xv.shape != rv.shape) continue;  // no broadcasting
      if (xv.dtype != DataType::kFloat32 || rv.dtype != DataType::kFloat32) continue;
      Node& fused = graph.nodes[static_cast<size_t>(p)];
      fused.inputs.resize(3, kNoValue);  // absent bias stays absent
      fused.inputs.push_back(r);
      fused.attrs["fused_residual"] = Attribute::of_int(1);
      fused.outputs[0] = add.outputs[0];
      erase[a] = true;
      break;
    }
  }
  erase_nodes(graph, erase);
  return Status::ok();
}

}  // namespace webcnn
