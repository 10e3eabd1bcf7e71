// y = e^x over a row with exp_f32x4; the tail goes through the same function on a padded vector.
#include "kernels/exp_f32x4.h"
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

void f32_vexp(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) simd::store(y + i, exp_f32x4(simd::load(x + i)));
  if (i < n) {
    float in[4] = {0, 0, 0, 0}, out[4];
    for (size_t j = i; j < n; ++j) in[j - i] = x[j];
    simd::store(out, exp_f32x4(simd::load(in)));
    for (size_t j = i; j < n; ++j) y[j] = out[j - i];
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
