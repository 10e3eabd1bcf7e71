// Multidirectional (numpy) broadcasting for the small TF-derived ops (comparison, Where, Mod/FloorDiv):
// the output shape and, for each input, element strides aligned to the output (0 on broadcast axes).
// These ops run on index-sized tensors, so a plain odometer walk is their only path.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"
#include "webcnn/tensor.h"

namespace webcnn {

// Broadcast shape of several shapes; error naming the node when they do not broadcast.
inline Result<Shape> broadcast_shapes(const Node& node, const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = s.size() > rank ? s.size() : rank;
  Shape out(rank, 1);
  for (const Shape& s : shapes)
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t d = s[s.size() - 1 - i];
      int64_t& o = out[rank - 1 - i];
      if (d == o || d == 1) continue;
      if (o == 1) { o = d; continue; }
      std::string all;
      for (const Shape& x : shapes) all += (all.empty() ? "" : " and ") + shape_to_string(x);
      return node.error("shapes " + all + " do not broadcast");
    }
  return out;
}

// Strides of `in` (row-major) as seen from an output of shape `out`; 0 where `in` is broadcast.
inline std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  int64_t s = 1;
  for (size_t i = 0; i < in.size(); ++i) {
    size_t ax_in = in.size() - 1 - i, ax_out = out.size() - 1 - i;
    st[ax_out] = in[ax_in] == 1 ? 0 : s;
    s *= in[ax_in];
  }
  return st;
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
