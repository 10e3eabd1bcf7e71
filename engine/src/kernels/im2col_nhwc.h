// im2col for NHWC convolution: the rows of the GEMM A operand for a range of output pixels.
#pragma once

#include <cstddef>
#include <cstdint>

namespace webcnn::kernels {

// Geometry of a 2-D convolution over an NHWC input (shared by conv and im2col).
struct Conv2dGeometry {
  int64_t batch = 1, in_h = 1, in_w = 1, in_c = 1;  // input [batch, in_h, in_w, in_c]
  int64_t out_h = 1, out_w = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // bottom/right padding is implied by out_h/out_w
};

// Writes, for output pixels [pixel_begin, pixel_end) (flattened over batch·out_h·out_w), one row each of
// kernel_h·kernel_w·channels floats ordered (ky, kx, c): the input channels [channel_begin,
// channel_begin + channels) under each filter tap, zeros where the tap falls in the padding.
void im2col_nhwc(const Conv2dGeometry& g, const float* input, int64_t channel_begin, int64_t channels,
                 int64_t pixel_begin, int64_t pixel_end, float* rows);

}  // namespace webcnn::kernels
