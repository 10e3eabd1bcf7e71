// Rewrites ONNX nodes of older opsets (1..17) into the opset-18 form the engine's kernels implement
// (see ops/README.md), and adds the engine-only `layout` attribute to spatial ops.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace webcnn {
namespace onnx {

// Where normalisation appends helper nodes; constants go to graph() through graph/constants.h.
class ImportContext {
 public:
  ImportContext(Graph& graph, int64_t opset) : graph_(graph), opset_(opset) {}
  Graph& graph() { return graph_; }
  int64_t opset() const { return opset_; }

  ValueId intermediate(const std::string& name);
  void add(Node node) { graph_.add_node(std::move(node)); }

 private:
  Graph& graph_;
  int64_t opset_;
};

// Appends `node` (an ONNX default-domain node whose inputs/outputs are already value ids and whose
// attributes are translated) to the graph in its opset-18 form, possibly as several nodes.
Status add_normalized_node(ImportContext& ctx, Node node);

}  // namespace onnx
}  // namespace webcnn
