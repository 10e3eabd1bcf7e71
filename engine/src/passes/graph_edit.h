// Small graph-editing helpers the passes share: who produces and who reads a value, new values with
// their shapes set (new constants: graph/constants.h), permutation arithmetic, and dropping nodes.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"

namespace webcnn::graph_edit {

// For each value, the index of the node producing it, or -1 (graph input, constant, unused).
std::vector<int> producers(const Graph& g);
bool is_graph_output(const Graph& g, ValueId v);
// True when the value holds constant float32 data of exactly one element.
bool is_scalar_float_constant(const Graph& g, ValueId v);

// A new value named after `base` (made unique), with dtype and shape set.
ValueId add_value(Graph& g, const std::string& base, DataType dtype, const Shape& shape);

// Transpose's meaning: output dim i is input dim perm[i].
using Perm = std::vector<int64_t>;
Perm identity_perm(size_t rank);
bool is_identity(const Perm& p);
Perm inverse(const Perm& p);
// The single permutation doing `first` then `second`.
Perm compose(const Perm& first, const Perm& second);
Shape permute(const Shape& s, const Perm& p);
// Moves axis 1 to the end: [N, C, D1..Dk] -> [N, D1..Dk, C]; and back.
Perm channels_last_perm(size_t rank);
Perm channels_first_perm(size_t rank);
// A constant's data permuted (any dtype).
Tensor permute_tensor(const Tensor& t, const Perm& p);

// The perm a Transpose node applies to an input of `rank` (ONNX default: reversed dims).
Result<Perm> transpose_perm_of(const Node& node, size_t rank);
Node make_transpose(const std::string& name, ValueId in, ValueId out, const Perm& perm);

// Removes the nodes whose flag is set, keeping the others in order.
void erase_nodes(Graph& g, const std::vector<bool>& erase);

}  // namespace webcnn::graph_edit
