// Pooling: MaxPool and AveragePool over 1-D or 2-D windows, GlobalAveragePool and GlobalMaxPool.
// The kernels live in pool.cc; this header exposes the resolved window geometry and the naive
// reference implementations the tests compare the fast paths against.
#pragma once

#include <cstdint>

#include "webcnn/tensor.h"

namespace webcnn {

enum class PoolKind { kMax, kAverage };

// A 2-D pooling problem with every attribute resolved (auto_pad, ceil_mode, defaults). A 1-D pool is
// the same problem with in_h = out_h = kernel_h = 1 and no vertical padding.
struct PoolWindow {
  int64_t batch = 1, channels = 1;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  // AveragePool only: divide by every tap inside the padded input (true) or only the real ones.
  bool count_include_pad = false;
};

namespace reference {

// Data is [N, C, H, W] when nhwc is false, [N, H, W, C] when true. A max window that holds no real
// input element gives -inf; an average with nothing to divide by gives 0.
void pool2d(PoolKind kind, const PoolWindow& w, bool nhwc, const float* in, float* out);

// Mean or max over every axis except batch and channel. `shape` is the input's (rank >= 3), channel
// axis 1 (nhwc false) or last (nhwc true); the output holds N*C values in the same layout.
void global_pool(PoolKind kind, bool nhwc, const Shape& shape, const float* in, float* out);

}  // namespace reference
}  // namespace webcnn
