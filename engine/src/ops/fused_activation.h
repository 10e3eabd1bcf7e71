// Reads the activation a Conv/Gemm/MatMul node applies as it stores results from the node's
// `fused_activation` attributes (see README.md). What it computes is in kernels/fused_activation.h.
#pragma once

#include "graph/graph.h"
#include "kernels/fused_activation.h"
#include "webcnn/status.h"

namespace webcnn {

Result<FusedActivation> fused_activation_from_node(const Node& node);

}  // namespace webcnn
