// The geometry of a 2-D convolution over an NHWC input, shared by conv, im2col and depthwise kernels.
#pragma once

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

}  // namespace webcnn::kernels
