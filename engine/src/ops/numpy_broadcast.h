// Multidirectional (numpy) broadcasting for the small TF-derived ops (comparison, Where, Mod/FloorDiv):
// the output shape of any number of inputs and an odometer walk over it with one offset per input
// (strides from ops/broadcast.h). These ops run on index-sized tensors, so the walk is their only path.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "ops/broadcast.h"
#include "webcnn/tensor.h"

namespace webcnn {

// Broadcast shape of several shapes; error naming the node and every shape when they do not broadcast.
inline Result<Shape> broadcast_shapes(const Node& node, const std::vector<Shape>& shapes) {
  Shape out;
  for (const Shape& s : shapes) {
    Result<Shape> joined = broadcast_shapes(out, s);
    if (!joined.is_ok()) {
      std::string all;
      for (const Shape& x : shapes) all += (all.empty() ? "" : " and ") + shape_to_string(x);
      return node.error("shapes " + all + " do not broadcast");
    }
    out = std::move(joined).value();
  }
  return out;
}

// Calls f(out_index, offsets) for every output element, offsets[k] = element offset into input k.
template <typename F>
void for_each_broadcast(const Shape& out, const std::vector<std::vector<int64_t>>& strides, F&& f) {
  int64_t n = num_elements(out);
  size_t rank = out.size(), k = strides.size();
  std::vector<int64_t> idx(rank, 0), off(k, 0);
  for (int64_t i = 0; i < n; ++i) {
    f(i, off.data());
    for (size_t ax = rank; ax-- > 0;) {  // odometer step, keeping offsets in sync
      ++idx[ax];
      for (size_t j = 0; j < k; ++j) off[j] += strides[j][ax];
      if (idx[ax] < out[ax]) break;
      for (size_t j = 0; j < k; ++j) off[j] -= strides[j][ax] * out[ax];
      idx[ax] = 0;
    }
  }
}

// Runs f.template operator()<T>() for the element type T of `t`.
template <typename F>
auto dispatch_dtype(DataType t, F&& f) {
  switch (t) {
    case DataType::kFloat32: return f(float{});
    case DataType::kInt32: return f(int32_t{});
    case DataType::kInt64: return f(int64_t{});
    case DataType::kUInt8: return f(uint8_t{});
    case DataType::kBool: return f(uint8_t{});  // stored as one byte, 0 or 1
  }
  return f(float{});
}

}  // namespace webcnn
