// Helpers shared by the ops that move elements on raw bytes (Concat, Transpose, Gather, Slice, Pad):
// row-major sizes and strides, a multi-index walk, and element copies with a compile-time size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "webcnn/tensor.h"

namespace webcnn::data_movement {

inline int64_t product(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

// Row-major strides in elements.
inline std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Advances a row-major multi-index over `shape[0..rank)`; false after the last one.
inline bool next_index(std::vector<int64_t>& idx, const Shape& shape, size_t rank) {
  for (size_t i = rank; i-- > 0;) {
    if (++idx[i] < shape[i]) return true;
    idx[i] = 0;
  }
  return false;
}

// Calls f(std::integral_constant<size_t, N>) for the element sizes we have (1, 4, 8), so inner loops
// copy with a compile-time size; anything else falls back to a run-time size.
template <typename F>
void with_element_size(size_t es, F f) {
  switch (es) {
    case 1: f(std::integral_constant<size_t, 1>{}); break;
    case 4: f(std::integral_constant<size_t, 4>{}); break;
    case 8: f(std::integral_constant<size_t, 8>{}); break;
    default: f(es); break;
  }
}

}  // namespace webcnn::data_movement
