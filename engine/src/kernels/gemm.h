// f32 GEMM: C[M,N] = act(A[M,K] · B[K,N] + bias[N]), register-tiled, written against simd/f32x4.h
// (gemm_driver.cc, compiled once per instruction set; reached through the kernel table).
//
// B (the weights) is packed once into panels of kGemmNR columns (the last one kGemmNRTail wide when at most
// that many columns remain, so N = 24, 40, ... wastes no lanes):
//   panel = [width bias floats][K rows × width floats], columns past N zero-filled,
// so the microkernel streams one panel linearly and never tests for a partial panel while accumulating.
// A is read in place (row stride `a_stride`), one scalar per row loaded into all lanes.
// Tile shapes were chosen by measuring V8's code (bench/kernels/README.md): 2×16 for full panels, 4×8 for
// the narrow tail panel.
#pragma once

#include <cstddef>

#include "kernels/fused_activation.h"
#include "kernels/kernel_table.h"

namespace webcnn::kernels {

constexpr size_t kGemmNR = 16;     // columns of a full packed panel (four f32x4)
constexpr size_t kGemmNRTail = 8;  // columns of the last panel when ≤ 8 columns remain
constexpr size_t kGemmMR = 2;      // rows per microkernel call on a full panel
constexpr size_t kGemmMRTail = 4;  // rows per microkernel call on the tail panel

// Width of the panel that starts at column n0 of an N-column B.
inline size_t gemm_panel_width(size_t n, size_t n0) { return n - n0 > kGemmNRTail ? kGemmNR : kGemmNRTail; }

// Floats a packed B of K rows and N columns occupies.
inline size_t gemm_packed_b_floats(size_t k, size_t n) {
  size_t columns = n / kGemmNR * kGemmNR;
  if (n % kGemmNR != 0) columns += gemm_panel_width(n, columns);
  return columns * (k + 1);
}

// Packs B, element (kk, j) given by b_at(kk, j), and bias[j] (null = zeros) into `packed`
// (gemm_packed_b_floats(k, n) floats). Ops whose weights are not a plain matrix (conv's OIHW) pass their own
// b_at; the layout knowledge stays here.
template <typename ElementAt>
void gemm_pack_b_with(size_t k, size_t n, ElementAt b_at, const float* bias, float* packed) {
  for (size_t n0 = 0; n0 < n;) {
    const size_t width = gemm_panel_width(n, n0);
    const size_t nc = n - n0 < width ? n - n0 : width;
    for (size_t j = 0; j < width; ++j) *packed++ = (bias && j < nc) ? bias[n0 + j] : 0.0f;
    for (size_t kk = 0; kk < k; ++kk)
      for (size_t j = 0; j < width; ++j) *packed++ = j < nc ? b_at(kk, n0 + j) : 0.0f;
    n0 += width;
  }
}

// As gemm_pack_b_with for a B whose element (kk, j) sits at b[row_at(kk) + j * col_stride]: row_at (a
// convolution's division of kk into tap and channel) is asked once per row of a panel, not per element, and
// the copy loop has no test per element. Packing runs once, at load, mostly in V8's baseline tier (Liftoff),
// where that per-element work was most of the time.
template <typename RowAt>
void gemm_pack_b_rows(size_t k, size_t n, const float* b, RowAt row_at, size_t col_stride, const float* bias,
                      float* packed) {
  for (size_t n0 = 0; n0 < n;) {
    const size_t width = gemm_panel_width(n, n0);
    const size_t nc = n - n0 < width ? n - n0 : width;
    for (size_t j = 0; j < width; ++j) *packed++ = (bias && j < nc) ? bias[n0 + j] : 0.0f;
    for (size_t kk = 0; kk < k; ++kk) {
      const float* row = b + row_at(kk) + n0 * col_stride;
      size_t j = 0;
      for (; j < nc; ++j) *packed++ = row[j * col_stride];
      for (; j < width; ++j) *packed++ = 0.0f;
    }
    n0 += width;
  }
}

// The plain-matrix case: element (kk, j) at b[kk * b_row_stride + j * b_col_stride] (a transposed B is just
// other strides).
void gemm_pack_b(size_t k, size_t n, const float* b, size_t b_row_stride, size_t b_col_stride, const float* bias,
                 float* packed);

// The whole product over all tiles. Clamp-type activations are applied inside the microkernel, the others
// (sigmoid, tanh, ...) on each tile right after it is stored, while it is still in cache. With a `residual`
// R [M,N] (row stride residual_stride), C = act(A·B + bias + R): R is added, then the activation applied,
// on each block of rows right after it is stored (a skip connection fused into its convolution).
// Runs the active table's f32_gemm (gemm_driver.cc).
inline void gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b, float* c,
                     size_t c_stride, const FusedActivation& act, const float* residual = nullptr,
                     size_t residual_stride = 0) {
  active().f32_gemm(m, n, k, a, a_stride, packed_b, c, c_stride, act, residual, residual_stride);
}

namespace reference {
// The naive triple loop the tests trust: C = act(A·B + bias), with plain row-major A [M,K] (row stride
// a_stride) and B [K,N] (row stride b_stride); bias may be null.
void gemm_f32(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* b, size_t b_stride,
              const float* bias, float* c, size_t c_stride, const FusedActivation& act);
}  // namespace reference

}  // namespace webcnn::kernels
