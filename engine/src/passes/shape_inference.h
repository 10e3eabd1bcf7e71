// Shape inference and constant folding, in one walk over the graph.
#pragma once

#include "graph/graph.h"

namespace webcnn {

// Every graph input must have a full static shape. Walks nodes in topological order, asks each
// node's kernel for its outputs' dtypes and shapes, and runs nodes whose inputs are all constant
// so their outputs become constants (this is what folds PyTorch's Shape→Gather→Concat→Reshape).
// Afterwards every value has a shape; nodes with constant outputs are removed.
// `keep_dequantized_weights`: a DequantizeLinear of constant data stays a node (its 8-bit weights stay
// visible), so fuse_qdq can hand them to the 8-bit kernels; fuse_qdq folds the ones it leaves.
Status infer_shapes_and_fold_constants(Graph& graph, bool keep_dequantized_weights = false);

// Folds only the nodes whose inputs are all constants (weights re-laid-out by Transpose/Reshape, ...),
// on a graph whose inputs may still have unknown dimensions, and frees the constants only they read.
Status fold_constant_nodes(Graph& graph, bool keep_dequantized_weights = false);

}  // namespace webcnn
