#include <algorithm>

#include "kernels/isa_kernels.h"
#include "kernels/q8_im2col.h"

namespace webcnn::kernels::WEBCNN_ISA {

namespace {

template <typename T>
void im2col(const Conv2dGeometry& g, const T* input, int32_t zero_point, int64_t channel_begin, int64_t channels,
            int64_t pixel_begin, int64_t pixel_end, int16_t* rows, size_t row_stride) {
  const int64_t k = g.kernel_h * g.kernel_w * channels;
  for (int64_t p = pixel_begin; p < pixel_end; ++p, rows += row_stride) {
    const int64_t ox = p % g.out_w, oy = (p / g.out_w) % g.out_h, n = p / (g.out_w * g.out_h);
    const T* image = input + n * g.in_h * g.in_w * g.in_c + channel_begin;
    int16_t* dst = rows;
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
      for (int64_t kx = 0; kx < g.kernel_w; ++kx, dst += channels) {
        const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
        if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) {
          std::fill(dst, dst + channels, static_cast<int16_t>(zero_point));
          continue;
        }
        const T* src = image + (iy * g.in_w + ix) * g.in_c;
        for (int64_t c = 0; c < channels; ++c) dst[c] = src[c];
      }
    }
    if (k & 1) rows[k] = 0;
  }
}

}  // namespace

void q8_im2col_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, int64_t channel_begin,
                    int64_t channels, int64_t pixel_begin, int64_t pixel_end, int16_t* rows, size_t row_stride) {
  if (in.is_signed)
    im2col(g, static_cast<const int8_t*>(input), in.zero_point, channel_begin, channels, pixel_begin, pixel_end, rows,
           row_stride);
  else
    im2col(g, static_cast<const uint8_t*>(input), in.zero_point, channel_begin, channels, pixel_begin, pixel_end, rows,
           row_stride);
}

}  // namespace webcnn::kernels::WEBCNN_ISA
