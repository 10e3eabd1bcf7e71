#include "graph/passes/passes.h"

namespace webcnn {

Status run_graph_passes(Graph& graph, bool optimize) {
  (void)graph;
  (void)optimize;
  return Status::ok();
}

}  // namespace webcnn
