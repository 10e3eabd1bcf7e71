// Depthwise microkernel for any tap count: channels in f32x4 blocks, the tail one lane at a time.
#include "dwconv_per_pixel.h"
#include "simd/f32x4.h"

namespace webcnn::kernels {

using namespace simd;

void dwconv_f32x4(size_t channels, size_t taps, const float* const* input, const float* weights, const float* bias,
                  float* out, float out_min, float out_max) {
  const f32x4 lo = splat(out_min), hi = splat(out_max);
  size_t c = 0;
  for (; c + 4 <= channels; c += 4) {
    f32x4 acc = load(bias + c);
    for (size_t t = 0; t < taps; ++t) acc = muladd(load(input[t] + c), load(weights + t * channels + c), acc);
    store(out + c, min(hi, max(lo, acc)));
  }
  for (; c < channels; ++c) {
    float acc = bias[c];
    for (size_t t = 0; t < taps; ++t) acc += input[t][c] * weights[t * channels + c];
    out[c] = acc < out_min ? out_min : (acc > out_max ? out_max : acc);  // NaN stays NaN
  }
}

}  // namespace webcnn::kernels
