// 8-bit ops computed through a 256-entry lookup table (qlinear_lut.cc) and QLinearSoftmax
// (qlinear_softmax.cc), onnxruntime's com.microsoft ops: inputs X, X_scale, [X_zero_point], Y_scale,
// [Y_zero_point]; X and Y share one 8-bit type.
//   QLinearSigmoid, QLinearLeakyRelu (`alpha`, default 0.01): the table TFLite's PopulateLookupTable
//     builds: each of the 256 inputs dequantised in float, transformed, divided by Y's scale, rounded half
//     away from zero, plus Y's zero point, clamped. Within one unit of the exact function, and equal to
//     TFLite's LOGISTIC / LEAKY_RELU where those use the table.
//   QLinearSoftmax (`axis`, default -1; `opset` < 13 means the pre-13 form, softmax over the flattened
//     axes from `axis` on): TFLite's table-based 8-bit SOFTMAX (optimized_ops::Softmax): e^(-s_x · d) for
//     each distance d = max - q in a float table, a float sum over the row in order, each probability
//     times 1 / (sum · s_y), rounded (uint8: + 0.5 then truncated, as TFLite on x86), plus Y's zero point.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

#include "ops/qlinear_params.h"

namespace webcnn {

// The table for real function f: entry (uint8_t)q for every q of type t.
template <typename F>
std::array<uint8_t, 256> build_quantized_lut(DataType t, ScalarQuant x, ScalarQuant y, F&& f) {
  std::array<uint8_t, 256> table{};
  const float inverse_scale = 1.0f / y.scale;
  for (int32_t q = quant_min(t); q <= quant_max(t); ++q) {
    const float real = x.scale * static_cast<float>(q - x.zero_point);
    const float rescaled = std::round(f(real) * inverse_scale);
    table[static_cast<uint8_t>(q)] =
        static_cast<uint8_t>(saturate_to(t, rescaled + static_cast<float>(y.zero_point), y.zero_point));
  }
  return table;
}

}  // namespace webcnn
