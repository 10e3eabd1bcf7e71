#include "kernels/im2col_nhwc.h"

#include <cstring>

namespace webcnn::kernels {

void im2col_nhwc(const Conv2dGeometry& g, const float* input, int64_t channel_begin, int64_t channels,
                 int64_t pixel_begin, int64_t pixel_end, float* rows) {
  const size_t run_bytes = static_cast<size_t>(channels) * sizeof(float);
  for (int64_t p = pixel_begin; p < pixel_end; ++p) {
    const int64_t ox = p % g.out_w, oy = (p / g.out_w) % g.out_h, n = p / (g.out_w * g.out_h);
    const float* image = input + n * g.in_h * g.in_w * g.in_c + channel_begin;
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
        if (iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w)
          std::memcpy(rows, image + (iy * g.in_w + ix) * g.in_c, run_bytes);
        else
          std::memset(rows, 0, run_bytes);
        rows += channels;
      }
    }
  }
}

}  // namespace webcnn::kernels
