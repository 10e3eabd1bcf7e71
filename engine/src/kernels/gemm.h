// f32 GEMM: C[M,N] = act(A[M,K] · B[K,N] + bias[N]), register-tiled, written against simd/f32x4.h.
//
// B (the weights) is packed once into panels of kGemmNR columns:
//   panel p = [kGemmNR bias floats][K rows × kGemmNR floats], columns past N zero-filled,
// so the microkernel streams one panel linearly and never tests for a partial panel while accumulating.
// A is read in place (row stride `a_stride`), one scalar per row broadcast against the panel's vectors.
#pragma once

#include <cstddef>

#include "ops/fused_activation.h"

namespace webcnn::kernels {

constexpr size_t kGemmMR = 4;  // rows per microkernel call
constexpr size_t kGemmNR = 8;  // columns per packed panel (two f32x4)

// Floats a packed B of K rows and N columns occupies.
inline size_t gemm_packed_b_floats(size_t k, size_t n) {
  return (n + kGemmNR - 1) / kGemmNR * kGemmNR * (k + 1);
}

// Packs B, element (kk, j) given by b_at(kk, j), and bias[j] (null = zeros) into `packed`
// (gemm_packed_b_floats(k, n) floats). Ops whose weights are not a plain matrix (conv's OIHW) pass their own
// b_at; the layout knowledge stays here.
template <typename ElementAt>
void gemm_pack_b_with(size_t k, size_t n, ElementAt b_at, const float* bias, float* packed) {
  for (size_t n0 = 0; n0 < n; n0 += kGemmNR) {
    const size_t nc = n - n0 < kGemmNR ? n - n0 : kGemmNR;
    for (size_t j = 0; j < kGemmNR; ++j) *packed++ = (bias && j < nc) ? bias[n0 + j] : 0.0f;
    for (size_t kk = 0; kk < k; ++kk)
      for (size_t j = 0; j < kGemmNR; ++j) *packed++ = j < nc ? b_at(kk, n0 + j) : 0.0f;
  }
}

// The plain-matrix case: element (kk, j) at b[kk * b_row_stride + j * b_col_stride] (a transposed B is just
// other strides).
void gemm_pack_b(size_t k, size_t n, const float* b, size_t b_row_stride, size_t b_col_stride, const float* bias,
                 float* packed);

// The microkernel: a tile of mr ≤ 4 rows × nc ≤ 8 columns of C from one packed panel, kc ≥ 1.
// Rows past mr alias the last valid row (computed twice, stored once), columns past nc are not stored.
// Output clamped to [out_min, out_max] at the store (±inf for none).
void gemm_4x8_f32x4(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, const float* packed_panel,
                    float* c, size_t c_stride, float out_min, float out_max);

// The whole product over all tiles. Clamp-type activations are applied inside the microkernel, the others
// (sigmoid, tanh, ...) on each tile right after it is stored, while it is still in cache.
void gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b, float* c,
              size_t c_stride, const FusedActivation& act);

namespace reference {
// The naive triple loop the tests trust: C = act(A·B + bias), with plain row-major A [M,K] (row stride
// a_stride) and B [K,N] (row stride b_stride); bias may be null.
void gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* b, size_t b_stride,
              const float* bias, float* c, size_t c_stride, const FusedActivation& act);
}  // namespace reference

}  // namespace webcnn::kernels
