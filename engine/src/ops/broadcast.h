// Numpy-style broadcasting of shapes, the strided loop nest that elementwise and reduction kernels
// walk, and the naive per-element walk of the small TF-derived ops (comparison, Where, Mod/FloorDiv).
//
// A StridedLoop visits every element of a row-major iteration space once, carrying one element
// offset per operand (an operand's stride is 0 along an axis it is broadcast over, or along an axis
// a reduction folds away). Axes of extent 1 are dropped and neighbouring axes merged wherever every
// operand is contiguous across them, so the innermost row is as long as possible: [N,H,W,C] + [C]
// becomes rows of C with the bias stride 1 and outer stride 0, a scalar operand becomes one long
// row with stride 0, same shapes become a single row of stride 1. Kernels then need only a few
// row loops (strides 1/1, 1/0, 0/1) to be fast on every common pattern.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/status.h"
#include "webcnn/tensor.h"

namespace webcnn {

// The shape both operands broadcast to (multidirectional, ONNX/numpy rules). The error names both
// shapes: "cannot broadcast shapes [2,3] and [4]" (callers prefix the node).
Result<Shape> broadcast_shapes(const Shape& a, const Shape& b);

// True when `from` broadcasts to exactly `to` (unidirectional: PRelu's slope onto X).
bool broadcasts_to(const Shape& from, const Shape& to);

// Element offset in an operand of shape `in` (which broadcasts to `out`) of the output element with
// row-major flat index `out_index`. The naive per-element path that references and tests use.
int64_t broadcast_source_offset(const Shape& in, const Shape& out, int64_t out_index);

template <int N>
class StridedLoop {
 public:
  // `dims` is the iteration space; strides[k][axis] is operand k's element stride along that axis.
  StridedLoop(const Shape& dims, const std::array<std::vector<int64_t>, N>& strides);

  // Calls row(offsets, n, steps) once per innermost row: operand k's elements in the row are at
  // offsets[k] + i * steps[k] for i in [0, n). Rows come in row-major order of the iteration space.
  template <typename RowFn>
  void for_each_row(RowFn&& row) const;

  const std::vector<int64_t>& dims() const { return dims_; }  // after dropping and merging
  int64_t row_length() const { return dims_.back(); }

 private:
  std::vector<int64_t> dims_;                    // rank >= 1
  std::vector<std::array<int64_t, N>> strides_;  // per axis, per operand
  bool empty_ = false;                           // some extent is 0: no rows at all
  // The odometer's position, sized once here so that walking allocates nothing (a loop is walked
  // by one thread at a time).
  mutable std::vector<int64_t> counter_;
};

// Row-major (contiguous) strides of `shape`, right-aligned to the axes of `space`, with 0 on every axis
// where `shape` has extent 1 or is missing (broadcast, or a reduced axis kept as 1).
std::vector<int64_t> broadcast_strides(const Shape& shape, const Shape& space);

// The loop for out = f(a, b): operand 0 is the output (contiguous over `out`), 1 is a, 2 is b.
// a and b must broadcast to `out` (checked by the caller, e.g. with broadcast_shapes).
StridedLoop<3> binary_broadcast_loop(const Shape& out, const Shape& a, const Shape& b);

// ---- implementation of the templates ----

template <int N>
template <typename RowFn>
void StridedLoop<N>::for_each_row(RowFn&& row) const {
  if (empty_) return;
  const size_t rank = dims_.size();
  std::array<int64_t, N> offsets{};
  std::array<int64_t, N> steps = strides_[rank - 1];
  const int64_t n = dims_[rank - 1];
  if (rank == 1) {
    row(offsets, n, steps);
    return;
  }
  // Odometer over the outer axes; offsets move by one stride per step and rewind on carry.
  std::vector<int64_t>& counter = counter_;
  std::fill(counter.begin(), counter.end(), 0);
  for (;;) {
    row(offsets, n, steps);
    size_t axis = rank - 1;
    for (;;) {
      if (axis == 0) return;
      --axis;
      for (int k = 0; k < N; ++k) offsets[k] += strides_[axis][k];
      if (++counter[axis] < dims_[axis]) break;
      for (int k = 0; k < N; ++k) offsets[k] -= strides_[axis][k] * dims_[axis];
      counter[axis] = 0;
    }
  }
}

extern template class StridedLoop<2>;
extern template class StridedLoop<3>;

// ---- the naive walk over any number of operands: the only path of the small TF-derived ops
// (comparison, Where, Mod/FloorDiv), which run on index-sized tensors.

// The shape several operands broadcast to. The error names every shape: "shapes [2,3] and [4] do not
// broadcast" (callers prefix the node).
Result<Shape> broadcast_shapes(const std::vector<Shape>& shapes);

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

}  // namespace webcnn
