// convert_to_nhwc: the spatial kernels run NHWC, ONNX graphs are NCHW. Every NCHW spatial op (the
// registry's layout_sensitive trait) of rank 3
// (1-D, [N,C,W]) or 4 ([N,C,H,W]) gets layout=NHWC, a Transpose to channels-last before its data input
// and one back to channels-first after its output. Weights stay as they are: the kernels pack ONNX
// layouts. sink_transposes then cancels the pairs this leaves between consecutive ops.
#include <map>

#include "ops/kernel.h"
#include "passes/graph_edit.h"
#include "passes/passes.h"

namespace webcnn {

Status convert_to_nhwc(Graph& graph) {
  using namespace graph_edit;
  std::map<ValueId, ValueId> channels_last_of;  // one input Transpose per value, shared by its readers
  const size_t original_nodes = graph.nodes.size();
  for (size_t i = 0; i < original_nodes; ++i) {
    const Node& node = graph.nodes[i];
    if (!OpRegistry::global().traits(node.op).layout_sensitive || node.inputs.empty() || node.outputs.empty()) continue;
    WEBCNN_ASSIGN(std::string layout, node.attr_string("layout", "NCHW"));
    if (layout != "NCHW") continue;  // already NHWC (or invalid: its kernel reports that)
    const ValueId x = node.inputs[0], y = node.outputs[0];
    if (x == kNoValue || y == kNoValue) continue;
    if (!graph.value(x).has_shape || !graph.value(y).has_shape)
      return node.error("convert_to_nhwc needs known shapes (run shape inference first)");
    const size_t rank = graph.value(x).shape.size();
    if ((rank != 3 && rank != 4) || graph.value(y).shape.size() != rank) continue;  // 3-D ops: their kernels refuse
    const Perm to_last = channels_last_perm(rank), to_first = channels_first_perm(rank);
    const std::string name = node.name;

    ValueId x_last;
    auto cached = channels_last_of.find(x);
    if (cached != channels_last_of.end()) {
      x_last = cached->second;
    } else {
      const Value& xv = graph.value(x);
      x_last = add_value(graph, xv.name + "/nhwc", xv.dtype, permute(xv.shape, to_last));
      graph.add_node(make_transpose(name + "/to_nhwc", x, x_last, to_last));
      channels_last_of[x] = x_last;
    }
    const Value& yv = graph.value(y);
    const ValueId y_last = add_value(graph, yv.name + "/nhwc", yv.dtype, permute(yv.shape, to_last));
    graph.add_node(make_transpose(name + "/to_nchw", y_last, y, to_first));

    Node& rewritten = graph.nodes[i];  // add_node may have moved the nodes
    rewritten.inputs[0] = x_last;
    rewritten.outputs[0] = y_last;
    rewritten.attrs["layout"] = Attribute::of_string("NHWC");
  }
  return Status::ok();
}

}  // namespace webcnn
