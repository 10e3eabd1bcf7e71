#include "kernels/gemm.h"

namespace webcnn::kernels {

void gemm_pack_b(size_t k, size_t n, const float* b, size_t b_row_stride, size_t b_col_stride, const float* bias,
                 float* packed) {
  gemm_pack_b_rows(
      k, n, b, [&](size_t kk) { return kk * b_row_stride; }, b_col_stride, bias, packed);
}

}  // namespace webcnn::kernels
