// The naive 8-bit GEMM: the formula as written, for tests only.
#include "kernels/q8_gemm.h"
#include "kernels/requantize_fp32.h"

namespace webcnn::kernels::reference {

namespace {
int32_t q8_at(const void* p, size_t i, bool is_signed) {
  return is_signed ? int32_t{static_cast<const int8_t*>(p)[i]} : int32_t{static_cast<const uint8_t*>(p)[i]};
}
}  // namespace

void q8_gemm(size_t m, size_t n, size_t k, const void* a, size_t a_stride, const Q8Input& a_in, const void* b,
             size_t b_stride, bool b_signed, const int32_t* b_zp, const int32_t* bias, const float* scale, void* c,
             size_t c_stride, const Q8Output& out) {
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      int32_t acc = bias ? bias[j] : 0;
      for (size_t kk = 0; kk < k; ++kk)
        acc += (q8_at(a, i * a_stride + kk, a_in.is_signed) - a_in.zero_point) *
               (q8_at(b, kk * b_stride + j, b_signed) - b_zp[j]);
      const int32_t y = requantize_fp32(acc, scale[j], out.zero_point, out.qmin, out.qmax);
      if (out.is_signed) static_cast<int8_t*>(c)[i * c_stride + j] = static_cast<int8_t>(y);
      else static_cast<uint8_t*>(c)[i * c_stride + j] = static_cast<uint8_t>(y);
    }
}

}  // namespace webcnn::kernels::reference
