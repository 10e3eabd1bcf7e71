// The AVX2 table's GEMM microkernel: 8-lane __m256 accumulators and one FMA per 8 multiply-adds, on the same
// packed panels as gemm_tile_f32x4.h (gemm.h: bias first, then K rows of 16 or 8 columns), so packing is
// shared by every table. A tile is MR rows × 8·NV columns; each A scalar is broadcast from memory
// (vbroadcastss) into one register, so MR·NV accumulators + NV B vectors + 1 fit the 16 ymm registers
// (6×16: 12 + 2 + 1). Included only where WEBCNN_ISA_AVX2 is defined (compiled with -mavx2 -mfma).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstring>

namespace webcnn::kernels::avx2 {

// One tile of mr ≤ MR rows × nc ≤ 8·NV columns, kc ≥ 1. Rows past mr alias the last valid row (computed
// twice, stored once), columns past nc are not stored. Output clamped to [out_min, out_max] at the store:
// max then min, each returning its second operand on NaN, so a NaN result stays NaN (as simd::max/min).
template <size_t MR, size_t NV>
inline void gemm_tile_f32x8(size_t mr, size_t nc, size_t kc, const float* a, size_t a_stride, const float* w, float* c,
                            size_t c_stride, float out_min, float out_max) {
  const float* ap[MR];
  float* cp[MR];
  ap[0] = a;
  cp[0] = c;
  for (size_t i = 1; i < MR; ++i) {
    ap[i] = mr > i ? ap[i - 1] + a_stride : ap[i - 1];
    cp[i] = mr > i ? cp[i - 1] + c_stride : cp[i - 1];
  }

  __m256 acc[MR][NV];
  for (size_t j = 0; j < NV; ++j) acc[0][j] = _mm256_loadu_ps(w + 8 * j);  // the panel starts with the bias
  for (size_t i = 1; i < MR; ++i)
    for (size_t j = 0; j < NV; ++j) acc[i][j] = acc[0][j];
  w += 8 * NV;

  for (size_t k = 0; k < kc; ++k) {
    __m256 b[NV];
    for (size_t j = 0; j < NV; ++j) b[j] = _mm256_loadu_ps(w + 8 * j);
    w += 8 * NV;
    for (size_t i = 0; i < MR; ++i) {
      const __m256 t = _mm256_broadcast_ss(ap[i] + k);
      for (size_t j = 0; j < NV; ++j) acc[i][j] = _mm256_fmadd_ps(t, b[j], acc[i][j]);
    }
  }

  const __m256 lo = _mm256_set1_ps(out_min), hi = _mm256_set1_ps(out_max);
  for (size_t i = 0; i < MR; ++i)
    for (size_t j = 0; j < NV; ++j) acc[i][j] = _mm256_min_ps(hi, _mm256_max_ps(lo, acc[i][j]));
  // Highest row first: when rows alias, the last store is the valid row's (all equal anyway).
  for (size_t i = MR; i-- > 0;) {
    if (nc == 8 * NV) {
      for (size_t j = 0; j < NV; ++j) _mm256_storeu_ps(cp[i] + 8 * j, acc[i][j]);
    } else {
      float tmp[8 * NV];
      for (size_t j = 0; j < NV; ++j) _mm256_storeu_ps(tmp + 8 * j, acc[i][j]);
      std::memcpy(cp[i], tmp, nc * sizeof(float));
    }
  }
}

}  // namespace webcnn::kernels::avx2
