// QLinearAdd and QLinearMul (qlinear_binary.cc), onnxruntime's com.microsoft ops, and webcnn's QLinearSub
// (A − B, for TFLite's quantized SUB; the same inputs): inputs A, A_scale,
// [A_zero_point], B, B_scale, [B_zero_point], C_scale, [C_zero_point] (absent zero points are 0); A, B and
// C share one 8-bit type (uint8 or int8); A and B broadcast numpy-style. Optional `fused_activation`
// Relu/Clip (`fused_min`/`fused_max`) narrows the output range (qlinear_params.h).
// The arithmetic is XNNPACK's (what TFLite's XNNPACK delegate and LiteRT.js run), bit for bit:
//   Add/Sub: kernels/q8_add.h (a multiplier per input with one shift, rounding half up; Sub negates sb);
//   Mul: zo + (a - za)(b - zb) · (sa · sb / so) requantised in float32 (requantize_fp32.h).
#pragma once

#include "ops/qlinear_params.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// Naive per-element form: each output element finds its operands by broadcast_source_offset.
Tensor qlinear_binary(bool mul, const Tensor& a, ScalarQuant qa, const Tensor& b, ScalarQuant qb, ScalarQuant qc,
                      int32_t qmin, int32_t qmax, bool sub = false);

}  // namespace webcnn::reference
