// XNNPACK's quantized ADD (and SUB: b's scale negated), element by element, the rule TFLite's XNNPACK
// delegate (LiteRT.js) runs: the two ratios r = s_in / s_out in float32 become integer multipliers with one
// shared shift, so that the larger |r| has 21 bits (|r| · 2^shift rounded half to even); then
//   y = clamp(((a − a_zp)·m_a + (b − b_zp)·m_b + 2^(shift−1)) >> shift + out_zp, qmin, qmax)
// with the arithmetic shift rounding half up. The u8/s8 vadd kernels (q8_vadd.cc) reproduce it bit for bit.
// XNNPACK takes ratios in [2^-10, 2^8) (shift in [12, 30], where every sum fits int32); outside that the same
// formula runs here in int64 with the shift held in [1, 40].
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace webcnn::kernels {

struct Q8AddParams {
  int32_t a_multiplier = 0, b_multiplier = 0;  // signed: a negative b scale subtracts
  int64_t bias = 0;                            // 2^(shift−1) − m_a·a_zp − m_b·b_zp
  int shift = 1;
  int32_t out_zero_point = 0;
  int32_t qmin = 0, qmax = 255;  // the output range, narrowed by a fused Relu/Clip
  // XNNPACK's range: the int32 vector kernels apply.
  bool int32_exact() const { return shift >= 12 && shift <= 30; }
};

// The parameters from the three scales (a_scale, out_scale > 0; b_scale ≠ 0, negative for a − b), in float32
// as XNNPACK's xnn_init_qs8_add_minmax_scalar_params computes them.
inline Q8AddParams make_q8_add_params(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                                      float out_scale, int32_t out_zero_point, int32_t qmin, int32_t qmax) {
  Q8AddParams p;
  const float ra = a_scale / out_scale, rb = b_scale / out_scale;
  const float max_abs = std::max(std::fabs(ra), std::fabs(rb));
  int exponent = std::isfinite(max_abs) && max_abs > 0 ? std::ilogb(max_abs) : 0;  // floor(log2), as the float's bits
  p.shift = std::clamp(20 - exponent, 1, 40);
  auto multiplier = [&](float r) {
    const double m = std::nearbyint(std::ldexp(static_cast<double>(std::fabs(r)), p.shift));  // half to even
    const int32_t abs_m = static_cast<int32_t>(std::min(m, 2147483647.0));
    return std::signbit(r) ? -abs_m : abs_m;
  };
  p.a_multiplier = multiplier(ra);
  p.b_multiplier = multiplier(rb);
  p.bias =
      (int64_t{1} << (p.shift - 1)) - int64_t{p.a_multiplier} * a_zero_point - int64_t{p.b_multiplier} * b_zero_point;
  p.out_zero_point = out_zero_point;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

inline int32_t q8_add(int32_t a, int32_t b, const Q8AddParams& p) {
  const int64_t acc = p.bias + int64_t{a} * p.a_multiplier + int64_t{b} * p.b_multiplier;
  const int64_t v = (acc >> p.shift) + p.out_zero_point;  // arithmetic: floor, so + 2^(shift−1) rounds half up
  return static_cast<int32_t>(std::clamp<int64_t>(v, p.qmin, p.qmax));
}

}  // namespace webcnn::kernels
