// ConvTranspose: the naive NCHW reference that tests compare the NHWC fast path against. The kernel itself
// is registered by register_conv_transpose_ops (conv_transpose.cc).
#pragma once

#include "ops/conv.h"  // Conv2dParams
#include "ops/fused_activation.h"
#include "webcnn/tensor.h"

namespace webcnn::reference {

// The transpose: every input pixel scatters x[n, c, iy, ix] · w[c, o, ky, kx] to
// y[n, g·Og + o, iy·sh − pt + ky·dh, ix·sw − pl + kx·dw] (dropped when outside y), then bias and act.
// x [N, C, H, W], w [C, O/groups, kH, kW], y [N, O, OH, OW].
void conv_transpose2d_nchw(const float* x, const Shape& x_shape, const float* w, const Shape& w_shape,
                           const float* bias, const Conv2dParams& p, const FusedActivation& act, float* y,
                           const Shape& y_shape);

}  // namespace webcnn::reference
