// QLinearAdd and QLinearMul (qlinear_binary.cc), onnxruntime's com.microsoft ops: inputs A, A_scale,
// [A_zero_point], B, B_scale, [B_zero_point], C_scale, [C_zero_point] (absent zero points are 0); A, B and
// C share one 8-bit type (uint8 or int8); A and B broadcast numpy-style. Optional `fused_activation`
// Relu/Clip (`fused_min`/`fused_max`) narrows the output range (qlinear_params.h).
// The arithmetic is TFLite's, so results match TFLite's to the unit:
//   Add: kernels/q8_add.h (left shift 20, a multiplier per input and one for the output);
//   Mul: zo + (a - za)(b - zb) · (sa · sb / so) in fixed point (requantize.h).
#pragma once

#include "ops/qlinear_params.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// Naive per-element form: each output element finds its operands by broadcast_source_offset.
Tensor qlinear_binary(bool mul, const Tensor& a, ScalarQuant qa, const Tensor& b, ScalarQuant qb, ScalarQuant qc,
                      int32_t qmin, int32_t qmax);

}  // namespace webcnn::reference
