// QuantizeLinear and DequantizeLinear (quantize_linear.cc), ONNX opset 13+ form: per-tensor (scalar scale
// and zero point) or per-axis (1-D scale and zero point along `axis`, default 1, negative from the end).
//   QuantizeLinear(x f32, y_scale, [y_zero_point]) = saturate(round_half_to_even(x / y_scale) + y_zero_point)
//     in the zero point's type (uint8 when it is absent, or the opset-21 `output_dtype` attribute);
//     NaN becomes the zero point.
//   DequantizeLinear(x, x_scale, [x_zero_point]) = (x - x_zero_point) * x_scale as float32, x uint8, int8 or
//     int32 (an int32 bias, whose zero point must be 0).
//   DynamicQuantizeLinear(x f32) = (y uint8, y_scale, y_zero_point) from x's range (quantize_linear.cc).
// Scales and zero points may be constants or graph inputs (read at run time).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "webcnn/tensor.h"

namespace webcnn {

// One element of each op as its kernel computes it. QLinearRequantize (qlinear_lut.cc) builds its
// table from these, so it equals DequantizeLinear → QuantizeLinear bit for bit.
inline float dequantize_value(int64_t q, int64_t zero_point, float scale) {
  return static_cast<float>(q - zero_point) * scale;  // int64: an int32 input minus a hostile zero point
}
// round_half_to_even(x / scale) + zero_point clamped to [lo, hi] (the type's bounds); NaN gives the zero point.
inline int32_t quantize_value(float x, float scale, int32_t zero_point, float lo, float hi) {
  const float v = std::nearbyint(x / scale) + static_cast<float>(zero_point);
  return std::isnan(v) ? zero_point : static_cast<int32_t>(std::min(std::max(v, lo), hi));
}

}  // namespace webcnn

namespace webcnn::reference {

// Naive per-element forms; scale/zero_point have one entry (per tensor) or x.shape[axis] entries.
Tensor quantize_linear(const Tensor& x, const std::vector<float>& scale, const std::vector<int32_t>& zero_point,
                       int64_t axis, DataType out);
Tensor dequantize_linear(const Tensor& x, const std::vector<float>& scale, const std::vector<int32_t>& zero_point,
                         int64_t axis);

}  // namespace webcnn::reference
