// im2col for the 8-bit GEMM: rows of the input's values widened to int16, the zero point for a tap in the
// padding (the GEMM folds the zero point into its bias, so such a tap contributes nothing, as TFLite's
// padding with the input zero point does).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/conv2d_geometry.h"
#include "kernels/kernel_table.h"
#include "kernels/q8_params.h"

namespace webcnn::kernels {

// For output pixels [pixel_begin, pixel_end) (flattened over batch·out_h·out_w), one row each (row_stride
// int16 apart) of kernel_h·kernel_w·channels values ordered (ky, kx, c): input channels [channel_begin,
// channel_begin + channels) under each tap, the zero point in the padding, then one 0 when that count
// is odd (q8_gemm_kp). Runs the active table's q8_im2col_nhwc (q8_im2col_nhwc.cc).
inline void q8_im2col_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, int64_t channel_begin,
                           int64_t channels, int64_t pixel_begin, int64_t pixel_end, int16_t* rows, size_t row_stride) {
  active().q8_im2col_nhwc(g, input, in, channel_begin, channels, pixel_begin, pixel_end, rows, row_stride);
}

}  // namespace webcnn::kernels
