// XNNPACK's "fp32" requantisation of an int32 accumulator to an 8-bit output, the rule TFLite users get by
// default (the XNNPACK delegate, LiteRT.js) and ONNX Runtime's MLAS kernels use for QLinearConv/MatMul (the
// ONNX spec: round half to even on the float result):
//   y = clamp(round_half_even(float(acc) · scale) + zero_point, qmin, qmax)
// with the product rounded to float32 first (one rounding to float, one to an integer; the fixed-point rule
// of TFLite's reference kernels rounds twice and can land on the other side of a tie), and
//   scale = s_in · s_w[c] / s_out computed in float32, left to right, as XNNPACK's operators compute it.
// Vector kernels (q8_requantize_x4.h) must reproduce requantize_fp32() bit for bit.
#pragma once

#include <cmath>
#include <cstdint>

namespace webcnn::kernels {

// A scale above this saturates every non-zero accumulator anyway (|acc · scale| ≥ 2^16 > 510); capping it
// keeps hostile scales (an overflow to infinity) from turning acc = 0 into NaN.
constexpr float kMaxRequantizationScale = 65536.0f;

// s_in · s_w / s_out in float32 as XNNPACK computes it (scales are positive and finite), capped above.
inline float requantization_scale(float in_scale, float w_scale, float out_scale) {
  const float s = in_scale * w_scale / out_scale;
  return s < kMaxRequantizationScale ? s : kMaxRequantizationScale;
}

// float(acc) · scale rounded half to even, plus the zero point, clamped to [qmin, qmax] (the type's range
// narrowed by a fused Relu/Clip). Clamping before rounding gives the same result (the bounds are integers)
// and keeps the conversion in range.
inline int32_t requantize_fp32(int32_t acc, float scale, int32_t zero_point, int32_t qmin, int32_t qmax) {
  float f = static_cast<float>(acc) * scale;
  const float lo = static_cast<float>(qmin - zero_point), hi = static_cast<float>(qmax - zero_point);
  f = f < lo ? lo : (f > hi ? hi : f);
  return static_cast<int32_t>(std::nearbyint(f)) + zero_point;  // the default rounding mode: half to even
}

}  // namespace webcnn::kernels
