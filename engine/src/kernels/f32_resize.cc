// One output pixel of Resize (linear, cubic): a weighted sum of up to 16 input pixels of n floats.
// Every lane does w · v + acc in the same order as the scalar tail, so all backends agree bit for bit.
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

void f32_resize_pixel(size_t n, size_t taps, const float* const* inputs, const float* weights, float* out) {
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    f32x4 acc = zero();
    for (size_t t = 0; t < taps; ++t) acc = muladd(splat(weights[t]), load(inputs[t] + k), acc);
    store(out + k, acc);
  }
  for (; k < n; ++k) {
    float acc = 0;
    for (size_t t = 0; t < taps; ++t) acc = weights[t] * inputs[t][k] + acc;
    out[k] = acc;
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
