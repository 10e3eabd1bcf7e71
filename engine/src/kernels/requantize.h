// TFLite's requantisation: an int32 accumulator times a real multiplier (s_in * s_w / s_out) in
// fixed point, the way TFLite's reference kernels and gemmlowp compute it, so 8-bit outputs match
// TFLite's to the unit. The multiplier is stored as a Q31 mantissa in [2^30, 2^31) and a power-of-two
// shift; products round half away from zero (SaturatingRoundingDoublingHighMul), the shift rounds half
// away from zero too (RoundingDivideByPOT). Only 8-bit pooling and MEAN (ops/pool.cc) still use it; conv,
// fully connected, Add/Sub/Mul follow XNNPACK (requantize_fp32.h, q8_add.h).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace webcnn::kernels {

struct QuantizedMultiplier {
  int32_t mantissa = 0;  // Q31, 0 or in [2^30, 2^31)
  int32_t shift = 0;     // > 0: shift left first; < 0: rounding shift right after
};

// real_multiplier >= 0. Multipliers below 2^-31 become 0 (their outputs are the zero point); above 2^30
// the shift is capped so that a saturating left shift still describes them.
inline QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  QuantizedMultiplier m;
  if (!(real_multiplier > 0)) return m;  // 0, negative or NaN: a multiplier of 0
  int exponent = 0;
  const double q = std::frexp(real_multiplier, &exponent);  // real = q * 2^exponent, q in [0.5, 1)
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  if (q_fixed == (int64_t{1} << 31)) {
    q_fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) return m;
  if (exponent > 30) {
    exponent = 30;
    q_fixed = (int64_t{1} << 31) - 1;
  }
  m.mantissa = static_cast<int32_t>(q_fixed);
  m.shift = exponent;
  return m;
}

// (a * b * 2) >> 32, rounded half away from zero; the one overflowing case saturates.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded half away from zero, exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * real_multiplier in fixed point (TFLite's MultiplyByQuantizedMultiplier); the left shift saturates.
inline int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier m) {
  const int left = m.shift > 0 ? m.shift : 0;
  const int right = m.shift > 0 ? 0 : -m.shift;
  int64_t shifted = static_cast<int64_t>(x) * (int64_t{1} << left);
  if (shifted > std::numeric_limits<int32_t>::max()) shifted = std::numeric_limits<int32_t>::max();
  if (shifted < std::numeric_limits<int32_t>::min()) shifted = std::numeric_limits<int32_t>::min();
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(static_cast<int32_t>(shifted), m.mantissa),
                                right);
}

}  // namespace webcnn::kernels
