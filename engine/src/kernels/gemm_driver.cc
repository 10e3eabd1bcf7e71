// The GEMM driver: walks C in microkernel tiles. Rows are taken in blocks whose A rows fit in L2
// (~128 KiB); within a block each packed B panel (K × 16 floats) stays in L1 while every row group of the
// block passes over it.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/gemm.h"
#include "kernels/gemm_tile_f32x4.h"
#include "kernels/isa_kernels.h"
#if defined(WEBCNN_ISA_AVX2)
#include "kernels/gemm_tile_f32x8_avx2.h"
#endif

namespace webcnn::kernels::WEBCNN_ISA {

namespace {

// Rows per microkernel call on a full (16-column) panel and on the 8-column tail panel: the 4-lane tiles
// of gemm.h, or AVX2's 8-lane tiles (6×16: 12 ymm accumulators; 8×8: 8).
#if defined(WEBCNN_ISA_AVX2)
constexpr size_t kMR = 6, kMRTail = 8;  // gemm_tile_6x16, gemm_tile_8x8
#else
constexpr size_t kMR = kGemmMR, kMRTail = kGemmMRTail;
#endif

inline void full_panel_tile(size_t mr, size_t nc, size_t k, const float* a, size_t a_stride, const float* panel,
                            float* c, size_t c_stride, float out_min, float out_max) {
#if defined(WEBCNN_ISA_AVX2)
  gemm_tile_6x16(mr, nc, k, a, a_stride, panel, c, c_stride, out_min, out_max);
#else
  gemm_tile_f32x4<kMR, kGemmNR / 4, ABroadcast::kLoadSplat>(mr, nc, k, a, a_stride, panel, c, c_stride, out_min,
                                                            out_max);
#endif
}

inline void tail_panel_tile(size_t mr, size_t nc, size_t k, const float* a, size_t a_stride, const float* panel,
                            float* c, size_t c_stride, float out_min, float out_max) {
#if defined(WEBCNN_ISA_AVX2)
  gemm_tile_8x8(mr, nc, k, a, a_stride, panel, c, c_stride, out_min, out_max);
#else
  gemm_tile_f32x4<kMRTail, kGemmNRTail / 4, ABroadcast::kLoadSplat>(mr, nc, k, a, a_stride, panel, c, c_stride, out_min,
                                                                    out_max);
#endif
}

}  // namespace

void f32_gemm(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_b, float* c,
              size_t c_stride, const FusedActivation& act, const float* residual, size_t residual_stride) {
  if (m == 0 || n == 0) return;
  const bool clamp = act.is_clamp() && !residual;  // else applied after the residual is added
  const float out_min = clamp ? act.min : -INFINITY;
  const float out_max = clamp ? act.max : INFINITY;
  constexpr size_t kRowQuantum = std::lcm(kMR, kMRTail);  // a multiple of both tile heights
  const size_t block_rows =
      std::max<size_t>(kRowQuantum, (size_t{32} << 10) / std::max<size_t>(k, 1) / kRowQuantum * kRowQuantum);

  for (size_t m0 = 0; m0 < m; m0 += block_rows) {
    const size_t m1 = std::min(m, m0 + block_rows);
    const float* panel = packed_b;
    for (size_t col = 0; col < n;) {
      const size_t width = gemm_panel_width(n, col);
      const size_t nc = std::min(width, n - col);
      if (k == 0) {  // empty sum: the tile is just the bias, clamped
        for (size_t r = m0; r < m1; ++r)
          for (size_t j = 0; j < nc; ++j) c[r * c_stride + col + j] = std::min(out_max, std::max(out_min, panel[j]));
      } else if (width == kGemmNR) {
        for (size_t i = m0; i < m1; i += kMR)
          full_panel_tile(std::min(kMR, m1 - i), nc, k, a + i * a_stride, a_stride, panel, c + i * c_stride + col,
                          c_stride, out_min, out_max);
      } else {
        for (size_t i = m0; i < m1; i += kMRTail)
          tail_panel_tile(std::min(kMRTail, m1 - i), nc, k, a + i * a_stride, a_stride, panel, c + i * c_stride + col,
                          c_stride, out_min, out_max);
      }
      panel += width * (k + 1);
      col += width;
    }
    // The residual and the other activations on the block just written, while it is still in cache.
    if (residual)
      for (size_t r = m0; r < m1; ++r) f32_fused_add_apply(act, c + r * c_stride, residual + r * residual_stride, n);
    else if (!clamp)
      for (size_t r = m0; r < m1; ++r) f32_fused_apply(act, c + r * c_stride, n);
  }
}

}  // namespace webcnn::kernels::WEBCNN_ISA
