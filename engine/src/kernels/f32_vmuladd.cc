// y = x · a + b over a row (BatchNormalization with its scale and shift folded): a mul then an add on
// every lane and in the tail, so all backends agree bit for bit.
#include "kernels/isa_kernels.h"

namespace webcnn::kernels::WEBCNN_ISA {

using namespace simd;

void f32_vmuladd(size_t n, const float* x, const float* a, const float* b, float* y) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(y + i, muladd(load(x + i), load(a + i), load(b + i)));
  for (; i < n; ++i) y[i] = x[i] * a[i] + b[i];
}

void f32_vmuladdc(size_t n, const float* x, float a, float b, float* y) {
  const f32x4 av = splat(a), bv = splat(b);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) store(y + i, muladd(load(x + i), av, bv));
  for (; i < n; ++i) y[i] = x[i] * a + b;
}

}  // namespace webcnn::kernels::WEBCNN_ISA
