// StridedSlice: TensorFlow's strided slice (an engine op; no ONNX op has its masks).
// Inputs: data, begin, end, strides (1-D integer constants of one length n, the "sparse" spec).
// Attributes: begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask (bit i = spec entry i),
// with TF's meaning: a masked begin/end takes the full range, the ellipsis expands to the axes the spec
// does not name, a new axis inserts a dimension of 1, a shrink axis takes one index and drops the axis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "webcnn/tensor.h"

namespace webcnn {

struct StridedSliceMasks {
  int64_t begin = 0, end = 0, ellipsis = 0, new_axis = 0, shrink_axis = 0;
};

// The slice resolved against an input shape: per input axis a start, a step and a count, and the
// output shape (new axes added, shrunk axes dropped).
struct StridedSlicePlan {
  std::vector<int64_t> start, step, count;
  Shape out_shape;
};

// Error text (without node prefix) when the spec is invalid for `in_shape`.
Result<StridedSlicePlan> plan_strided_slice(const Shape& in_shape, const std::vector<int64_t>& begin,
                                            const std::vector<int64_t>& end, const std::vector<int64_t>& strides,
                                            const StridedSliceMasks& masks);

namespace reference {
void strided_slice(const TensorView& in, const StridedSlicePlan& plan, const TensorView& out);
}  // namespace reference

}  // namespace webcnn
