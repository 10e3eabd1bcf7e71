// The naive depthwise convolution: the most obviously correct code, for tests only.
#include "kernels/dwconv.h"

namespace webcnn::kernels::reference {

void dwconv_nhwc(const Conv2dGeometry& g, const float* input, const float* weights, const float* bias, float* output,
                 const FusedActivation& act) {
  const int64_t ch = g.in_c;
  for (int64_t n = 0; n < g.batch; ++n)
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox)
        for (int64_t c = 0; c < ch; ++c) {
          double sum = bias ? bias[c] : 0.0;
          for (int64_t ky = 0; ky < g.kernel_h; ++ky)
            for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
              const int64_t iy = oy * g.stride_h - g.pad_top + ky * g.dilation_h;
              const int64_t ix = ox * g.stride_w - g.pad_left + kx * g.dilation_w;
              if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;  // zero padding
              sum += double(input[((n * g.in_h + iy) * g.in_w + ix) * ch + c]) *
                     double(weights[(c * g.kernel_h + ky) * g.kernel_w + kx]);
            }
          output[((n * g.out_h + oy) * g.out_w + ox) * ch + c] = act.apply(static_cast<float>(sum));
        }
}

}  // namespace webcnn::kernels::reference
