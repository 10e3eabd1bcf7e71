// What the 8-bit kernels (q8_gemm.h, q8_dwconv.h) share: the output's quantisation, and the per-channel
// requantisation header at the start of every packed block of kQ8Lanes output channels.
//
// Header layout (int32 words, kQ8HeaderRows rows of kQ8Lanes, one column per output channel):
//   bias      the int32 bias (TFLite's: scale x_scale·w_scale[c], zero point 0), 0 when none
//   scale     the float32 requantisation scale s_x·s_w[c]/s_y (kernels/requantize_fp32.h), its bits
// Columns past the last channel have bias and scale 0 (they produce the zero point, and are not stored).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace webcnn::kernels {

constexpr size_t kQ8Lanes = 8;  // output channels per packed block (two i32x4 accumulators)
constexpr size_t kQ8HeaderRows = 2;
constexpr size_t kQ8HeaderWords = kQ8HeaderRows * kQ8Lanes;
enum Q8HeaderRow : size_t { kQ8Bias = 0, kQ8Scale = 1 };

// The 8-bit output: y = clamp(round(acc · scale) + zero_point, qmin, qmax), stored as int8 or uint8.
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

// Fills one block header for channels [c0, c0 + count) (count ≤ kQ8Lanes): bias_at(c) → int32,
// scale_at(c) → float (requantization_scale, kernels/requantize_fp32.h).
template <typename BiasAt, typename ScaleAt>
void q8_fill_header(size_t c0, size_t count, BiasAt bias_at, ScaleAt scale_at, int32_t* header) {
  for (size_t j = 0; j < kQ8HeaderWords; ++j) header[j] = 0;
  for (size_t j = 0; j < count; ++j) {
    header[kQ8Bias * kQ8Lanes + j] = bias_at(c0 + j);
    const float scale = scale_at(c0 + j);
    std::memcpy(header + kQ8Scale * kQ8Lanes + j, &scale, sizeof scale);
  }
}

// Channel j's scale in a block header.
inline float q8_header_scale(const int32_t* header, size_t j) {
  float scale;
  std::memcpy(&scale, header + kQ8Scale * kQ8Lanes + j, sizeof scale);
  return scale;
}

}  // namespace webcnn::kernels
