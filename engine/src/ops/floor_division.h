// Mod (ONNX; fmod 0 = result takes the divisor's sign, fmod 1 = C fmod) and FloorDiv (an engine op for
// TF's FloorDiv: floor(a / b), for integers and floats). Both broadcast like numpy. Integer division by
// zero is an error, not undefined behaviour.
#pragma once

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
// Return false on an integer division by zero.
bool mod(const TensorView& a, const TensorView& b, bool fmod, const TensorView& out);
bool floor_div(const TensorView& a, const TensorView& b, const TensorView& out);
}  // namespace reference
}  // namespace webcnn
