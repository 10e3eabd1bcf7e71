// Conv: the naive NCHW reference that tests compare the NHWC fast path against. The kernel itself is
// registered by register_conv_ops (conv.cc).
#pragma once

#include <cstdint>

#include "ops/fused_activation.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// Explicit 2-D parameters (a 1-D conv is the H = 1 case). Pads are already resolved (no auto_pad).
struct Conv2dParams {
  int64_t groups = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;  // bottom/right padding is implied by the output shape
};

// y [N, O, OH, OW] = act(bias[o] + Σ x[n, g·Cg + c, oy·sh − pt + ky·dh, ox·sw − pl + kx·dw] · w[o, c, ky, kx]),
// x [N, C, H, W], w [O, C/groups, kH, kW], bias [O] or null; taps outside x count as zero.
void conv2d_nchw(const float* x, const Shape& x_shape, const float* w, const Shape& w_shape, const float* bias,
                 const Conv2dParams& p, const FusedActivation& act, float* y, const Shape& y_shape);

}  // namespace webcnn::reference
