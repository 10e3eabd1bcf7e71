// Shape inference and constant folding, in one walk over the graph.
#pragma once

#include "graph/graph.h"

namespace webcnn {

// Every graph input must have a full static shape. Walks nodes in topological order, asks each
// node's kernel for its outputs' dtypes and shapes, and runs nodes whose inputs are all constant
// so their outputs become constants (this is what folds PyTorch's Shape→Gather→Concat→Reshape).
// Afterwards every value has a shape; nodes with constant outputs are removed.
Status infer_shapes_and_fold_constants(Graph& graph);

// Folds only the nodes whose inputs are all constants (weights re-laid-out by Transpose/Reshape, ...),
// on a graph whose inputs may still have unknown dimensions, and frees the constants only they read.
Status fold_constant_nodes(Graph& graph);

}  // namespace webcnn
