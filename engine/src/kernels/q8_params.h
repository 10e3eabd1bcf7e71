// What the 8-bit kernels (q8_gemm.h, q8_dwconv.h) share: the output's quantisation, and the per-channel
// requantisation header at the start of every packed block of kQ8Lanes output channels.
//
// Header layout (int32 words, kQ8HeaderRows rows of kQ8Lanes, one column per output channel):
//   bias      the int32 bias (TFLite's: scale x_scale·w_scale[c], zero point 0), 0 when none
//   mantissa  QuantizedMultiplier::mantissa (kernels/requantize.h)
//   shift     QuantizedMultiplier::shift
//   pow       2^(30 − e) where e = −shift ∈ [0, 30]: floor(x / 2^e) as a 64-bit product >> 30 (no per-lane
//             shifts in SIMD128); 0 when the channel needs the scalar path (shift > 0 or e > 30)
//   mask      2^e − 1, the bits the rounding right shift drops
//   half      mask >> 1, TFLite's rounding threshold for x ≥ 0
// Columns past the last channel have multiplier 0 and e = 0 (they produce the zero point, and are not stored).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/requantize.h"

namespace webcnn::kernels {

constexpr size_t kQ8Lanes = 8;  // output channels per packed block (two i32x4 accumulators)
constexpr size_t kQ8HeaderRows = 6;
constexpr size_t kQ8HeaderWords = kQ8HeaderRows * kQ8Lanes;
enum Q8HeaderRow : size_t { kQ8Bias = 0, kQ8Mantissa = 1, kQ8Shift = 2, kQ8Pow = 3, kQ8Mask = 4, kQ8Half = 5 };

// The 8-bit output: y = clamp(requantize(acc) + zero_point, qmin, qmax), stored as int8 or uint8.
struct Q8Output {
  int32_t zero_point = 0;
  int32_t qmin = 0, qmax = 255;  // the type's range, narrowed by a fused Relu/Clip
  bool is_signed = false;        // int8 (else uint8)
};

// The 8-bit input: its zero point and type.
struct Q8Input {
  int32_t zero_point = 0;
  bool is_signed = false;
};

// Whether the vector requantisation (pow/mask/half) describes this multiplier.
inline bool q8_vector_requantizable(QuantizedMultiplier m) { return m.shift <= 0 && m.shift >= -30; }

// Fills one block header for channels [c0, c0 + count) (count ≤ kQ8Lanes): bias_at(c) → int32,
// multiplier_at(c) → QuantizedMultiplier.
template <typename BiasAt, typename MultiplierAt>
void q8_fill_header(size_t c0, size_t count, BiasAt bias_at, MultiplierAt multiplier_at, int32_t* header) {
  for (size_t j = 0; j < kQ8HeaderWords; ++j) header[j] = 0;
  for (size_t j = count; j < kQ8Lanes; ++j) header[kQ8Pow * kQ8Lanes + j] = int32_t{1} << 30;  // e = 0
  for (size_t j = 0; j < count; ++j) {
    const QuantizedMultiplier m = multiplier_at(c0 + j);
    header[kQ8Bias * kQ8Lanes + j] = bias_at(c0 + j);
    header[kQ8Mantissa * kQ8Lanes + j] = m.mantissa;
    header[kQ8Shift * kQ8Lanes + j] = m.shift;
    if (q8_vector_requantizable(m)) {
      const int e = -m.shift;
      header[kQ8Pow * kQ8Lanes + j] = int32_t{1} << (30 - e);
      header[kQ8Mask * kQ8Lanes + j] = static_cast<int32_t>((int64_t{1} << e) - 1);
      header[kQ8Half * kQ8Lanes + j] = static_cast<int32_t>(((int64_t{1} << e) - 1) >> 1);
    }
  }
}

// Whether every channel of a block header takes the vector requantisation.
inline bool q8_header_vectorizable(const int32_t* header) {
  for (size_t j = 0; j < kQ8Lanes; ++j)
    if (header[kQ8Pow * kQ8Lanes + j] == 0) return false;
  return true;
}

}  // namespace webcnn::kernels
