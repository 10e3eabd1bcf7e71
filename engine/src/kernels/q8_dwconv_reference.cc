// The naive 8-bit depthwise convolution: the formula as written, for tests only.
#include "kernels/q8_dwconv.h"
#include "kernels/requantize_fp32.h"

namespace webcnn::kernels::reference {

namespace {
int32_t q8_at(const void* p, size_t i, bool is_signed) {
  return is_signed ? int32_t{static_cast<const int8_t*>(p)[i]} : int32_t{static_cast<const uint8_t*>(p)[i]};
}
}  // namespace

void q8_dwconv_nhwc(const Conv2dGeometry& g, const void* input, const Q8Input& in, const void* weights, bool w_signed,
                    const int32_t* w_zp, const int32_t* bias, const float* scale, void* output, const Q8Output& out) {
  const int64_t ch = g.in_c;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox)
        for (int64_t c = 0; c < ch; ++c) {
          int32_t acc = bias ? bias[c] : 0;
          for (int64_t ky = 0; ky < g.kernel_h; ++ky)
            for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
              const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
              const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;  // the zero point: contributes 0
              const int32_t x =
                  q8_at(input, static_cast<size_t>(((n * g.in_h + iy) * g.in_w + ix) * ch + c), in.is_signed);
              const int32_t w = q8_at(weights, static_cast<size_t>((c * g.kernel_h + ky) * g.kernel_w + kx), w_signed);
              acc += (x - in.zero_point) * (w - w_zp[c]);
            }
          const int32_t y = requantize_fp32(acc, scale[c], out.zero_point, out.qmin, out.qmax);
          const size_t at = static_cast<size_t>(((n * g.out_h + oy) * g.out_w + ox) * ch + c);
          if (out.is_signed) static_cast<int8_t*>(output)[at] = static_cast<int8_t>(y);
          else static_cast<uint8_t*>(output)[at] = static_cast<uint8_t>(y);
        }
}

}  // namespace webcnn::kernels::reference
