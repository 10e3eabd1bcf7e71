// The AVX2 table's GEMM microkernel: 8-lane __m256 accumulators and one FMA per 8 multiply-adds, on the same
// packed panels as gemm_tile_f32x4.h (gemm.h: bias first, then K rows of 16 or 8 columns), so packing is
// shared by every table. Each A scalar is broadcast from memory (vbroadcastss) into one register, so the
// accumulators + the B vectors + 1 fit the 16 ymm registers (6×16: 12 + 2 + 1; 8×8: 8 + 1 + 1). Included only where
// WEBCNN_ISA_AVX2 is defined (compiled with -mavx2 -mfma).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstring>

namespace webcnn::kernels::avx2 {

namespace detail {

// Row pointers of a tile: rows past mr alias the last valid row (computed twice, stored once).
template <size_t MR, typename T>
inline void tile_rows(size_t mr, T* first, size_t stride, T** rows) {
  rows[0] = first;
  for (size_t i = 1; i < MR; ++i) rows[i] = mr > i ? rows[i - 1] + stride : rows[i - 1];
}

// Adds the bias, clamps and stores nc ≤ 8·NV columns of one row. Max then min, each returning its second
// operand on NaN, so a NaN result stays NaN (as simd::max/min).
template <size_t NV>
inline void store_row(float* c, size_t nc, const __m256* v, const __m256* bias, __m256 lo, __m256 hi) {
  __m256 r[NV];
  for (size_t j = 0; j < NV; ++j) r[j] = _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_add_ps(v[j], bias[j])));
  if (nc == 8 * NV) {
    for (size_t j = 0; j < NV; ++j) _mm256_storeu_ps(c + 8 * j, r[j]);
    return;
  }
  float tmp[8 * NV];
  for (size_t j = 0; j < NV; ++j) _mm256_storeu_ps(tmp + 8 * j, r[j]);
  std::memcpy(c, tmp, nc * sizeof(float));
}

}  // namespace detail

// The accumulators are named variables, not an array: GCC keeps an accumulator array in memory (a store
// per FMA), which halved the speed. As in gemm_tile_f32x4.h the products are summed from zero and the bias
// (the panel's first row) added last, as TF.js adds a convolution's bias after the sum.

// 6 rows × 16 columns (a full panel), mr ≤ 6, kc ≥ 1, output clamped to [out_min, out_max].
inline void gemm_tile_6x16(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, const float* w, float* c,
                           size_t c_stride, float out_min, float out_max) {
  const float* ap[6];
  float* cp[6];
  detail::tile_rows<6>(mr, a, a_stride, ap);
  detail::tile_rows<6>(mr, c, c_stride, cp);
  const __m256 bias[2] = {_mm256_loadu_ps(w), _mm256_loadu_ps(w + 8)};  // the panel starts with the bias
  __m256 c00 = _mm256_setzero_ps(), c01 = c00;
  __m256 c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  w += 16;
  for (size_t k = 0; k < kc; ++k, w += 16) {
    const __m256 b0 = _mm256_loadu_ps(w), b1 = _mm256_loadu_ps(w + 8);
    __m256 t = _mm256_broadcast_ss(ap[0] + k);
    c00 = _mm256_fmadd_ps(t, b0, c00);
    c01 = _mm256_fmadd_ps(t, b1, c01);
    t = _mm256_broadcast_ss(ap[1] + k);
    c10 = _mm256_fmadd_ps(t, b0, c10);
    c11 = _mm256_fmadd_ps(t, b1, c11);
    t = _mm256_broadcast_ss(ap[2] + k);
    c20 = _mm256_fmadd_ps(t, b0, c20);
    c21 = _mm256_fmadd_ps(t, b1, c21);
    t = _mm256_broadcast_ss(ap[3] + k);
    c30 = _mm256_fmadd_ps(t, b0, c30);
    c31 = _mm256_fmadd_ps(t, b1, c31);
    t = _mm256_broadcast_ss(ap[4] + k);
    c40 = _mm256_fmadd_ps(t, b0, c40);
    c41 = _mm256_fmadd_ps(t, b1, c41);
    t = _mm256_broadcast_ss(ap[5] + k);
    c50 = _mm256_fmadd_ps(t, b0, c50);
    c51 = _mm256_fmadd_ps(t, b1, c51);
  }
  const __m256 lo = _mm256_set1_ps(out_min), hi = _mm256_set1_ps(out_max);
  // Highest row first: when rows alias, the last store is the valid row's (all equal anyway).
  const __m256 r5[2] = {c50, c51}, r4[2] = {c40, c41}, r3[2] = {c30, c31}, r2[2] = {c20, c21}, r1[2] = {c10, c11},
               r0[2] = {c00, c01};
  detail::store_row<2>(cp[5], nc, r5, bias, lo, hi);
  detail::store_row<2>(cp[4], nc, r4, bias, lo, hi);
  detail::store_row<2>(cp[3], nc, r3, bias, lo, hi);
  detail::store_row<2>(cp[2], nc, r2, bias, lo, hi);
  detail::store_row<2>(cp[1], nc, r1, bias, lo, hi);
  detail::store_row<2>(cp[0], nc, r0, bias, lo, hi);
}

// 8 rows × 8 columns (the tail panel), mr ≤ 8, kc ≥ 1, output clamped to [out_min, out_max].
inline void gemm_tile_8x8(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, const float* w, float* c,
                          size_t c_stride, float out_min, float out_max) {
  const float* ap[8];
  float* cp[8];
  detail::tile_rows<8>(mr, a, a_stride, ap);
  detail::tile_rows<8>(mr, c, c_stride, cp);
  const __m256 bias = _mm256_loadu_ps(w);  // the panel starts with the bias
  __m256 c0 = _mm256_setzero_ps();
  __m256 c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
  w += 8;
  for (size_t k = 0; k < kc; ++k, w += 8) {
    const __m256 b = _mm256_loadu_ps(w);
    c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[0] + k), b, c0);
    c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[1] + k), b, c1);
    c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[2] + k), b, c2);
    c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[3] + k), b, c3);
    c4 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[4] + k), b, c4);
    c5 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[5] + k), b, c5);
    c6 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[6] + k), b, c6);
    c7 = _mm256_fmadd_ps(_mm256_broadcast_ss(ap[7] + k), b, c7);
  }
  const __m256 lo = _mm256_set1_ps(out_min), hi = _mm256_set1_ps(out_max);
  detail::store_row<1>(cp[7], nc, &c7, &bias, lo, hi);
  detail::store_row<1>(cp[6], nc, &c6, &bias, lo, hi);
  detail::store_row<1>(cp[5], nc, &c5, &bias, lo, hi);
  detail::store_row<1>(cp[4], nc, &c4, &bias, lo, hi);
  detail::store_row<1>(cp[3], nc, &c3, &bias, lo, hi);
  detail::store_row<1>(cp[2], nc, &c2, &bias, lo, hi);
  detail::store_row<1>(cp[1], nc, &c1, &bias, lo, hi);
  detail::store_row<1>(cp[0], nc, &c0, &bias, lo, hi);
}

}  // namespace webcnn::kernels::avx2
