// Split (ONNX opset 18): cuts the input along `axis` into pieces given by the optional int64 `split`
// input (constant at plan time), else into `num_outputs` (attribute, or the node's output count) pieces
// of ceil(dim / n) with a smaller last one. Extension for TF's SplitV: one entry of `split` may be -1,
// meaning whatever the others leave.
#pragma once

#include <cstdint>
#include <vector>

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
// outs[k] receives `sizes[k]` entries of `axis` starting after the previous pieces.
void split(const TensorView& in, int64_t axis, const std::vector<int64_t>& sizes, const TensorView* outs);
}  // namespace reference
}  // namespace webcnn
