#include "kernels/im2col_nhwc.h"
#include "kernels/isa_kernels.h"

#include <algorithm>
#include <cstring>

namespace webcnn::kernels::WEBCNN_ISA {

namespace {

// Small copies (a few channels per tap) as a plain loop: a memcpy call per 12-byte tap dominated stems
// with 3 input channels in wasm, where memcpy is a real call.
inline void copy_floats(float* dst, const float* src, int64_t n) {
  if (n >= 16) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

inline void zero_floats(float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = 0.0f;
}

}  // namespace

void f32_im2col_nhwc(const Conv2dGeometry& g, const float* input, int64_t channel_begin, int64_t channels,
                     int64_t pixel_begin, int64_t pixel_end, float* rows) {
  // All channels and undilated taps: the taps of one filter row are one contiguous run of the input row.
  const bool contiguous_taps = g.dilation_w == 1 && channels == g.in_c;
  for (int64_t p = pixel_begin; p < pixel_end; ++p) {
    const int64_t ox = p % g.out_w, oy = (p / g.out_w) % g.out_h, n = p / (g.out_w * g.out_h);
    const float* image = input + n * g.in_h * g.in_w * g.in_c + channel_begin;
    const int64_t x0 = ox * g.stride_w - g.pad_left;  // input column of tap kx = 0
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      if (iy < 0 || iy >= g.in_h) {
        zero_floats(rows, g.kernel_w * channels);
        rows += g.kernel_w * channels;
        continue;
      }
      const float* line = image + iy * g.in_w * g.in_c;
      if (contiguous_taps) {  // taps [lo, hi) fall inside the row, the rest in the padding
        const int64_t lo = std::clamp<int64_t>(-x0, 0, g.kernel_w),
                      hi = std::clamp<int64_t>(g.in_w - x0, lo, g.kernel_w);
        zero_floats(rows, lo * channels);
        copy_floats(rows + lo * channels, line + (x0 + lo) * g.in_c, (hi - lo) * channels);
        zero_floats(rows + hi * channels, (g.kernel_w - hi) * channels);
        rows += g.kernel_w * channels;
        continue;
      }
      for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const int64_t ix = x0 + kx * g.dilation_w;
        if (ix >= 0 && ix < g.in_w) copy_floats(rows, line + ix * g.in_c, channels);
        else zero_floats(rows, channels);
        rows += channels;
      }
    }
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
