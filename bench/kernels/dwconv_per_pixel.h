// The per-pixel depthwise microkernels conv.cc used before kernels::dwconv_nhwc_f32x4, kept only so the
// kernel bench can compare against them (bench/kernels/build.sh compiles them; the engine does not).
// They run over an indirection list of `taps` input-pixel pointers (each to `channels` contiguous floats;
// taps in the padding point at a zero row), weights packed [taps][channels]:
//   out[c] = clamp(bias[c] + Σ_t input[t][c] · weights[t·channels + c], out_min, out_max)
#pragma once

#include <cstddef>

namespace webcnn::kernels {

// Any number of taps.
void dwconv_f32x4(size_t channels, size_t taps, const float* const* input, const float* weights, const float* bias,
                  float* out, float out_min, float out_max);

// Exactly 9 taps (3×3), fully unrolled.
void dwconv_3x3_f32x4(size_t channels, const float* const* input, const float* weights, const float* bias, float* out,
                      float out_min, float out_max);

}  // namespace webcnn::kernels
