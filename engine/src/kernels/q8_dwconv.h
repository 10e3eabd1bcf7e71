// 8-bit depthwise convolution over NHWC (channel multiplier 1), XNNPACK's integer formula per channel c:
//   y = requantize_fp32(bias[c] + Σ_taps (x − x_zp)·(w[c][tap] − w_zp[c]), scale[c]) + y_zp, clamped.
// Weights are packed per block of kQ8Lanes channels: [requantisation header (q8_params.h)] then the taps in
// pairs (t, t+1), each pair 8 channels × (w_t, w_t+1) as int16 (w − w_zp, an odd last tap paired with 0),
// so one i32x4.dot_i16x8_s sums two taps of four channels: the input pixels under two taps are widened to
// int16 and interleaved (zip) to match. Taps in the padding read `zero_row` (the input zero point), which
// contributes 0.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv2d_geometry.h"
#include "kernels/kernel_table.h"
#include "kernels/q8_params.h"

namespace webcnn::kernels {

constexpr size_t kQ8DwMaxTaps = 64;  // filters up to 8×8 (callers take another path above)

inline size_t q8_dwconv_pairs(size_t taps) { return (taps + 1) / 2; }

// int32 words the packed weights of `channels` channels with `taps` taps occupy.
inline size_t q8_dwconv_packed_words(size_t channels, size_t taps) {
  return (channels + kQ8Lanes - 1) / kQ8Lanes * (kQ8HeaderWords + q8_dwconv_pairs(taps) * kQ8Lanes);
}

// w_at(c, t) → int32 w[c][t] − w_zp[c] (t = ky·kernel_w + kx), bias_at(c) → int32, scale_at(c) → float
// (requantization_scale(s_x, s_w[c], s_y)).
template <typename WeightAt, typename BiasAt, typename ScaleAt>
void q8_dwconv_pack_with(size_t channels, size_t taps, WeightAt w_at, BiasAt bias_at, ScaleAt scale_at,
                         int32_t* packed) {
  const size_t pairs = q8_dwconv_pairs(taps);
  for (size_t c0 = 0; c0 < channels; c0 += kQ8Lanes) {
    const size_t nc = channels - c0 < kQ8Lanes ? channels - c0 : kQ8Lanes;
    q8_fill_header(c0, nc, bias_at, scale_at, packed);
    int16_t* w = reinterpret_cast<int16_t*>(packed + kQ8HeaderWords);
    for (size_t p = 0; p < pairs; ++p)
      for (size_t l = 0; l < kQ8Lanes; ++l)
        for (size_t h = 0; h < 2; ++h) {
          const size_t t = 2 * p + h;
          *w++ = static_cast<int16_t>(l < nc && t < taps ? w_at(c0 + l, t) : 0);
        }
    packed += kQ8HeaderWords + pairs * kQ8Lanes;
  }
}

// Weight (c, t) of packed depthwise weights: w[c][t] − w_zp[c], as q8_dwconv_pack_with stored it (for
// inspection, e.g. recovering a layer's weights; not for the hot path).
inline int32_t q8_dwconv_packed_at(size_t taps, const int32_t* packed, size_t c, size_t t) {
  const size_t block_words = kQ8HeaderWords + q8_dwconv_pairs(taps) * kQ8Lanes;
  const int16_t* w = reinterpret_cast<const int16_t*>(packed + c / kQ8Lanes * block_words + kQ8HeaderWords);
  return w[(t / 2 * kQ8Lanes + c % kQ8Lanes) * 2 + t % 2];
}

// Output rows [row_begin, row_end) (over batch · out_h) of the NHWC `input` (g.in_c channels, 8-bit as `in`
// says), taps ≤ kQ8DwMaxTaps; `zero_row` holds g.in_c bytes equal to the input zero point. Rows are
// independent (callers may split them across threads). Runs the active table's q8_dwconv_nhwc.
inline void q8_dwconv_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, const int32_t* packed,
                           const void* zero_row, void* output, const Q8Output& out, int64_t row_begin,
                           int64_t row_end) {
  active().q8_dwconv_nhwc(g, input, in, packed, zero_row, output, out, row_begin, row_end);
}

namespace reference {
// The formula as written: weights [C][kernel_h][kernel_w] (8-bit, w_signed), w_zp and scale per channel,
// bias may be null; padding contributes 0.
void q8_dwconv_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, const void* weights, bool w_signed,
                    const int32_t* w_zp, const int32_t* bias, const float* scale, void* output, const Q8Output& out);
}  // namespace reference

}  // namespace webcnn::kernels
