// Logical ops (ONNX): And, Or, Xor (bool × bool → bool), Not, and Where(cond, x, y). All broadcast like
// numpy. They work on mask-sized tensors, so the reference is the only path. (Comparisons that make the
// masks, Equal/Greater/..., are elementwise.cc's.)
#pragma once

#include <string>

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {
// `op` is "And", "Or" or "Xor". Bool inputs; out is bool with the broadcast shape.
void logical(const std::string& op, const TensorView& a, const TensorView& b, const TensorView& out);
void logical_not(const TensorView& in, const TensorView& out);
void where(const TensorView& cond, const TensorView& x, const TensorView& y, const TensorView& out);
}  // namespace reference
}  // namespace webcnn
