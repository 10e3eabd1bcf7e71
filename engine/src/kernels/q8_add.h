// TFLite's quantized ADD, element by element (reference_ops::AddElementwise / reference_integer_ops::Add):
// both inputs, minus their zero points, are shifted left by 20 bits and scaled by their own multiplier
// (s_in / (2 · max(s_a, s_b)), below one), summed, and the sum scaled by 2 · max(s_a, s_b) / (2^20 · s_out)
// to the output, plus its zero point, clamped. The u8/s8 vadd kernels (q8_vadd.cc) reproduce it bit for bit.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/requantize.h"

namespace webcnn::kernels {

struct Q8AddParams {
  static constexpr int kLeftShift = 20;
  int32_t a_zero_point = 0, b_zero_point = 0, out_zero_point = 0;
  QuantizedMultiplier a_multiplier, b_multiplier, out_multiplier;
  int32_t qmin = 0, qmax = 255;  // the output range, narrowed by a fused Relu/Clip
};

// The parameters from the three scales, computed in double as TFLite's add.cc Prepare does.
inline Q8AddParams make_q8_add_params(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                                      float out_scale, int32_t out_zero_point, int32_t qmin, int32_t qmax) {
  Q8AddParams p;
  p.a_zero_point = a_zero_point;
  p.b_zero_point = b_zero_point;
  p.out_zero_point = out_zero_point;
  const double twice_max_input_scale = 2 * static_cast<double>(std::max(a_scale, b_scale));
  p.a_multiplier = quantize_multiplier(a_scale / twice_max_input_scale);
  p.b_multiplier = quantize_multiplier(b_scale / twice_max_input_scale);
  p.out_multiplier =
      quantize_multiplier(twice_max_input_scale / ((1 << Q8AddParams::kLeftShift) * static_cast<double>(out_scale)));
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

// One input's contribution: (q - zero point) · 2^20 times its multiplier.
inline int32_t q8_add_scaled_input(int32_t q, int32_t zero_point, QuantizedMultiplier m) {
  return multiply_by_quantized_multiplier((q - zero_point) * (1 << Q8AddParams::kLeftShift), m);
}

inline int32_t q8_add(int32_t a, int32_t b, const Q8AddParams& p) {
  const int32_t sum =
      q8_add_scaled_input(a, p.a_zero_point, p.a_multiplier) + q8_add_scaled_input(b, p.b_zero_point, p.b_multiplier);
  return requantize(sum, p.out_multiplier, p.out_zero_point, p.qmin, p.qmax);
}

}  // namespace webcnn::kernels
