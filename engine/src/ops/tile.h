// Tile (ONNX): repeats the input `repeats[a]` times along each axis; repeats is an int64 constant at
// plan time.
#pragma once

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
void tile(const TensorView& in, const TensorView& out);  // out shape = in shape × repeats
}  // namespace reference
}  // namespace webcnn
