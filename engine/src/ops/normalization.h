// BatchNormalization in inference form: y = (x - mean) / sqrt(var + epsilon) * scale + B, per channel.
// The kernel lives in normalization.cc; this header exposes the reference the tests compare against.
#pragma once

#include "webcnn/tensor.h"

namespace webcnn {
namespace reference {

// x has `shape` (rank >= 2); the channel axis is 1 (nhwc false) or the last (nhwc true). The four
// parameter arrays hold one value per channel.
void batch_normalization(bool nhwc, const Shape& shape, const float* x, const float* scale, const float* bias,
                         const float* mean, const float* var, float epsilon, float* y);

}  // namespace reference
}  // namespace webcnn
