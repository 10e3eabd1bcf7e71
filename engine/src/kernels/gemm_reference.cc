// The naive GEMM: the most obviously correct code, for tests only.
#include "kernels/gemm.h"

namespace webcnn::kernels::reference {

void gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* b, size_t b_stride,
              const float* bias, float* c, size_t c_stride, const FusedActivation& act) {
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      double sum = bias ? bias[j] : 0.0;
      for (size_t kk = 0; kk < k; ++kk) sum += double(a[i * a_stride + kk]) * double(b[kk * b_stride + j]);
      c[i * c_stride + j] = act.apply(static_cast<float>(sum));
    }
}

}  // namespace webcnn::kernels::reference
