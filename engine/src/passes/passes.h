// Graph optimisation passes. Each runs on a graph whose shapes are all known (after
// infer_shapes_and_fold_constants) and leaves a graph that computes the same outputs.
#pragma once

#include "graph/graph.h"

namespace webcnn {

// The spatial ops' kernels work in NHWC only: rewrites NCHW Conv/ConvTranspose/pools/etc. into NHWC
// with Transposes around them (weights stay OIHW; their kernels pack them). Required for correctness.
Status convert_to_nhwc(Graph& graph);
// Moves Transposes through layout-agnostic ops and cancels inverse pairs, so a chain of NCHW convs
// runs as NHWC from end to end with one transpose at each edge.
Status sink_transposes(Graph& graph);
// DequantizeLinear → Conv/MatMul/Gemm/Add/pools [→ Relu/Clip] → QuantizeLinear (ONNX QDQ models) become
// QLinearConv/QLinearMatMul/QGemm/QLinearAdd/..., and 8-bit data movement between a DQ/Q pair of equal
// parameters drops the pair: the 8-bit kernels run what the file computes in float.
Status fuse_qdq(Graph& graph);
// BatchNormalization after a Conv becomes the Conv's weights and bias.
Status fold_batch_norm_into_conv(Graph& graph);
// Relu/Clip/Sigmoid/HardSwish/LeakyRelu after a Conv/Gemm become its fused activation.
Status fuse_activations(Graph& graph);
// Add(Conv(x), r) with r of the Conv output's shape becomes the Conv's residual input (after the layout
// passes: NHWC Convs only).
Status fuse_residual_add(Graph& graph);

// The whole pipeline, in order. `optimize` false runs only what correctness needs.
Status run_graph_passes(Graph& graph, bool optimize);

}  // namespace webcnn
