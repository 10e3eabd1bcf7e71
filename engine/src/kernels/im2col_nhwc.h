// im2col for NHWC convolution: the rows of the GEMM A operand for a range of output pixels.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv2d_geometry.h"
#include "kernels/kernel_table.h"

namespace webcnn::kernels {

// Writes, for output pixels [pixel_begin, pixel_end) (flattened over batch·out_h·out_w), one row each of
// kernel_h·kernel_w·channels floats ordered (ky, kx, c): the input channels [channel_begin,
// channel_begin + channels) under each filter tap, zeros where the tap falls in the padding.
// Runs the active table's f32_im2col_nhwc (im2col_nhwc.cc).
inline void im2col_nhwc(const Conv2dGeometry& g, const float* input, int64_t channel_begin, int64_t channels,
                        int64_t pixel_begin, int64_t pixel_end, float* rows) {
  active().f32_im2col_nhwc(g, input, channel_begin, channels, pixel_begin, pixel_end, rows);
}

}  // namespace webcnn::kernels
