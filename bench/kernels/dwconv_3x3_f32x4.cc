// Depthwise microkernel for 3×3 filters: the 9 taps unrolled, channels in f32x4 blocks.
#include "dwconv_per_pixel.h"
#include "simd/f32x4.h"

namespace webcnn::kernels {

using namespace simd;

void dwconv_3x3_f32x4(size_t channels, const float* const* input, const float* weights, const float* bias, float* out,
                      float out_min, float out_max) {
  const float *i0 = input[0], *i1 = input[1], *i2 = input[2], *i3 = input[3], *i4 = input[4], *i5 = input[5],
              *i6 = input[6], *i7 = input[7], *i8 = input[8];
  const float *w0 = weights, *w1 = w0 + channels, *w2 = w1 + channels, *w3 = w2 + channels, *w4 = w3 + channels,
              *w5 = w4 + channels, *w6 = w5 + channels, *w7 = w6 + channels, *w8 = w7 + channels;
  const f32x4 lo = splat(out_min), hi = splat(out_max);
  size_t c = 0;
  for (; c + 4 <= channels; c += 4) {
    f32x4 acc = load(bias + c);
    acc = muladd(load(i0 + c), load(w0 + c), acc);
    acc = muladd(load(i1 + c), load(w1 + c), acc);
    acc = muladd(load(i2 + c), load(w2 + c), acc);
    acc = muladd(load(i3 + c), load(w3 + c), acc);
    acc = muladd(load(i4 + c), load(w4 + c), acc);
    acc = muladd(load(i5 + c), load(w5 + c), acc);
    acc = muladd(load(i6 + c), load(w6 + c), acc);
    acc = muladd(load(i7 + c), load(w7 + c), acc);
    acc = muladd(load(i8 + c), load(w8 + c), acc);
    store(out + c, min(hi, max(lo, acc)));
  }
  for (; c < channels; ++c) {
    float acc = bias[c];
    acc += i0[c] * w0[c];
    acc += i1[c] * w1[c];
    acc += i2[c] * w2[c];
    acc += i3[c] * w3[c];
    acc += i4[c] * w4[c];
    acc += i5[c] * w5[c];
    acc += i6[c] * w6[c];
    acc += i7[c] * w7[c];
    acc += i8[c] * w8[c];
    out[c] = acc < out_min ? out_min : (acc > out_max ? out_max : acc);  // NaN stays NaN
  }
}

}  // namespace webcnn::kernels
