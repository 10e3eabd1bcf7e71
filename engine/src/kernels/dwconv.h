// Depthwise convolution (channel multiplier 1) over NHWC: dwconv_nhwc_f32x4 computes whole output rows of
// the layer, weights packed per block of 4 channels as [bias ×4][tap 0 ×4]...[tap T−1 ×4] (dwconv_pack_with),
// so one pointer streams them with constant offsets. Interior pixels of 3×3 and 5×5 filters (any stride,
// dilation) run a kernel that walks a row of output pixels from row pointers, without building an
// indirection list; border pixels sum only their taps inside the image (padding contributes nothing, as in
// the reference), so no zero row is needed. (The per-pixel indirection kernels it replaced live on in
// bench/kernels/ for comparison.)
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/fused_activation.h"
#include "kernels/im2col_nhwc.h"
#include "kernels/kernel_table.h"

namespace webcnn::kernels {

// Floats the packed weights of dwconv_nhwc_f32x4 occupy: channels rounded up to 4, (taps + 1) vectors each.
inline size_t dwconv_packed_floats(size_t channels, size_t taps) { return (channels + 3) / 4 * 4 * (taps + 1); }

// Packs weight (c, t) = w_at(c, t) (t = ky·kernel_w + kx) and bias[c] (null = zeros); padding lanes are 0.
template <typename WeightAt>
void dwconv_pack_with(size_t channels, size_t taps, WeightAt w_at, const float* bias, float* packed) {
  for (size_t c0 = 0; c0 < channels; c0 += 4) {
    for (size_t l = 0; l < 4; ++l) *packed++ = (bias && c0 + l < channels) ? bias[c0 + l] : 0.0f;
    for (size_t t = 0; t < taps; ++t)
      for (size_t l = 0; l < 4; ++l) *packed++ = c0 + l < channels ? w_at(c0 + l, t) : 0.0f;
  }
}

// Output rows [row_begin, row_end) (rows counted over batch · out_h) of the depthwise convolution of the NHWC
// `input` (g.in_c channels, output channels = g.in_c) with weights packed by dwconv_pack_with, written to the
// NHWC `output`, activation fused (clamps in the store, others per row right after). Any kernel size, stride,
// dilation and padding; rows are independent, so callers may split them across threads.
// Runs the active table's f32_dwconv_nhwc (dwconv_nhwc_f32x4.cc, compiled once per instruction set).
inline void dwconv_nhwc_f32x4(const Conv2dGeometry& g, const float* input, const float* packed, float* output,
                              int64_t row_begin, int64_t row_end, const FusedActivation& act) {
  active().f32_dwconv_nhwc(g, input, packed, output, row_begin, row_end, act);
}

namespace reference {
// The naive loop the tests trust: weights [C][kernel_h][kernel_w] (ONNX's [C,1,kH,kW]), bias may be null.
void dwconv_nhwc(const Conv2dGeometry& g, const float* input, const float* weights, const float* bias, float* output,
                 const FusedActivation& act);
}  // namespace reference

}  // namespace webcnn::kernels
