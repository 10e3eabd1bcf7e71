// Range (ONNX): start, start + delta, ... up to (not including) limit; scalar inputs of one type
// (float32, int32 or int64), constant at plan time because they decide the output length.
#pragma once

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
void range(const TensorView& start, const TensorView& delta, const TensorView& out);
}  // namespace reference
}  // namespace webcnn
