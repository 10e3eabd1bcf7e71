// What a planned node is, for reports: its kind as the kernels see it ("Conv 3x3 dw s2") and its
// multiply-accumulates. Used by Model::summary and Model::profile.
#pragma once

#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace webcnn {

// The op plus what decides its kernel: the window ("3x3"), depthwise ("dw"), the stride when not 1
// ("s2"): "Conv 1x1", "Conv 3x3 dw s2", "MaxPool 3x3 s2"; other ops are just their name.
std::string node_kind(const Node& node, const Graph& g);

// Multiply-accumulates at the graph's shapes, as the op registers them (OpTraits::macs: Conv,
// ConvTranspose, Gemm, MatMul); 0 for other ops.
int64_t node_macs(const Node& node, const Graph& g);

}  // namespace webcnn
