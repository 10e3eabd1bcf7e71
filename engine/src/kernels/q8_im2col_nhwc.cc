#include <algorithm>
#include <cstring>

#include "kernels/isa_kernels.h"
#include "kernels/q8_im2col.h"
#include "simd/i16x8.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

namespace {

inline i16x8 widen8(const uint8_t* p) { return widen_u8x8(p); }
inline i16x8 widen8(const int8_t* p) { return widen_s8x8(p); }

// dst[i] = src[i] for i < n: eight at a time, the last eight overlapping the previous ones (a 3-channel
// stem's 9-value tap row is two vectors); runs under 8 (the padded borders) one by one.
template <typename T>
inline void widen_run(int16_t* dst, const T* src, int64_t n) {
  if (n < 8) {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    return;
  }
  for (int64_t i = 0;; i += 8) {
    if (i > n - 8) i = n - 8;
    const i16x8 v = widen8(src + i);
    std::memcpy(dst + i, &v, sizeof v);
    if (i == n - 8) return;
  }
}

inline void fill_run(int16_t* dst, int16_t value, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = value;
}

template <typename T>
void im2col(const Conv2dGeometry& g, const T* input, int32_t zero_point, int64_t channel_begin, int64_t channels,
            int64_t pixel_begin, int64_t pixel_end, int16_t* rows, size_t row_stride) {
  const int64_t k = g.kernel_h * g.kernel_w * channels;
  const int16_t zp = static_cast<int16_t>(zero_point);
  // All channels and undilated taps: the taps of one filter row are one contiguous run of the input row.
  const bool contiguous_taps = g.dilation_w == 1 && channels == g.in_c;
  const int64_t run = g.kernel_w * channels, line_step = g.dilation_h * g.in_w * g.in_c;
  // The output position, stepped (a division per pixel cost more than the copies of a 3-channel stem).
  int64_t ox = pixel_begin % g.out_w, oy = (pixel_begin / g.out_w) % g.out_h, n = pixel_begin / (g.out_w * g.out_h);
  for (int64_t p = pixel_begin; p < pixel_end; ++p, rows += row_stride) {
    const T* image = input + n * g.in_h * g.in_w * g.in_c + channel_begin;
    const int64_t x0 = ox * g.stride_w - g.pad_left;  // input column of tap kx = 0
    int16_t* dst = rows;
    const int64_t y0 = oy * g.stride_h - g.pad_top;  // input row of tap ky = 0
    if (contiguous_taps && x0 >= 0 && x0 + g.kernel_w <= g.in_w && y0 >= 0 &&
        y0 + (g.kernel_h - 1) * g.dilation_h < g.in_h) {  // no tap in the padding: one run per filter row
      const T* src = image + (y0 * g.in_w + x0) * g.in_c;
      for (int64_t ky = 0; ky < g.kernel_h; ++ky, dst += run, src += line_step) widen_run(dst, src, run);
    } else {
      for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
        const int64_t iy = y0 + ky * g.dilation_h;
        if (iy < 0 || iy >= g.in_h) {
          fill_run(dst, zp, g.kernel_w * channels);
          dst += g.kernel_w * channels;
          continue;
        }
        const T* line = image + iy * g.in_w * g.in_c;
        if (contiguous_taps) {  // taps [lo, hi) fall inside the row, the rest in the padding
          const int64_t lo = std::clamp<int64_t>(-x0, 0, g.kernel_w),
                        hi = std::clamp<int64_t>(g.in_w - x0, lo, g.kernel_w);
          fill_run(dst, zp, lo * channels);
          widen_run(dst + lo * channels, line + (x0 + lo) * g.in_c, (hi - lo) * channels);
          fill_run(dst + hi * channels, zp, (g.kernel_w - hi) * channels);
          dst += g.kernel_w * channels;
          continue;
        }
        for (int64_t kx = 0; kx < g.kernel_w; ++kx, dst += channels) {
          const int64_t ix = x0 + kx * g.dilation_w;
          if (ix >= 0 && ix < g.in_w) widen_run(dst, line + ix * g.in_c, channels);
          else fill_run(dst, zp, channels);
        }
      }
    }
    if (k & 1) rows[k] = 0;
    if (++ox == g.out_w) {
      ox = 0;
      if (++oy == g.out_h) oy = 0, ++n;
    }
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
